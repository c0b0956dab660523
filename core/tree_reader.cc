// The real TreeReader: forwards to core/fs and turns errno into IoStatus.
#include "core/tree_reader.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "core/posix_blob_stream.h"

namespace regsweep {
namespace {

// Keeps the first `wanted` bytes of a stream.
class HeadSink final : public ChunkSink {
 public:
  HeadSink(size_t wanted, std::string* head) : wanted_(wanted), head_(head) {}
  void Begin() override { head_->clear(); }
  void Consume(const unsigned char* data, size_t size) override {
    const size_t take = std::min(size, wanted_ - std::min(wanted_, head_->size()));
    head_->append(reinterpret_cast<const char*>(data), take);
  }

 private:
  size_t wanted_;
  std::string* head_;
};

}  // namespace

SmallFile TreeReader::ReadHead(const Folder& at, std::string_view relative, size_t bytes) {
  SmallFile result;
  OpenedFacts facts;
  const std::unique_ptr<BlobStream> stream = OpenStream(at, relative, &facts);
  result.mtime_ns = facts.mtime_ns;
  result.status = facts.status;
  if (facts.status != ReadStatus::kOk) {
    result.error = facts.io.sys_error;
    return result;
  }
  HeadSink sink(bytes, &result.content);
  if (const IoStatus read = stream->ForEachChunk(sink); !read.ok()) {
    result.status = ReadStatus::kIoError;
    result.error = read.sys_error;
  }
  return result;
}

Folder PosixTreeReader::OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) {
  UniqueFd fd = OpenDirBeneath(at.fd(), relative);
  *status = fd.valid() ? IoStatus::Ok() : IoStatus::FromErrno(errno);
  return Folder(std::move(fd));
}

IoStatus PosixTreeReader::List(const Folder& folder, std::vector<DirEntry>* entries) {
  return ListDir(folder.fd(), entries) ? IoStatus::Ok() : IoStatus::FromErrno(errno);
}

SmallFile PosixTreeReader::ReadSmall(const Folder& at, std::string_view relative,
                                     size_t max_bytes) {
  return ReadSmallFile(at.fd(), relative, max_bytes);
}

SmallFile PosixTreeReader::ReadContent(const Folder& at, std::string_view relative,
                                       size_t max_bytes) {
  return ReadSmallFileContent(at.fd(), relative, max_bytes);
}

SmallFile PosixTreeReader::ReadHead(const Folder& at, std::string_view relative, size_t bytes) {
  return ReadFileHead(at.fd(), relative, bytes);
}

FileStat PosixTreeReader::Stat(const Folder& at, std::string_view relative, IoStatus* status) {
  int error = 0;
  FileStat stat = StatBeneath(at.fd(), relative, &error);
  *status = IoStatus::FromErrno(error);
  return stat;
}

FileStat PosixTreeReader::StatInChild(const Folder& at, std::string_view child,
                                      std::string_view name, IoStatus* status) {
  int error = 0;
  FileStat stat = StatInChildFolder(at.fd(), child, name, &error);
  *status = IoStatus::FromErrno(error);
  return stat;
}

std::unique_ptr<BlobStream> PosixTreeReader::OpenStream(const Folder& at, std::string_view relative,
                                                        OpenedFacts* facts) {
  return OpenPosixBlobStream(at.fd(), relative, facts);
}

IoStatus OpenAndList(TreeReader& reader, const Folder& at, std::string_view relative,
                     Folder* folder, std::vector<DirEntry>* entries) {
  IoStatus status;
  *folder = reader.OpenFolder(at, relative, &status);
  if (!folder->valid()) return status;
  return reader.List(*folder, entries);
}

TreeReader& DefaultTreeReader() {
  static PosixTreeReader reader;
  return reader;
}

Folder OpenRootFolder(const std::string& path, IoStatus* status) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  *status = fd.valid() ? IoStatus::Ok() : IoStatus::FromErrno(errno);
  return Folder(std::move(fd));
}

}  // namespace regsweep
