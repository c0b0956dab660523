// Tests for PosixStorage::Rename, the move behind `audit --quarantine`: it creates the folders
// on the way, never replaces what is there, never follows a symbolic link on either side and
// refuses paths that would leave their root.
#include "core/storage.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;

std::string Content(const fs::path& path) {
  std::ifstream file(path.string(), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), {});
}

class StorageRenameTest : public ::testing::Test {
 protected:
  StorageRenameTest() {
    fs::create_directories(root() / "blobs/sha256/ab/abcd");
    fs::create_directories(destination_path());
    std::ofstream((root() / "blobs/sha256/ab/abcd/data").string()) << "corrupt bytes";
    IoStatus status;
    root_ = OpenRootFolder(root().string(), &status);
    destination_ = OpenRootFolder(destination_path().string(), &status);
  }
  fs::path root() const { return dir_.path() / "v2"; }
  fs::path destination_path() const { return dir_.path() / "quarantine"; }

  testing::TempDir dir_;
  Folder root_;
  Folder destination_;
};

TEST_F(StorageRenameTest, MovesAFileCreatingTheFoldersOnTheWay) {
  PosixStorage storage(root_);
  const StorageStatus moved =
      storage.Rename("blobs/sha256/ab/abcd/data", destination_, "blobs/sha256/ab/abcd/data");
  ASSERT_TRUE(moved.ok()) << moved.message;
  EXPECT_FALSE(fs::exists(root() / "blobs/sha256/ab/abcd/data"));
  EXPECT_TRUE(fs::is_directory(root() / "blobs/sha256/ab/abcd")) << "only the file moves";
  EXPECT_EQ(Content(destination_path() / "blobs/sha256/ab/abcd/data"), "corrupt bytes");
}

TEST_F(StorageRenameTest, NeverReplacesWhatIsThere) {
  fs::create_directories(destination_path() / "blobs");
  std::ofstream((destination_path() / "blobs/data").string()) << "kept";
  PosixStorage storage(root_);
  const StorageStatus moved =
      storage.Rename("blobs/sha256/ab/abcd/data", destination_, "blobs/data");
  EXPECT_EQ(moved.error, EEXIST) << moved.message;
  EXPECT_EQ(Content(destination_path() / "blobs/data"), "kept");
  EXPECT_EQ(Content(root() / "blobs/sha256/ab/abcd/data"), "corrupt bytes");
}

TEST_F(StorageRenameTest, AMissingSourceIsAFailure) {
  PosixStorage storage(root_);
  EXPECT_EQ(storage.Rename("blobs/sha256/ab/abcd/gone", destination_, "gone").error, ENOENT);
  EXPECT_NE(storage.Rename("blobs/sha256/zz/zzzz/data", destination_, "gone").error, 0);
}

TEST_F(StorageRenameTest, RefusesPathsThatLeaveTheirRootAndSymbolicLinks) {
  fs::create_directories(dir_.path() / "outside");
  fs::create_directory_symlink(dir_.path() / "outside", destination_path() / "link");
  fs::create_directory_symlink(root() / "blobs/sha256/ab", root() / "blobs/sha256/cd");
  PosixStorage storage(root_);
  const std::string data = "blobs/sha256/ab/abcd/data";
  for (const std::string& to :
       {std::string("../outside/data"), std::string("/tmp/data"), std::string("link/data"),
        std::string("a/./data"), std::string("a//data"), std::string(""), std::string("a/..")}) {
    EXPECT_FALSE(storage.Rename(data, destination_, to).ok()) << to;
  }
  for (const std::string& from :
       {std::string("../v2/blobs/sha256/ab/abcd/data"), std::string("blobs/sha256/cd/abcd/data"),
        std::string("blobs/sha256/ab/abcd/.."), std::string("/etc/passwd")}) {
    EXPECT_FALSE(storage.Rename(from, destination_, "data").ok()) << from;
  }
  EXPECT_TRUE(fs::is_empty(dir_.path() / "outside"));
  EXPECT_EQ(Content(root() / data), "corrupt bytes");
}

TEST_F(StorageRenameTest, AnotherFilesystemIsReportedAsSuch) {
  testing::TempDir other(/*in_memory=*/true);
  struct stat here;
  struct stat there;
  ASSERT_EQ(stat(dir_.path().c_str(), &here), 0);
  ASSERT_EQ(stat(other.path().c_str(), &there), 0);
  if (here.st_dev == there.st_dev) GTEST_SKIP() << "no second filesystem";
  IoStatus status;
  const Folder elsewhere = OpenRootFolder(other.path().string(), &status);
  PosixStorage storage(root_);
  EXPECT_EQ(storage.Rename("blobs/sha256/ab/abcd/data", elsewhere, "data").error, EXDEV);
  EXPECT_EQ(Content(root() / "blobs/sha256/ab/abcd/data"), "corrupt bytes");
}

}  // namespace
}  // namespace regsweep
