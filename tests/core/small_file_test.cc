// Tests for reading small files on the local filesystem (core/fs.h): ReadSmallFileContent, the
// read without an fstat that link files use, gives the same status and bytes as ReadSmallFile
// for every kind of entry a registry tree may hold, and never hangs on a FIFO.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "core/fs.h"
#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;

constexpr size_t kMaxBytes = 72;

class SmallFileTest : public ::testing::Test {
 protected:
  SmallFileTest() {
    IoStatus status;
    folder_ = OpenRootFolder(dir_.path().string(), &status);
  }
  void Write(const std::string& name, const std::string& bytes) {
    fs::create_directories(path(name).parent_path());
    std::ofstream(path(name).string(), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::path path(const std::string& name) const { return dir_.path() / name; }

  // Reads `name` both ways and checks that they agree; returns the content-only read.
  SmallFile ReadBothWays(const std::string& name) {
    const SmallFile whole = ReadSmallFile(folder_.fd(), name, kMaxBytes);
    SmallFile content = ReadSmallFileContent(folder_.fd(), name, kMaxBytes);
    EXPECT_EQ(content.status, whole.status) << name;
    EXPECT_EQ(content.content, whole.content) << name;
    EXPECT_EQ(DefaultTreeReader().ReadContent(folder_, name, kMaxBytes).content, whole.content);
    return content;
  }

  testing::TempDir dir_;
  Folder folder_;
};

TEST_F(SmallFileTest, RegularFilesOfEverySizeReadAsWhole) {
  const std::string link = "sha256:" + std::string(64, 'a');
  for (const std::string& bytes :
       {std::string(), std::string("x"), link, std::string(kMaxBytes, 'b')}) {
    Write("ab/link", bytes);
    const SmallFile file = ReadBothWays("ab/link");
    EXPECT_EQ(file.status, ReadStatus::kOk) << bytes.size();
    EXPECT_EQ(file.content, bytes);
  }
}

TEST_F(SmallFileTest, LongerThanTheLimitIsTooLarge) {
  Write("long", std::string(kMaxBytes + 1, 'c'));
  EXPECT_EQ(ReadBothWays("long").status, ReadStatus::kTooLarge);
  Write("much-longer", std::string(10 * kMaxBytes, 'c'));
  const SmallFile file = ReadBothWays("much-longer");
  EXPECT_EQ(file.status, ReadStatus::kTooLarge);
  EXPECT_TRUE(file.content.empty());
}

TEST_F(SmallFileTest, WhatIsNotARegularFileIsSaidSo) {
  fs::create_directories(path("folder/inner"));
  EXPECT_EQ(ReadBothWays("folder").status, ReadStatus::kNotRegular);
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  EXPECT_EQ(ReadBothWays("fifo").status, ReadStatus::kNotRegular);  // would hang if blocking
  Write("target", "sha256:" + std::string(64, 'd'));
  fs::create_symlink(path("target"), path("link"));
  EXPECT_EQ(ReadBothWays("link").status, ReadStatus::kSymlink);
  fs::create_directory_symlink(path("folder"), path("folder-link"));
  Write("folder/inner/link", "x");
  EXPECT_EQ(ReadBothWays("folder-link/inner/link").status, ReadStatus::kSymlink);
  EXPECT_EQ(ReadBothWays("absent").status, ReadStatus::kNotFound);
  EXPECT_EQ(ReadBothWays("folder/absent").status, ReadStatus::kNotFound);
}

TEST_F(SmallFileTest, ContentReadLeavesTheAgeUnasked) {
  Write("ab/link", "sha256:" + std::string(64, 'e'));
  EXPECT_NE(ReadSmallFile(folder_.fd(), "ab/link", kMaxBytes).mtime_ns, 0);
  EXPECT_EQ(ReadSmallFileContent(folder_.fd(), "ab/link", kMaxBytes).mtime_ns, 0);
}

}  // namespace
}  // namespace regsweep
