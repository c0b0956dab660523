// Tests for handing a file to a sink through mappings: what the sink gets equals the bytes
// across several windows, a file shorter than its mapping (it shrank while mapped) is a
// failure and not a SIGBUS, and a SIGBUS anywhere else still kills.
#include "core/mapped_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "core/fs.h"
#include "core/hash.h"
#include "tests/testing/hashing_sink.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::HashingSink;

// Bytes that differ at every position a window boundary could fall on.
std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 2654435761U) >> 13);
  return bytes;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path.string(), std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(MappedFileTest, SeveralWindowsHandOverExactlyTheBytes) {
  testing::TempDir dir;
  const std::string bytes = Pattern((size_t{40} << 20) + 12345);  // 2 full windows and a part
  const fs::path path = dir.path() / "data";
  WriteFile(path, bytes);
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  HashingSink sink;
  sink.Begin();
  ASSERT_TRUE(ConsumeMappedFile(fd.get(), bytes.size(), sink));
  EXPECT_EQ(sink.Finish(), HashBytes(DigestAlgorithm::kSha256, bytes));
  EXPECT_EQ(sink.bytes(), bytes.size());
  EXPECT_EQ(sink.chunks(), 3);
  EXPECT_EQ(sink.begins(), 1) << "ConsumeMappedFile never starts the sink over itself";
}

TEST(MappedFileTest, FileShorterThanItsMappingFailsInsteadOfRaisingSigbus) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "data";
  WriteFile(path, Pattern(size_t{20} << 20));
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  // As if another process truncated the blob after audit took its size.
  ASSERT_EQ(truncate(path.c_str(), off_t{4096} * 3), 0);
  HashingSink sink;
  sink.Begin();
  EXPECT_FALSE(ConsumeMappedFile(fd.get(), size_t{20} << 20, sink));
  // The guard is per call: the thread hands over the next mapping normally.
  const std::string bytes = Pattern(size_t{3} << 20);
  WriteFile(dir.path() / "other", bytes);
  const UniqueFd other(open((dir.path() / "other").c_str(), O_RDONLY | O_CLOEXEC));
  HashingSink fresh;
  fresh.Begin();
  ASSERT_TRUE(ConsumeMappedFile(other.get(), bytes.size(), fresh));
  EXPECT_EQ(fresh.Finish(), HashBytes(DigestAlgorithm::kSha256, bytes));
}

TEST(MappedFileTest, SigbusOutsideAGuardedMappingKeepsItsDefaultAction) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // TBB's threads may be running
  testing::TempDir dir;
  const fs::path path = dir.path() / "data";
  WriteFile(path, Pattern(size_t{2} << 20));
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  HashingSink sink;
  sink.Begin();
  ASSERT_TRUE(ConsumeMappedFile(fd.get(), size_t{2} << 20, sink));  // installs the handler
  EXPECT_EXIT(raise(SIGBUS), ::testing::KilledBySignal(SIGBUS), "");
}

}  // namespace
}  // namespace regsweep
