// Streaming a local file: mmap for large files, 1 MiB reads otherwise.
#include "core/posix_blob_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "core/mapped_file.h"

namespace regsweep {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;

class PosixBlobStream final : public BlobStream {
 public:
  PosixBlobStream(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}

  IoStatus ForEachChunk(ChunkSink& sink) override {
    sink.Begin();
    if (size_ > kReadChunk) {
      posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
      if (ConsumeMappedFile(fd_.get(), size_, sink)) return IoStatus::Ok();
      // The mapping failed or the file shrank underneath it: read it instead, from the start
      // (a mapping does not move the file offset).
      sink.Begin();
    }
    // One buffer per thread, kept, and only as large as the files it has read (plus the byte
    // that shows the end): a data check of small blobs runs as many threads as reads in
    // flight, and a MiB each would be most of its memory.
    thread_local std::vector<unsigned char> buffer;
    const size_t wanted = static_cast<size_t>(std::min<uint64_t>(size_ + 1, kReadChunk));
    if (buffer.size() < wanted)
      buffer.resize(std::max(wanted, std::min(2 * buffer.size(), kReadChunk)));
    uint64_t done = 0;
    while (true) {
      const ssize_t n = read(fd_.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoStatus::FromErrno(errno);
      if (n == 0) break;
      sink.Consume(buffer.data(), static_cast<size_t>(n));
      done += static_cast<uint64_t>(n);
      // A short read that reached the size fstat gave is the end: no read just to see 0.
      if (static_cast<size_t>(n) < buffer.size() && done >= size_) break;
    }
    return IoStatus::Ok();
  }

 private:
  UniqueFd fd_;
  uint64_t size_;  // st_size when opened
};

}  // namespace

std::unique_ptr<BlobStream> OpenPosixBlobStream(int dirfd, std::string_view relative,
                                                OpenedFacts* facts) {
  OpenedFile file = OpenRegularFile(dirfd, relative);
  facts->status = file.status;
  facts->io = IoStatus::FromErrno(file.error);
  facts->size = file.size;
  facts->allocated = file.allocated;
  facts->mtime_ns = file.mtime_ns;
  facts->inode = file.inode;
  if (file.status != ReadStatus::kOk) return nullptr;
  return std::make_unique<PosixBlobStream>(std::move(file.fd), file.size);
}

}  // namespace regsweep
