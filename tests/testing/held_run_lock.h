// Test support: holds a tree's run lock the way a running `gc` does, for tests of what the
// other commands do meanwhile.
#ifndef REGSWEEP_TESTS_TESTING_HELD_RUN_LOCK_H_
#define REGSWEEP_TESTS_TESTING_HELD_RUN_LOCK_H_

#include <boost/filesystem.hpp>
#include <optional>
#include <string>

#include "core/run_lock.h"
#include "core/storage.h"
#include "core/tree_reader.h"

namespace regsweep::testing {

class HeldRunLock {
 public:
  // Takes the lock of the v2 folder `v2`; held() says whether that worked, error() why not.
  explicit HeldRunLock(const boost::filesystem::path& v2) {
    IoStatus status;
    const Folder folder = OpenRootFolder(v2.string(), &status);
    PosixStorage storage(folder);
    std::string notice;
    lock_ = RunLock::Acquire(storage, v2.string(), false, &error_, &notice);
  }
  bool held() const { return lock_.has_value(); }
  const std::string& error() const { return error_; }
  void Release() { lock_.reset(); }

 private:
  std::string error_;
  std::optional<RunLock> lock_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_HELD_RUN_LOCK_H_
