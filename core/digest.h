// Content digests as registries name them ("sha256:<64 hex>", "sha512:<128 hex>").
//
// A Digest holds the algorithm and the raw hash bytes (32 or 64), never the hex text, so that
// millions of them stay compact, compare with memcmp and hash cheaply. Parsing is strict: only
// the OCI-registered algorithms sha256 and sha512 with lower-case hex are accepted, which is
// also what makes a digest safe to turn back into a path component.
#ifndef REGSWEEP_CORE_DIGEST_H_
#define REGSWEEP_CORE_DIGEST_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace regsweep {

enum class DigestAlgorithm : uint8_t { kSha256, kSha512 };

// Name as used in digests and paths ("sha256").
std::string_view AlgorithmName(DigestAlgorithm algorithm);
// Parses "sha256" or "sha512"; anything else is nullopt.
std::optional<DigestAlgorithm> ParseAlgorithmName(std::string_view name);
// Number of raw hash bytes (32 or 64).
size_t AlgorithmBytes(DigestAlgorithm algorithm);

class Digest {
 public:
  Digest() = default;

  // Parses "<alg>:<hex>". Returns nullopt and sets *why (when given) for anything else.
  static std::optional<Digest> Parse(std::string_view text, std::string* why = nullptr);
  // Parses the hex part alone, for the given algorithm (as found in a path component).
  static std::optional<Digest> FromHex(DigestAlgorithm algorithm, std::string_view hex,
                                       std::string* why = nullptr);
  // Wraps raw hash bytes (size must equal AlgorithmBytes(algorithm)).
  static Digest FromBytes(DigestAlgorithm algorithm, const uint8_t* bytes);

  DigestAlgorithm algorithm() const { return algorithm_; }
  const uint8_t* bytes() const { return bytes_.data(); }
  size_t size() const { return AlgorithmBytes(algorithm_); }

  std::string Hex() const;
  std::string ToString() const;  // "<alg>:<hex>"

  bool operator==(const Digest& other) const;
  bool operator<(const Digest& other) const;

 private:
  DigestAlgorithm algorithm_ = DigestAlgorithm::kSha256;
  std::array<uint8_t, 64> bytes_{};
};

struct DigestHash {
  size_t operator()(const Digest& digest) const;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_DIGEST_H_
