// OpenSSL one-shot hashing.
#include "core/hash.h"

#include <openssl/sha.h>

namespace regsweep {

Digest HashBytes(DigestAlgorithm algorithm, std::string_view bytes) {
  unsigned char out[SHA512_DIGEST_LENGTH];
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (algorithm == DigestAlgorithm::kSha256) {
    SHA256(data, bytes.size(), out);
  } else {
    SHA512(data, bytes.size(), out);
  }
  return Digest::FromBytes(algorithm, out);
}

bool MatchesDigest(const Digest& digest, std::string_view bytes) {
  return HashBytes(digest.algorithm(), bytes) == digest;
}

}  // namespace regsweep
