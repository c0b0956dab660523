// Streaming hash of one blob's `data` file, for `audit --verify-data`.
//
// The file is opened through the read seam (TreeReader::OpenStream, below its open shard folder)
// and its bytes are fed, as the stream hands them over, into an OpenSSL EVP digest of the
// blob's own algorithm. How the bytes arrive is the reader's business: on the local filesystem
// a small blob costs one open, fstat, read and close and a large one is hashed straight from
// read-only mappings (core/posix_blob_stream.h). A stream that starts over restarts the digest.
#ifndef REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_
#define REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io_status.h"
#include "core/tree_reader.h"

namespace regsweep::audit {

struct BlobRead {
  ReadStatus status = ReadStatus::kIoError;  // kOk, kNotFound, kNotRegular, kSymlink, kIoError
  Digest hash;                               // what the bytes hash to (status kOk)
  uint64_t bytes = 0;                        // bytes read
  uint64_t inode = 0;
  uint64_t size = 0;       // the size when opened
  uint64_t allocated = 0;  // bytes allocated when opened (st_blocks * 512)
  int64_t mtime_ns = 0;
  IoStatus io;  // for kIoError: what failed (the open, the read, or the digest's set-up)
  // The open found a regular file (the facts above are its own), whatever became of the read.
  bool opened = false;
  // status kOk, but the file is larger than the caller's `defer_above`: nothing was read.
  bool deferred = false;
};

// Any size: HashBlobData's `defer_above` that never defers.
inline constexpr uint64_t kNeverDefer = UINT64_MAX;

// Hashes `data`, the data of blob `name` below `shard`, its blob folder (core/layout.h: on
// distribution's layout `<hex>/data` below blobs/<alg>/<xx>) opened by `reader`, with name's
// algorithm. Adds the bytes read to `progress` (when given) as it goes.
// A file larger than `defer_above` is only opened and examined: the result is `deferred`, so
// that a caller that learns sizes while hashing can still hash the large blobs last, largest
// first. A read that fails part way is kIoError: a part of a blob is never hashed as if whole.
BlobRead HashBlobData(TreeReader& reader, const Folder& shard, const std::string& data,
                      const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress);

// The hashing step as a value, so tests can simulate a flaky first read.
using BlobHashFunction = std::function<BlobRead(
    TreeReader& reader, const Folder& shard, const std::string& data, const Digest& name,
    uint64_t defer_above, std::atomic<uint64_t>* progress)>;

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_
