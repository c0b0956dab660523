// Tests for the run lock: exclusive, stale locks detected and cleared only on request.
#include "core/run_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/storage.h"
#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::TempDir;

TEST(LockTest, SecondRunIsRefusedWhileTheFirstHoldsTheLock) {
  TempDir dir;
  IoStatus status;
  const Folder folder = OpenRootFolder(dir.path().string(), &status);
  PosixStorage storage(folder);
  std::string error;
  std::string notice;
  {
    auto first = RunLock::Acquire(storage, dir.path().string(), false, &error, &notice);
    ASSERT_TRUE(first) << error;
    auto second = RunLock::Acquire(storage, dir.path().string(), true, &error, &notice);
    EXPECT_FALSE(second);
    EXPECT_NE(error.find("locked by another regsweep run"), std::string::npos) << error;
    EXPECT_NE(error.find("pid=" + std::to_string(getpid())), std::string::npos) << error;
  }
  EXPECT_FALSE(boost::filesystem::exists(dir.path() / kLockFileName)) << "released on exit";
  auto again = RunLock::Acquire(storage, dir.path().string(), false, &error, &notice);
  EXPECT_TRUE(again) << error;
}

TEST(LockTest, StaleLockIsNamedAndClearedOnlyWithBreakLock) {
  TempDir dir;
  IoStatus status;
  const Folder folder = OpenRootFolder(dir.path().string(), &status);
  PosixStorage storage(folder);
  std::ofstream(dir.path() / kLockFileName) << "pid=999999 host=old started=2024-01-01T00:00:00Z\n";
  std::string error;
  std::string notice;
  EXPECT_FALSE(RunLock::Acquire(storage, dir.path().string(), false, &error, &notice));
  EXPECT_NE(error.find("stale lock"), std::string::npos) << error;
  EXPECT_NE(error.find("pid=999999"), std::string::npos) << error;
  EXPECT_NE(error.find("--break-lock"), std::string::npos) << error;
  auto lock = RunLock::Acquire(storage, dir.path().string(), true, &error, &notice);
  ASSERT_TRUE(lock) << error;
  EXPECT_NE(notice.find("pid=999999"), std::string::npos) << notice;
}

TEST(LockTest, LiveHolderNamesARunningCollectionAndLeavesNoTrace) {
  TempDir dir;
  IoStatus status;
  const Folder folder = OpenRootFolder(dir.path().string(), &status);
  PosixStorage storage(folder);
  EXPECT_FALSE(RunLock::LiveHolder(storage)) << "no lock file";
  EXPECT_FALSE(boost::filesystem::exists(dir.path() / kLockFileName)) << "the probe creates none";
  std::string error;
  std::string notice;
  {
    auto lock = RunLock::Acquire(storage, dir.path().string(), false, &error, &notice);
    ASSERT_TRUE(lock) << error;
    const auto holder = RunLock::LiveHolder(storage);
    ASSERT_TRUE(holder);
    EXPECT_NE(holder->find("pid=" + std::to_string(getpid())), std::string::npos) << *holder;
    // The probe did not keep a lock: the holder still releases and a new run takes it.
  }
  auto next = RunLock::Acquire(storage, dir.path().string(), false, &error, &notice);
  ASSERT_TRUE(next) << error;
  next.reset();
  // A stale file (its run died) names no live holder.
  std::ofstream(dir.path() / kLockFileName) << "pid=999999 host=old started=2024-01-01T00:00:00Z\n";
  EXPECT_FALSE(RunLock::LiveHolder(storage));
}

}  // namespace
}  // namespace regsweep
