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
  uint64_t size = 0;  // st_size when opened
  int64_t mtime_ns = 0;
  int error = 0;  // errno for kIoError
};

// Hashes `<hex>/data` of `name` below `shard_fd`, its open shard folder (blobs/<alg>/<xx>), with
// name's algorithm. Adds the bytes read to `progress` (when given) as it goes.
BlobRead HashBlobData(int shard_fd, const Digest& name, std::atomic<uint64_t>* progress);

// The hashing step as a value, so tests can simulate a flaky first read.
using BlobHashFunction =
    std::function<BlobRead(int shard_fd, const Digest& name, std::atomic<uint64_t>* progress)>;

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_BLOB_HASHER_H_
