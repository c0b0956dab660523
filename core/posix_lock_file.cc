// flock-based lock files: take, probe, read, rewrite, remove.
#include "core/posix_lock_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/fs.h"

namespace regsweep {
namespace {

StorageStatus Failure(int error, const std::string& what, const std::string& name) {
  return StorageStatus{error, what + " " + name + ": " + std::strerror(error)};
}

class PosixLockFile final : public LockFile {
 public:
  // `folder`: a descriptor of the folder the file is in, for Remove (invalid for a file that is
  // only read).
  PosixLockFile(UniqueFd folder, std::string name, UniqueFd fd)
      : folder_(std::move(folder)), name_(std::move(name)), fd_(std::move(fd)) {}

  std::string Read() override {
    std::string content(512, '\0');
    const ssize_t n = pread(fd_.get(), content.data(), content.size(), 0);
    content.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return content;
  }

  StorageStatus Replace(const std::string& content) override {
    if (ftruncate(fd_.get(), 0) != 0 || pwrite(fd_.get(), content.data(), content.size(), 0) !=
                                            static_cast<ssize_t>(content.size())) {
      const int error = errno;
      return Failure(error, "cannot write", name_);
    }
    return StorageStatus::Ok();
  }

  StorageStatus Remove() override {
    if (unlinkat(folder_.get(), name_.c_str(), 0) != 0) {
      const int error = errno;
      return Failure(error, "cannot remove", name_);
    }
    return StorageStatus::Ok();
  }

 private:
  UniqueFd folder_;
  std::string name_;
  UniqueFd fd_;  // closing it drops the flock
};

}  // namespace

LockAttempt TryLockIn(int dirfd, const std::string& name) {
  LockAttempt attempt;
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    const int error = errno;
    attempt.status = Failure(error, "cannot open", name);
    return attempt;
  }
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    attempt.result = LockAttempt::Result::kBusy;
    attempt.file = std::make_unique<PosixLockFile>(UniqueFd(), name, std::move(fd));
    return attempt;
  }
  // The file may have been removed by its previous holder between our open and flock.
  struct stat held;
  struct stat named;
  if (fstat(fd.get(), &held) != 0 ||
      fstatat(dirfd, name.c_str(), &named, AT_SYMLINK_NOFOLLOW) != 0 ||
      held.st_ino != named.st_ino) {
    attempt.result = LockAttempt::Result::kLost;
    return attempt;
  }
  UniqueFd folder(fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!folder.valid()) {
    const int error = errno;
    attempt.status = Failure(error, "cannot keep the folder of", name);
    return attempt;
  }
  attempt.result = LockAttempt::Result::kTaken;
  attempt.file = std::make_unique<PosixLockFile>(std::move(folder), name, std::move(fd));
  return attempt;
}

std::unique_ptr<LockFile> OpenIfHeldIn(int dirfd, const std::string& name) {
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return nullptr;
  // A shared lock, dropped at once, is granted unless someone holds the exclusive one.
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    flock(fd.get(), LOCK_UN);
    return nullptr;
  }
  if (errno != EWOULDBLOCK) return nullptr;
  return std::make_unique<PosixLockFile>(UniqueFd(), name, std::move(fd));
}

}  // namespace regsweep
