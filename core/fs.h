// Thin, safe wrappers over the POSIX calls the scanner and the storage use.
//
// Every path handed to these functions is relative to an open directory and is resolved
// without following any symbolic link and without leaving that directory (openat2 with
// RESOLVE_NO_SYMLINKS, and RESOLVE_BENEATH when the path holds "..", or a component-by-component
// O_NOFOLLOW walk where the kernel lacks openat2). Files are opened non-blocking, so a FIFO in
// place of a file never hangs a run, and only regular files are ever read.
#ifndef REGSWEEP_CORE_FS_H_
#define REGSWEEP_CORE_FS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regsweep {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

enum class EntryType : uint8_t { kRegular, kDirectory, kSymlink, kOther };

struct DirEntry {
  std::string name;
  EntryType type;
};

// Opens `relative` beneath `dirfd` (never following symlinks). Returns an invalid fd and sets
// errno on failure (ELOOP or EXDEV when a symlink or an escape was refused).
UniqueFd OpenBeneath(int dirfd, std::string_view relative, int flags);
// Opens a directory beneath `dirfd` for listing and further *at calls. errno is ELOOP when
// `relative` or a folder on the way to it is a symbolic link.
UniqueFd OpenDirBeneath(int dirfd, std::string_view relative);

// Lists a directory (without "." and ".."), types from d_type or lstat when unknown.
// Returns false and sets errno on failure. Rewinds `dirfd` first, so it may be listed again.
bool ListDir(int dirfd, std::vector<DirEntry>* entries);

// Result of reading a small file that must be a regular file.
enum class ReadStatus { kOk, kNotFound, kNotRegular, kSymlink, kTooLarge, kIoError };

struct SmallFile {
  ReadStatus status = ReadStatus::kIoError;
  std::string content;
  int64_t mtime_ns = 0;
  int error = 0;  // errno for kIoError
};

// A regular file opened for reading (never a FIFO, device or symlink), with its fstat.
struct OpenedFile {
  ReadStatus status = ReadStatus::kIoError;  // kOk, kNotFound, kSymlink, kNotRegular, kIoError
  UniqueFd fd;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  uint64_t allocated = 0;  // st_blocks * 512
  int error = 0;           // errno for kIoError
};

// Opens `name` beneath `dirfd` (non-blocking, so a FIFO cannot hang) and checks that it is a
// regular file before anyone reads it.
OpenedFile OpenRegularFile(int dirfd, std::string_view name);

// Reads `name` beneath `dirfd` if it is a regular file of at most `max_bytes` bytes.
SmallFile ReadSmallFile(int dirfd, std::string_view name, size_t max_bytes);
// Reads the first `bytes` bytes (or all, when shorter) of `name` beneath `dirfd` if it is a
// regular file.
SmallFile ReadFileHead(int dirfd, std::string_view name, size_t bytes);
// Reads `name` beneath `dirfd` without an fstat: one read of up to max_bytes + 1 bytes, a short
// one taken as the end. When that read yields 1 to max_bytes bytes they are the content (kOk,
// mtime_ns 0), even from a FIFO or device, so this is for callers that parse and reject
// anything but what they expect (link files). Anything else is ReadSmallFile's result.
SmallFile ReadSmallFileContent(int dirfd, std::string_view name, size_t max_bytes);

std::string_view ReadStatusText(ReadStatus status);

struct FileStat {
  bool exists = false;
  EntryType type = EntryType::kOther;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  uint64_t allocated = 0;  // st_blocks * 512
};

// lstat of `relative` beneath `dirfd`. exists=false when absent; errno set on other errors
// (and the return value's exists=false).
FileStat StatBeneath(int dirfd, std::string_view relative, int* error);

// lstat of `<child>/<name>` beneath `dirfd` in one fstatat, for a `child` the caller has just
// listed as a directory of `dirfd` (so no symbolic link is followed). As StatBeneath otherwise.
FileStat StatInChildFolder(int dirfd, std::string_view child, std::string_view name, int* error);

// Current wall-clock time in nanoseconds since the epoch.
int64_t NowNs();

}  // namespace regsweep

#endif  // REGSWEEP_CORE_FS_H_
