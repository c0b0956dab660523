// Streaming hash of one blob's `data` file, for `audit --verify-data`.
//
// The file is opened beneath its shard folder without following symbolic links and
// non-blocking, and checked to be a regular file before any read. A blob of up to 1 MiB is read
// into an OpenSSL EVP digest of its own algorithm; a short read that reaches the size fstat gave
// ends it, so a small blob costs one open, fstat, read and close. A larger one is hashed through
// a read-only mapping with no copy (audit/check/mapped_digest.h), and read in 1 MiB chunks
// instead when the mapping fails or the file shrinks while mapped.
#ifndef REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_
#define REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "core/digest.h"
#include "core/fs.h"

namespace regsweep::audit {

struct BlobRead {
  ReadStatus status = ReadStatus::kIoError;  // kOk, kNotFound, kNotRegular, kSymlink, kIoError
  Digest hash;                               // what the bytes hash to (status kOk)
  uint64_t bytes = 0;                        // bytes read
  uint64_t inode = 0;
  uint64_t size = 0;       // st_size when opened
  uint64_t allocated = 0;  // st_blocks * 512 when opened
  int64_t mtime_ns = 0;
  int error = 0;  // errno for kIoError
  // status kOk, but the file is larger than the caller's `defer_above`: nothing was read.
  bool deferred = false;
};

// Any size: HashBlobData's `defer_above` that never defers.
inline constexpr uint64_t kNeverDefer = UINT64_MAX;

// Hashes `<hex>/data` of `name` below `shard_fd`, its open shard folder (blobs/<alg>/<xx>), with
// name's algorithm. Adds the bytes read to `progress` (when given) as it goes. A file larger
// than `defer_above` is only opened and examined: the result is `deferred`, so that a caller
// that learns sizes while hashing can still hash the large blobs last, largest first.
BlobRead HashBlobData(int shard_fd, const Digest& name, uint64_t defer_above,
                      std::atomic<uint64_t>* progress);

// The hashing step as a value, so tests can simulate a flaky first read.
using BlobHashFunction = std::function<BlobRead(
    int shard_fd, const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress)>;

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_
