// Tests for streaming a file through the local filesystem's reader (TreeReader::OpenStream):
// small files by read, large ones by mapping, both exactly the bytes; a large file that shrinks
// while mapped is read again from the start instead of killing the process; what is not a
// regular file is described and never read. ReadHead reads a file's first bytes.
#include "core/posix_blob_stream.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "core/hash.h"
#include "core/latency_tree_reader.h"
#include "core/tree_reader.h"
#include "tests/testing/hashing_sink.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::HashingSink;

std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 2654435761U) >> 13);
  return bytes;
}

class PosixBlobStreamTest : public ::testing::Test {
 protected:
  PosixBlobStreamTest() {
    IoStatus status;
    folder_ = OpenRootFolder(dir_.path().string(), &status);
  }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(path(name).string(), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::path path(const std::string& name) const { return dir_.path() / name; }
  std::unique_ptr<BlobStream> Open(const std::string& name, OpenedFacts* facts) {
    return DefaultTreeReader().OpenStream(folder_, name, facts);
  }

  testing::TempDir dir_;
  Folder folder_;
};

TEST_F(PosixBlobStreamTest, SmallAndLargeFilesStreamExactlyTheirBytes) {
  // Growing sizes, so that the thread's read buffer grows between files, then smaller ones.
  for (const size_t size :
       {size_t{0}, size_t{1}, size_t{100}, size_t{5000}, size_t{300000}, size_t{1} << 20,
        (size_t{1} << 20) + 1, (size_t{17} << 20) + 3, size_t{4096}, size_t{777777}}) {
    const std::string bytes = Pattern(size);
    Write("data", bytes);
    OpenedFacts facts;
    const std::unique_ptr<BlobStream> stream = Open("data", &facts);
    ASSERT_EQ(facts.status, ReadStatus::kOk) << size;
    ASSERT_NE(stream, nullptr);
    struct stat st;
    ASSERT_EQ(stat(path("data").c_str(), &st), 0);
    EXPECT_EQ(facts.size, size);
    EXPECT_EQ(facts.inode, st.st_ino);
    EXPECT_TRUE(facts.io.ok());
    HashingSink sink;
    EXPECT_TRUE(stream->ForEachChunk(sink).ok()) << size;
    EXPECT_EQ(sink.begins(), 1) << size;
    EXPECT_EQ(sink.bytes(), size);
    EXPECT_EQ(sink.Finish(), HashBytes(DigestAlgorithm::kSha256, bytes)) << size;
    fs::remove(path("data"));  // a new inode each time
  }
}

TEST_F(PosixBlobStreamTest, SmallFileThatGrowsAfterOpeningIsReadToItsEnd) {
  const std::string bytes = Pattern(200000);
  Write("data", bytes.substr(0, 10));
  OpenedFacts facts;
  const std::unique_ptr<BlobStream> stream = Open("data", &facts);
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(facts.size, 10U);
  Write("data", bytes);  // the same inode, now longer than when it was opened
  HashingSink sink;
  EXPECT_TRUE(stream->ForEachChunk(sink).ok());
  EXPECT_EQ(sink.bytes(), bytes.size());
  EXPECT_EQ(sink.Finish(), HashBytes(DigestAlgorithm::kSha256, bytes));
}

TEST_F(PosixBlobStreamTest, LargeFileThatShrinksWhileMappedIsReadAgainFromTheStart) {
  const std::string bytes = Pattern(size_t{20} << 20);
  Write("data", bytes);
  OpenedFacts facts;
  const std::unique_ptr<BlobStream> stream = Open("data", &facts);
  ASSERT_NE(stream, nullptr);
  const std::string file = path("data").string();
  HashingSink sink;
  // Something else truncates the blob while its first window is being hashed: the rest of the
  // window is gone (SIGBUS), and the stream starts over with read().
  sink.before_first_chunk = [&file] { ASSERT_EQ(truncate(file.c_str(), off_t{4096} * 3), 0); };
  EXPECT_TRUE(stream->ForEachChunk(sink).ok());
  EXPECT_EQ(sink.begins(), 2) << "started over";
  EXPECT_EQ(sink.bytes(), size_t{4096} * 3);
  EXPECT_EQ(sink.Finish(), HashBytes(DigestAlgorithm::kSha256, bytes.substr(0, size_t{4096} * 3)));
}

TEST_F(PosixBlobStreamTest, WhatIsNotARegularFileIsDescribedAndNeverRead) {
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  fs::create_directory(path("folder"));
  Write("target", "bytes");
  fs::create_symlink(path("target"), path("link"));
  OpenedFacts facts;
  EXPECT_EQ(Open("fifo", &facts), nullptr) << "opening a FIFO does not block";
  EXPECT_EQ(facts.status, ReadStatus::kNotRegular);
  EXPECT_EQ(Open("folder", &facts), nullptr);
  EXPECT_EQ(facts.status, ReadStatus::kNotRegular);
  EXPECT_EQ(Open("link", &facts), nullptr);
  EXPECT_EQ(facts.status, ReadStatus::kSymlink);
  EXPECT_EQ(facts.io.code, IoCode::kSymlink);
  EXPECT_EQ(Open("missing", &facts), nullptr);
  EXPECT_EQ(facts.status, ReadStatus::kNotFound);
  EXPECT_EQ(facts.io.code, IoCode::kNotFound);
}

// The head of a file: the local filesystem's own read, and the default that any reader gets
// by streaming (the latency decorator does not override ReadHead, so it streams).
TEST_F(PosixBlobStreamTest, ReadHeadGivesTheFirstBytesOrTheWholeShorterFile) {
  LatencyTreeReader streaming(DefaultTreeReader(), std::chrono::microseconds(0));
  const std::string bytes = Pattern((size_t{2} << 20) + 5);
  Write("data", bytes);
  for (TreeReader* reader : {&DefaultTreeReader(), static_cast<TreeReader*>(&streaming)}) {
    const SmallFile head = reader->ReadHead(folder_, "data", 512);
    ASSERT_EQ(head.status, ReadStatus::kOk);
    EXPECT_EQ(head.content, bytes.substr(0, 512));
    const SmallFile whole = reader->ReadHead(folder_, "data", bytes.size() + 100);
    ASSERT_EQ(whole.status, ReadStatus::kOk);
    EXPECT_EQ(whole.content, bytes);
    EXPECT_EQ(reader->ReadHead(folder_, "absent", 512).status, ReadStatus::kNotFound);
    ASSERT_EQ(symlink(path("data").c_str(), path("link").c_str()), 0);
    EXPECT_EQ(reader->ReadHead(folder_, "link", 512).status, ReadStatus::kSymlink);
    fs::remove(path("link"));
  }
}

}  // namespace
}  // namespace regsweep
