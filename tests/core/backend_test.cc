// OpenBackend: the registry named by its rootdirectory or its v2 folder, a clear error for
// anything else, and one backend whose reader, storage and locks all reach the same tree.
#include "core/backend.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "core/run_lock.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::TempDir;

TEST(BackendTest, OpensTheRegistryByItsRootDirectoryOrItsV2Folder) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  builder.PushImage("lib/app", {"layer"});
  for (const boost::filesystem::path& root : {dir.path(), builder.v2()}) {
    std::string error;
    const std::unique_ptr<Backend> backend = OpenBackend(root.string(), &error);
    ASSERT_NE(backend, nullptr) << error;
    EXPECT_EQ(backend->location(), boost::filesystem::canonical(builder.v2()).string());
    EXPECT_TRUE(backend->root().valid());
  }
}

TEST(BackendTest, NamesThePlaceWhenThereIsNoRegistry) {
  TempDir dir;
  std::string error;
  EXPECT_EQ(OpenBackend(dir.path().string(), &error), nullptr);
  EXPECT_NE(error.find(dir.path().string()), std::string::npos) << error;
}

TEST(BackendTest, ItsReaderStorageAndLocksReachTheSameTree) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const testing::Blob image = builder.PushImage("lib/app", {"layer"});
  std::string error;
  const std::unique_ptr<Backend> backend = OpenBackend(dir.path().string(), &error);
  ASSERT_NE(backend, nullptr) << error;
  const std::string revision = distribution::RevisionDir("lib/app", image.digest);
  IoStatus status;
  EXPECT_TRUE(backend->reader().Stat(backend->root(), revision, &status).exists);
  ASSERT_TRUE(backend->storage().RemoveTree(revision).ok());
  EXPECT_FALSE(backend->reader().Stat(backend->root(), revision, &status).exists);
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(builder.Exists(revision));

  std::string cleared;
  std::optional<RunLock> lock =
      RunLock::Acquire(backend->locks(), backend->location(), false, &error, &cleared);
  ASSERT_TRUE(lock) << error;
  EXPECT_TRUE(builder.Exists(kLockFileName)) << "the lock file is in the v2 folder";
  EXPECT_TRUE(RunLock::LiveHolder(backend->locks()));
}

}  // namespace
}  // namespace regsweep
