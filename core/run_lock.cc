// flock-based run lock with stale-lock detection, and the probe read-only commands use.
#include "core/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace regsweep {
namespace {

std::string ReadAll(int fd) {
  std::string content(512, '\0');
  const ssize_t n = pread(fd, content.data(), content.size(), 0);
  content.resize(n > 0 ? static_cast<size_t>(n) : 0);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\0')) {
    content.pop_back();
  }
  for (char& c : content) {
    if (c == '\n') c = ' ';
  }
  return content;
}

std::string OwnerLine() {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  char when[64];
  const time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "pid=" + std::to_string(getpid()) + " host=" + host + " started=" + when + "\n";
}

}  // namespace

std::optional<RunLock> RunLock::Acquire(int v2fd, const std::string& v2_path, bool break_stale,
                                        std::string* error, std::string* notice) {
  const std::string path = v2_path + "/" + kLockFileName;
  for (int attempt = 0; attempt < 5; ++attempt) {
    UniqueFd fd(openat(v2fd, kLockFileName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) {
      *error = "cannot open lock file " + path + ": " + std::strerror(errno);
      return std::nullopt;
    }
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      *error = "registry is locked by another regsweep run (" + ReadAll(fd.get()) + "): " + path;
      return std::nullopt;
    }
    // The file may have been removed by its previous owner between our open and flock.
    struct stat held;
    struct stat named;
    if (fstat(fd.get(), &held) != 0 ||
        fstatat(v2fd, kLockFileName, &named, AT_SYMLINK_NOFOLLOW) != 0 ||
        held.st_ino != named.st_ino) {
      continue;
    }
    const std::string previous = ReadAll(fd.get());
    if (!previous.empty()) {
      if (!break_stale) {
        *error = "stale lock " + path + " left by a run that did not finish (" + previous +
                 ", no longer running); run again with --break-lock to clear it";
        return std::nullopt;
      }
      *notice = "cleared stale lock " + path + " (" + previous + ")";
    }
    const std::string owner = OwnerLine();
    if (ftruncate(fd.get(), 0) != 0 ||
        pwrite(fd.get(), owner.data(), owner.size(), 0) != static_cast<ssize_t>(owner.size())) {
      *error = "cannot write lock file " + path + ": " + std::strerror(errno);
      return std::nullopt;
    }
    return RunLock(v2fd, std::move(fd));
  }
  *error = "could not take the lock " + path + " (it keeps changing)";
  return std::nullopt;
}

std::optional<std::string> RunLock::LiveHolder(int v2fd) {
  const UniqueFd fd(openat(v2fd, kLockFileName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  // A shared lock, dropped at once, is granted unless a run holds the exclusive one.
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    flock(fd.get(), LOCK_UN);
    return std::nullopt;
  }
  if (errno != EWOULDBLOCK) return std::nullopt;
  const std::string owner = ReadAll(fd.get());
  return owner.empty() ? std::string("a run that has not written its name yet") : owner;
}

RunLock::~RunLock() {
  if (fd_.valid()) unlinkat(v2fd_, kLockFileName, 0);
}

}  // namespace regsweep
