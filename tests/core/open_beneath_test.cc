// Tests for OpenBeneath (core/fs.h), the one way regsweep opens a path below a folder: whatever
// the path, what opens is below the folder, and a symbolic link anywhere on the way is refused.
// A path without ".." is walked with RESOLVE_NO_SYMLINKS only; these cases check that it cannot
// leave the folder that way either.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "core/fs.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;

class OpenBeneathTest : public ::testing::Test {
 protected:
  OpenBeneathTest() {
    // <tmp>/outside/secret, and the folder under test <tmp>/inside with a file, a sub-folder
    // and links to the outside.
    fs::create_directories(dir_.path() / "outside");
    fs::create_directories(dir_.path() / "inside/sub");
    Write("outside/secret", "outside");
    Write("inside/file", "inside");
    Write("inside/sub/file", "sub");
    fs::create_directory_symlink("../outside", dir_.path() / "inside/dir-link");
    fs::create_symlink("../outside/secret", dir_.path() / "inside/file-link");
    fs::create_directory_symlink("..", dir_.path() / "inside/sub/up");
    inside_ = UniqueFd(open((dir_.path() / "inside").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_.path() / name, std::ios::binary) << bytes;
  }
  // The bytes of `relative` opened below inside/, or "errno N" when the open failed.
  std::string Open(const std::string& relative) {
    errno = 0;
    const UniqueFd fd = OpenBeneath(inside_.get(), relative, O_RDONLY);
    if (!fd.valid()) return "errno " + std::to_string(errno);
    char buffer[64];
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    return n < 0 ? "read failed" : std::string(buffer, static_cast<size_t>(n));
  }
  static std::string Errno(int error) { return "errno " + std::to_string(error); }

  testing::TempDir dir_;
  UniqueFd inside_;
};

TEST_F(OpenBeneathTest, PathsBelowTheFolderOpen) {
  ASSERT_TRUE(inside_.valid());
  EXPECT_EQ(Open("file"), "inside");
  EXPECT_EQ(Open("sub/file"), "sub");
}

TEST_F(OpenBeneathTest, DotDotNeverLeavesTheFolder) {
  EXPECT_EQ(Open("../outside/secret"), Errno(EXDEV));
  EXPECT_EQ(Open("sub/../../outside/secret"), Errno(EXDEV));
  EXPECT_EQ(Open(".."), Errno(EXDEV));
}

TEST_F(OpenBeneathTest, AbsolutePathsAreRefused) {
  EXPECT_EQ(Open((dir_.path() / "outside/secret").string()), Errno(EXDEV));
  EXPECT_EQ(Open("/"), Errno(EXDEV));
}

TEST_F(OpenBeneathTest, SymbolicLinksAreNeverFollowedAnywhereOnThePath) {
  EXPECT_EQ(Open("file-link"), Errno(ELOOP));        // the last component
  EXPECT_EQ(Open("dir-link/secret"), Errno(ELOOP));  // a folder on the way
  EXPECT_EQ(Open("sub/up/file"), Errno(ELOOP));      // a link to a folder that is inside
  EXPECT_EQ(Open("sub/up/../outside/secret"), Errno(ELOOP));
}

}  // namespace
}  // namespace regsweep
