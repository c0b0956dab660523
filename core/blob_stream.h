// Streaming one file's bytes through the read seam, for hashing blob data: what opening the
// file found, and then every byte in order, a chunk at a time, handed to a sink.
//
// A TreeReader opens the stream (TreeReader::OpenStream) and says in OpenedFacts what is there.
// The caller hands a ChunkSink to ForEachChunk, which feeds it every byte once, in order:
//
//   OpenedFacts facts;
//   std::unique_ptr<BlobStream> stream = reader.OpenStream(shard, hex + "/data", &facts);
//   if (facts.status == ReadStatus::kOk) IoStatus read = stream->ForEachChunk(sink);
//
// The shape fits a local file, whose stream can hand over the pages of a read-only mapping with
// no copy (core/posix_blob_stream.h), and an object store, whose stream is one GET with each
// received buffer a chunk. A stream that has to start over (a mapped file that shrank; a
// dropped connection) tells the sink so by calling Begin() again.
#ifndef REGSWEEP_CORE_BLOB_STREAM_H_
#define REGSWEEP_CORE_BLOB_STREAM_H_

#include <cstddef>
#include <cstdint>

#include "core/fs.h"
#include "core/io_status.h"

namespace regsweep {

// What opening a file for streaming found. For kOk and kNotRegular the facts of the entry are
// filled in (as an lstat would give them); for the other statuses they are zero.
struct OpenedFacts {
  ReadStatus status = ReadStatus::kIoError;  // kOk, kNotFound, kSymlink, kNotRegular, kIoError
  IoStatus io;  // the open's own status: not ok for kNotFound, kSymlink and kIoError
  uint64_t size = 0;
  uint64_t allocated = 0;  // bytes the storage uses for it (st_blocks * 512)
  int64_t mtime_ns = 0;
  uint64_t inode = 0;  // 0 where the storage has none
};

// Receives the bytes of a stream.
//
// A stream may abandon a call to Consume whose bytes vanish while the sink reads them (a mapped
// file truncated underneath raises SIGBUS; core/mapped_file.h) and then start over with
// Begin(). So Consume must only read the bytes (hash them, copy them, count them), must not
// throw, and must not hold anything across its reading of the bytes that needs releasing.
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Called before the first chunk, and again whenever the stream starts over from the first
  // byte: forget every chunk consumed so far.
  virtual void Begin() = 0;
  // The next `size` bytes (size > 0), valid only during the call.
  virtual void Consume(const unsigned char* data, size_t size) = 0;
};

// An opened file's bytes. Used by one thread; call ForEachChunk once.
class BlobStream {
 public:
  virtual ~BlobStream() = default;
  // Feeds every byte of the file, in order, to `sink`, after a Begin(). Ok when the sink has
  // seen every byte exactly once since its last Begin() (the file's end was reached); otherwise
  // the read's failure, and what the sink saw is a part only.
  virtual IoStatus ForEachChunk(ChunkSink& sink) = 0;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_BLOB_STREAM_H_
