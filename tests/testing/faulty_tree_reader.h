// Test support: a TreeReader over the real filesystem that records every read and can disturb
// the k-th one, either by failing it with an errno (an unreadable disk, a denied permission) or
// by removing what it is about to read first, so that the read then sees a file or folder
// that vanished during the scan, as it would if something else deleted it at that moment.
#ifndef REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_
#define REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_

#include <unistd.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

#include "core/tree_reader.h"

namespace regsweep::testing {

class FaultyTreeReader : public TreeReader {
 public:
  enum class Mode { kFail, kVanish };

  // Disturbs the `fault_at`-th (1-based) read; 0 never does. `error` is used by kFail. Only a
  // reader that never disturbs records the reads (resolving each path costs a readlink).
  explicit FaultyTreeReader(int fault_at = 0, Mode mode = Mode::kFail, int error = EIO)
      : fault_at_(fault_at), mode_(mode), error_(error), record_(fault_at == 0) {}

  UniqueFd OpenDir(int dirfd, std::string_view relative) override {
    if (Disturb("open_dir", dirfd, relative)) {
      errno = error_;
      return UniqueFd();
    }
    return real_.OpenDir(dirfd, relative);
  }
  bool List(int dirfd, std::vector<DirEntry>* entries) override {
    if (Disturb("list", dirfd, "")) {
      errno = error_;
      return false;
    }
    return real_.List(dirfd, entries);
  }
  SmallFile ReadSmall(int dirfd, std::string_view relative, size_t max_bytes) override {
    if (Disturb("read", dirfd, relative)) {
      SmallFile failed;
      failed.status = ReadStatus::kIoError;
      failed.error = error_;
      return failed;
    }
    return real_.ReadSmall(dirfd, relative, max_bytes);
  }
  FileStat Stat(int dirfd, std::string_view relative, int* error) override {
    if (Disturb("stat", dirfd, relative)) {
      *error = error_;
      return FileStat();
    }
    return real_.Stat(dirfd, relative, error);
  }
  FileStat StatInChild(int dirfd, std::string_view child, std::string_view name,
                       int* error) override {
    const std::string relative = std::string(child) + "/" + std::string(name);
    if (Disturb("stat", dirfd, relative)) {
      *error = error_;
      return FileStat();
    }
    return real_.StatInChild(dirfd, child, name, error);
  }

  // "op path" of every read so far, in order (paths absolute); only when fault_at is 0.
  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // What kVanish removed (absolute); empty before the fault or when there was nothing there.
  std::string removed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return removed_;
  }

 private:
  // Records the read; returns true when it must fail (kFail at the chosen read). For kVanish
  // the target is removed here and the read then goes on to the real filesystem.
  bool Disturb(const char* op, int dirfd, std::string_view relative) {
    const int n = ++count_;
    if (n != fault_at_ && !record_) return false;
    std::string path = FolderOf(dirfd);
    if (!relative.empty()) path += "/" + std::string(relative);
    std::lock_guard<std::mutex> lock(mutex_);
    if (record_) calls_.push_back(std::string(op) + " " + path);
    if (n != fault_at_) return false;
    if (mode_ == Mode::kFail) return true;
    boost::system::error_code ignored;
    if (boost::filesystem::remove_all(path, ignored) > 0) removed_ = path;
    return false;
  }

  static std::string FolderOf(int dirfd) {
    char target[4096];
    const std::string proc = "/proc/self/fd/" + std::to_string(dirfd);
    const ssize_t n = readlink(proc.c_str(), target, sizeof target - 1);
    return n < 0 ? "<fd " + std::to_string(dirfd) + ">" : std::string(target, size_t(n));
  }

  PosixTreeReader real_;
  const int fault_at_;
  const Mode mode_;
  const int error_;
  const bool record_;
  std::atomic<int> count_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
  std::string removed_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_
