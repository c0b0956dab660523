// POSIX storage: removal beneath the root without following symbolic links.
#include "core/storage.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace regsweep {
namespace {

StorageStatus Failure(int error, const std::string& what, const std::string& path) {
  return StorageStatus{error, what + " " + path + ": " + std::strerror(error)};
}

// Removes everything inside the open folder `dir_fd`, depth first.
int RemoveContents(int dir_fd) {
  std::vector<DirEntry> entries;
  if (!ListDir(dir_fd, &entries)) return errno;
  for (const DirEntry& entry : entries) {
    if (entry.type == EntryType::kDirectory) {
      UniqueFd child(
          openat(dir_fd, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) {
        if (errno == ENOENT) continue;
        return errno;
      }
      if (const int error = RemoveContents(child.get())) return error;
      if (unlinkat(dir_fd, entry.name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return errno;
      }
    } else if (unlinkat(dir_fd, entry.name.c_str(), 0) != 0 && errno != ENOENT) {
      return errno;
    }
  }
  return 0;
}

// Opens the parent of `relative` and returns it with the last component.
UniqueFd OpenParent(int root_fd, const std::string& relative, std::string* last) {
  const size_t slash = relative.rfind('/');
  if (slash == std::string::npos) {
    *last = relative;
    return UniqueFd(fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  }
  *last = relative.substr(slash + 1);
  return OpenDirBeneath(root_fd, relative.substr(0, slash));
}

}  // namespace

StorageStatus PosixStorage::RemoveTree(const std::string& relative) {
  std::string last;
  UniqueFd parent = OpenParent(v2fd_, relative, &last);
  if (!parent.valid()) {
    return errno == ENOENT ? StorageStatus::Ok()
                           : Failure(errno, "cannot open parent of", relative);
  }
  if (last.empty() || last == "." || last == "..") return Failure(EINVAL, "refusing", relative);
  UniqueFd dir(openat(parent.get(), last.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT) return StorageStatus::Ok();
    if (errno != ENOTDIR && errno != ELOOP) return Failure(errno, "cannot open", relative);
    // A file or a symbolic link: remove the entry itself.
    if (unlinkat(parent.get(), last.c_str(), 0) != 0 && errno != ENOENT) {
      return Failure(errno, "cannot remove", relative);
    }
    return StorageStatus::Ok();
  }
  if (const int error = RemoveContents(dir.get())) {
    return Failure(error, "cannot empty", relative);
  }
  if (unlinkat(parent.get(), last.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return Failure(errno, "cannot remove", relative);
  }
  return StorageStatus::Ok();
}

StorageStatus PosixStorage::RemoveEmptyDir(const std::string& relative) {
  std::string last;
  UniqueFd parent = OpenParent(v2fd_, relative, &last);
  if (!parent.valid()) {
    return errno == ENOENT ? StorageStatus::Ok()
                           : Failure(errno, "cannot open parent of", relative);
  }
  if (unlinkat(parent.get(), last.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return Failure(errno, "cannot remove", relative);
  }
  return StorageStatus::Ok();
}

FileStat PosixStorage::Stat(const std::string& relative, int* error) {
  return StatBeneath(v2fd_, relative, error);
}

}  // namespace regsweep
