// Content hashing with OpenSSL (sha256 and sha512), for checking manifests and blobs against
// their digests.
#ifndef REGSWEEP_CORE_HASH_H_
#define REGSWEEP_CORE_HASH_H_

#include <string_view>

#include "core/digest.h"

namespace regsweep {

// Digest of `bytes` with `algorithm`.
Digest HashBytes(DigestAlgorithm algorithm, std::string_view bytes);

// True when `bytes` hash to `digest`.
bool MatchesDigest(const Digest& digest, std::string_view bytes);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_HASH_H_
