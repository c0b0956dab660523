// Content digests as registries name them ("sha256:<64 hex>", "sha512:<128 hex>").
//
// A Digest holds the algorithm and the raw hash bytes, never the hex text, so that millions of
// them stay compact (33 bytes), compare with memcmp and hash cheaply. A sha256 digest holds its
// 32 bytes; a sha512 digest, which registries practically never use, holds the first 28 and an
// index into a process-wide, append-only table of the full 64 bytes of every sha512 digest seen
// (digest.cc). Parsing is strict: only the OCI-registered algorithms sha256 and sha512 with
// lower-case hex are accepted, which is also what makes a digest safe to turn back into a path
// component.
#ifndef REGSWEEP_CORE_DIGEST_H_
#define REGSWEEP_CORE_DIGEST_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
  // The raw hash, size() bytes; valid for the life of the process.
  const uint8_t* bytes() const;
  size_t size() const { return AlgorithmBytes(algorithm_); }

  std::string Hex() const;
  // The hex digits followed by `suffix` ("<hex>/link"), built in one allocation: paths below an
  // algorithm or shard folder are made for every link and blob.
  std::string HexThen(std::string_view suffix) const;
  std::string ToString() const;  // "<alg>:<hex>"

  bool operator==(const Digest& other) const {
    // Four word compares, inline: the graph's lookups compare millions of digests.
    uint64_t difference =
        static_cast<uint64_t>(algorithm_) ^ static_cast<uint64_t>(other.algorithm_);
    for (size_t i = 0; i < head_.size(); i += sizeof(uint64_t)) {
      uint64_t mine;
      uint64_t theirs;
      std::memcpy(&mine, head_.data() + i, sizeof mine);
      std::memcpy(&theirs, other.head_.data() + i, sizeof theirs);
      difference |= mine ^ theirs;
    }
    return difference == 0;
  }
  bool operator<(const Digest& other) const;
  // A hash of the digest: its first eight bytes (inline for both algorithms), which are already
  // uniformly distributed.
  size_t Hash() const {
    size_t value;
    std::memcpy(&value, head_.data(), sizeof value);
    return value ^ static_cast<size_t>(algorithm_);
  }

 private:
  DigestAlgorithm algorithm_ = DigestAlgorithm::kSha256;
  // sha256: the hash. sha512: its first 28 bytes, then its index in the table (4 bytes, native
  // order). Two digests are equal exactly when algorithm and these bytes are.
  std::array<uint8_t, 32> head_{};
};

struct DigestHash {
  size_t operator()(const Digest& digest) const { return digest.Hash(); }
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_DIGEST_H_
