// Test support: a Storage that forwards to a real one, records every call, and can fail the
// k-th mutating call (removal or move) with a chosen errno (the seam ninja's DiskInterface
// provides for clean).
#ifndef REGSWEEP_TESTS_TESTING_FAULTY_STORAGE_H_
#define REGSWEEP_TESTS_TESTING_FAULTY_STORAGE_H_

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/storage.h"

namespace regsweep::testing {

class FaultyStorage : public Storage {
 public:
  // Fails the `fail_at`-th (1-based) RemoveTree/RemoveEmptyDir/Rename call with `error`; 0
  // never fails.
  FaultyStorage(Storage& real, int fail_at = 0, int error = 5 /* EIO */)
      : real_(real), fail_at_(fail_at), error_(error) {}

  StorageStatus RemoveTree(const std::string& relative) override {
    if (const auto status = MaybeFail("remove_tree", relative)) return *status;
    return real_.RemoveTree(relative);
  }
  StorageStatus RemoveEmptyDir(const std::string& relative) override {
    if (const auto status = MaybeFail("remove_empty_dir", relative)) return *status;
    return real_.RemoveEmptyDir(relative);
  }
  FileStat Stat(const std::string& relative, int* error) override {
    return real_.Stat(relative, error);
  }
  StorageStatus Rename(const std::string& relative, const Folder& destination,
                       const std::string& to) override {
    if (const auto status = MaybeFail("rename", relative)) return *status;
    return real_.Rename(relative, destination, to);
  }

  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  std::optional<StorageStatus> MaybeFail(const char* op, const std::string& relative) {
    const int n = ++count_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(std::string(op) + " " + relative);
    }
    if (n == fail_at_) return StorageStatus{error_, std::string("injected failure on ") + relative};
    return std::nullopt;
  }

  Storage& real_;
  const int fail_at_;
  const int error_;
  std::atomic<int> count_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_FAULTY_STORAGE_H_
