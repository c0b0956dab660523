// Hashing a range of an open file through a read-only memory mapping, for large blobs.
//
// read() copies every byte out of the page cache before OpenSSL sees it; hashing the mapped
// page cache pages directly skips that copy (about 12% more throughput on large layers, see
// docs/performance.md). A mapping has one hazard a read does not: if the file shrinks while it
// is mapped, touching a page past the new end raises SIGBUS, which would kill the process. So
// the hashing runs under a per-thread guard: a SIGBUS raised while this thread is hashing a
// mapping returns here as a failure, and the caller reads the file instead. A SIGBUS raised
// anywhere else keeps its default action.
#ifndef REGSWEEP_AUDIT_CHECK_MAPPED_DIGEST_H_
#define REGSWEEP_AUDIT_CHECK_MAPPED_DIGEST_H_

#include <openssl/evp.h>

#include <atomic>
#include <cstdint>

namespace regsweep::audit {

// Feeds bytes [0, length) of `fd` into `context`, a window at a time, adding each window's
// bytes to `progress` (when given). False when a window could not be mapped or the file shrank
// underneath (SIGBUS): `context` then holds a partial digest and must be started again.
bool DigestMappedFile(int fd, uint64_t length, EVP_MD_CTX* context,
                      std::atomic<uint64_t>* progress);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_MAPPED_DIGEST_H_
