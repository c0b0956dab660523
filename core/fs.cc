// POSIX implementation of the safe file access primitives.
#include "core/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace regsweep {
namespace {

int64_t ToNs(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

EntryType TypeFromMode(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::kRegular;
  if (S_ISDIR(mode)) return EntryType::kDirectory;
  if (S_ISLNK(mode)) return EntryType::kSymlink;
  return EntryType::kOther;
}

// openat2 is available from Linux 5.6; remember when it is not.
std::atomic<bool> g_openat2_missing{false};

// A relative path that holds no ".." and follows no symbolic link only descends: each of its
// components is a name below the folder reached so far (or "."), so RESOLVE_NO_SYMLINKS alone
// keeps it below `dirfd`. RESOLVE_BENEATH, whose end-of-walk check costs about 5% of an open of
// a link file, is added for a path that holds "..", where it is what refuses an escape.
// (OpenBeneath has refused absolute paths already.)
int OpenWithOpenat2(int dirfd, std::string_view path, int flags) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  if (path.find("..") != std::string_view::npos) how.resolve |= RESOLVE_BENEATH;
  // The path needs a terminating NUL: copied to the stack when short (every registry path
  // below an open folder is), to the heap otherwise.
  char stack[256];
  std::string heap;
  const char* terminated = stack;
  if (path.size() < sizeof stack) {
    std::memcpy(stack, path.data(), path.size());
    stack[path.size()] = '\0';
  } else {
    heap.assign(path);
    terminated = heap.c_str();
  }
  return static_cast<int>(syscall(SYS_openat2, dirfd, terminated, &how, sizeof how));
}

// Fallback: walk one component at a time with O_NOFOLLOW.
int OpenByComponents(int dirfd, std::string_view path, int flags) {
  UniqueFd current;
  int base = dirfd;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string component(path.substr(start, slash - start));
    if (component.empty() || component == "." || component == "..") {
      errno = EXDEV;
      return -1;
    }
    if (slash == std::string_view::npos) {
      return openat(base, component.c_str(), flags | O_NOFOLLOW);
    }
    UniqueFd next(openat(base, component.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return -1;
    current = std::move(next);
    base = current.get();
    start = slash + 1;
  }
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

UniqueFd OpenBeneath(int dirfd, std::string_view relative, int flags) {
  flags |= O_CLOEXEC | O_NOFOLLOW;
  if (relative.empty() || relative.front() == '/') {
    errno = EXDEV;
    return UniqueFd();
  }
  if (!g_openat2_missing) {
    const int fd = OpenWithOpenat2(dirfd, relative, flags);
    if (fd >= 0 || errno != ENOSYS) return UniqueFd(fd);
    g_openat2_missing = true;
  }
  return UniqueFd(OpenByComponents(dirfd, relative, flags));
}

UniqueFd OpenDirBeneath(int dirfd, std::string_view relative) {
  UniqueFd dir = OpenBeneath(dirfd, relative, O_RDONLY | O_DIRECTORY);
  if (dir.valid() || errno != ENOTDIR) return dir;
  // O_NOFOLLOW | O_DIRECTORY on a symbolic link says ENOTDIR: tell the caller it was a link.
  // (Only the entry's metadata is looked at; a link met earlier on the path has failed the open
  // with ELOOP already.)
  struct stat st;
  const std::string path(relative);
  if (fstatat(dirfd, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    errno = ELOOP;
  } else {
    errno = ENOTDIR;
  }
  return dir;
}

bool ListDir(int dirfd, std::vector<DirEntry>* entries) {
  entries->clear();
  // getdents64 straight into a stack buffer: no dup, no DIR*, one syscall per 32 KiB of names.
  if (lseek(dirfd, 0, SEEK_SET) != 0) return false;
  alignas(8) char buffer[32 * 1024];
  while (true) {
    const long n = syscall(SYS_getdents64, dirfd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    for (long offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      EntryType type;
      switch (entry->d_type) {
        case DT_REG:
          type = EntryType::kRegular;
          break;
        case DT_DIR:
          type = EntryType::kDirectory;
          break;
        case DT_LNK:
          type = EntryType::kSymlink;
          break;
        case DT_UNKNOWN: {
          struct stat st;
          type = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? TypeFromMode(st.st_mode)
                                                                     : EntryType::kOther;
          break;
        }
        default:
          type = EntryType::kOther;
      }
      entries->push_back(DirEntry{name, type});
    }
  }
}

OpenedFile OpenRegularFile(int dirfd, std::string_view name) {
  OpenedFile file;
  file.fd = OpenBeneath(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!file.fd.valid()) {
    file.error = errno;
    file.status = errno == ENOENT  ? ReadStatus::kNotFound
                  : errno == ELOOP ? ReadStatus::kSymlink
                                   : ReadStatus::kIoError;
    return file;
  }
  struct stat st;
  if (fstat(file.fd.get(), &st) != 0) {
    file.error = errno;
    return file;
  }
  file.mtime_ns = ToNs(st.st_mtim);
  file.inode = st.st_ino;
  file.size = static_cast<uint64_t>(st.st_size);
  file.allocated = static_cast<uint64_t>(st.st_blocks) * 512;
  file.status = S_ISREG(st.st_mode) ? ReadStatus::kOk : ReadStatus::kNotRegular;
  return file;
}

namespace {

// Opens `name` beneath `dirfd` and reads its first `bytes` bytes (all of it when it is shorter),
// or, with `whole_only`, all of it or nothing (kTooLarge) when it is longer than `bytes`.
SmallFile ReadRegularFile(int dirfd, std::string_view name, size_t bytes, bool whole_only) {
  SmallFile result;
  const OpenedFile file = OpenRegularFile(dirfd, name);
  result.mtime_ns = file.mtime_ns;
  result.error = file.error;
  if (file.status != ReadStatus::kOk) {
    result.status = file.status;
    return result;
  }
  if (whole_only && file.size > bytes) {
    result.status = ReadStatus::kTooLarge;
    return result;
  }
  const UniqueFd& fd = file.fd;
  result.content.resize(static_cast<size_t>(std::min<uint64_t>(file.size, bytes)));
  size_t done = 0;
  while (done < result.content.size()) {
    const ssize_t n = read(fd.get(), result.content.data() + done, result.content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = errno;
      return result;
    }
    if (n == 0) break;  // shrank while reading
    done += static_cast<size_t>(n);
  }
  result.content.resize(done);
  result.status = ReadStatus::kOk;
  return result;
}

}  // namespace

SmallFile ReadSmallFile(int dirfd, std::string_view name, size_t max_bytes) {
  return ReadRegularFile(dirfd, name, max_bytes, /*whole_only=*/true);
}

SmallFile ReadFileHead(int dirfd, std::string_view name, size_t bytes) {
  return ReadRegularFile(dirfd, name, bytes, /*whole_only=*/false);
}

SmallFile ReadSmallFileContent(int dirfd, std::string_view name, size_t max_bytes) {
  const UniqueFd fd = OpenBeneath(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd.valid()) {
    SmallFile result;
    result.content.resize(max_bytes + 1);
    ssize_t n;
    do {
      n = read(fd.get(), result.content.data(), result.content.size());
    } while (n < 0 && errno == EINTR);
    if (n > 0 && static_cast<size_t>(n) <= max_bytes) {
      result.content.resize(static_cast<size_t>(n));
      result.status = ReadStatus::kOk;
      return result;
    }
  }
  // Missing, empty, too long, not a regular file, unreadable: the typed read says which (rare,
  // so opening again costs nothing that matters).
  return ReadSmallFile(dirfd, name, max_bytes);
}

std::string_view ReadStatusText(ReadStatus status) {
  switch (status) {
    case ReadStatus::kOk:
      return "ok";
    case ReadStatus::kNotFound:
      return "missing";
    case ReadStatus::kNotRegular:
      return "not a regular file";
    case ReadStatus::kSymlink:
      return "a symbolic link (never followed)";
    case ReadStatus::kTooLarge:
      return "too large";
    case ReadStatus::kIoError:
      return "unreadable";
  }
  return "unreadable";
}

namespace {

// fstatat without following the last component; *error is errno unless the entry is absent.
FileStat StatAt(int dirfd, const char* relative, int* error) {
  FileStat result;
  struct stat st;
  if (fstatat(dirfd, relative, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) *error = errno;
    return result;
  }
  result.exists = true;
  result.type = TypeFromMode(st.st_mode);
  result.size = static_cast<uint64_t>(st.st_size);
  result.mtime_ns = ToNs(st.st_mtim);
  result.inode = st.st_ino;
  result.allocated = static_cast<uint64_t>(st.st_blocks) * 512;
  return result;
}

}  // namespace

FileStat StatBeneath(int dirfd, std::string_view relative, int* error) {
  FileStat result;
  *error = 0;
  // Open the parent safely, then lstat the last component relative to it.
  const size_t slash = relative.rfind('/');
  UniqueFd parent;
  int base = dirfd;
  std::string last(relative);
  if (slash != std::string_view::npos) {
    parent = OpenDirBeneath(dirfd, relative.substr(0, slash));
    if (!parent.valid()) {
      if (errno != ENOENT) *error = errno;
      return result;
    }
    base = parent.get();
    last = std::string(relative.substr(slash + 1));
  }
  return StatAt(base, last.c_str(), error);
}

FileStat StatInChildFolder(int dirfd, std::string_view child, std::string_view name, int* error) {
  *error = 0;
  std::string path(child);
  path += '/';
  path += name;
  return StatAt(dirfd, path.c_str(), error);
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace regsweep
