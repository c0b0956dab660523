// The default batch removal, and POSIX storage: removal and moves beneath the root without
// following symbolic links, and the run lock's files.
#include "core/storage.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/posix_lock_file.h"

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

// A name that may be a component of a path: not empty, not "." or "..", no slash.
bool IsComponent(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

// Opens (creating as needed) the folder `relative` below `base`, one component at a time, never
// following a symbolic link; an empty `relative` is `base` itself. Invalid with errno on
// failure (EINVAL for a component that is empty, "." or "..").
UniqueFd MakeFolders(int base, const std::string& relative) {
  UniqueFd current(fcntl(base, F_DUPFD_CLOEXEC, 0));
  if (relative.empty()) return current;
  size_t start = 0;
  while (current.valid()) {
    const size_t slash = relative.find('/', start);
    const std::string component =
        relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!IsComponent(component)) {
      errno = EINVAL;
      return UniqueFd();
    }
    if (mkdirat(current.get(), component.c_str(), 0755) != 0 && errno != EEXIST) return UniqueFd();
    current = OpenDirBeneath(current.get(), component);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return current;
}

}  // namespace

std::vector<StorageStatus> Storage::RemoveTrees(const std::vector<std::string>& batch,
                                                const std::function<void()>& removed) {
  std::vector<StorageStatus> statuses(batch.size());
  tbb::parallel_for(size_t{0}, batch.size(), [&](size_t i) {
    statuses[i] = RemoveTree(batch[i]);
    if (removed) removed();
  });
  return statuses;
}

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

StorageStatus PosixStorage::Rename(const std::string& relative, const Folder& destination,
                                   const std::string& to) {
  std::string last;
  const UniqueFd source = OpenParent(v2fd_, relative, &last);
  if (!source.valid()) {
    const int error = errno;
    return Failure(error, "cannot open parent of", relative);
  }
  if (!IsComponent(last)) return Failure(EINVAL, "refusing", relative);
  const size_t slash = to.rfind('/');
  const std::string target_name = slash == std::string::npos ? to : to.substr(slash + 1);
  if (!IsComponent(target_name)) return Failure(EINVAL, "refusing to move to", to);
  const UniqueFd target =
      MakeFolders(destination.fd(), slash == std::string::npos ? "" : to.substr(0, slash));
  if (!target.valid()) {
    const int error = errno;
    return Failure(error, "cannot create the folders of", to);
  }
  if (renameat2(source.get(), last.c_str(), target.get(), target_name.c_str(), RENAME_NOREPLACE) !=
      0) {
    const int error = errno;
    return Failure(error, "cannot move", relative);
  }
  return StorageStatus::Ok();
}

LockAttempt PosixStorage::TryLock(const std::string& name) { return TryLockIn(v2fd_, name); }

std::unique_ptr<LockFile> PosixStorage::OpenIfHeld(const std::string& name) {
  return OpenIfHeldIn(v2fd_, name);
}

}  // namespace regsweep
