// Strict parsing and formatting of registry digests.
#include "core/digest.h"

#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace regsweep {
namespace {

// Decodes `2 * bytes` characters of lower-case hex (`bytes` a multiple of 4) into `out`, eight
// characters at a time as one 64-bit word: every byte is range-checked and turned into its
// nibble with word-wide arithmetic, and pairs of nibbles are packed into bytes. Returns false
// when any character is not 0-9 or a-f (upper case is not canonical and is rejected).
bool DecodeLowerHex(const char* text, size_t bytes, uint8_t* out) {
  static_assert(std::endian::native == std::endian::little, "a word's first byte is its lowest");
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighBits = kOnes * 0x80;
  uint64_t invalid = 0;
  for (size_t i = 0; i < bytes; i += 4) {
    uint64_t word;
    std::memcpy(&word, text + 2 * i, sizeof word);
    // With every byte below 0x80, adding 0x80 - c sets a byte's high bit exactly when it is >= c,
    // with no carry into the next byte. A byte of 0x80 or more is invalid by itself (~word
    // clears its bit), and whatever its carry does to its neighbours, the word is refused.
    const uint64_t at_least_0 = word + kOnes * (0x80 - '0');
    const uint64_t above_9 = word + kOnes * (0x80 - '9' - 1);
    const uint64_t at_least_a = word + kOnes * (0x80 - 'a');
    const uint64_t above_f = word + kOnes * (0x80 - 'f' - 1);
    const uint64_t letters = at_least_a & ~above_f & kHighBits;
    const uint64_t valid = ((at_least_0 & ~above_9) | letters) & ~word & kHighBits;
    invalid |= valid ^ kHighBits;
    // '0'-'9' end in their value, 'a'-'f' in their value less 9.
    const uint64_t nibbles = (word & (kOnes * 0x0f)) + (letters >> 7) * 9;
    // Byte 2k becomes nibble 2k (high) then nibble 2k+1 (low); the even bytes are then packed.
    uint64_t packed = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff00ff00ff00ff;
    packed = (packed | (packed >> 8)) & 0x0000ffff0000ffff;
    packed = (packed | (packed >> 16)) & 0x00000000ffffffff;
    const auto four = static_cast<uint32_t>(packed);
    std::memcpy(out + i, &four, sizeof four);
  }
  return invalid == 0;
}

void SetWhy(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
}

constexpr size_t kSha512Bytes = 64;
constexpr size_t kIndexOffset = 28;  // where a sha512 digest keeps its table index

// The full bytes of every sha512 digest seen, each stored once, never moved or freed: a pointer
// to an entry stays valid for the life of the process. Interning takes a lock; reading an entry
// does not (chunks are published with a release store and read with an acquire load).
class Sha512Table {
 public:
  // Never destroyed: a digest may be formatted during any other static's destruction.
  static Sha512Table& Get() {
    static Sha512Table* const table = new Sha512Table();
    return *table;
  }

  uint32_t Intern(const uint8_t* bytes) {
    const std::string key(reinterpret_cast<const char*>(bytes), kSha512Bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = index_.find(key);
    if (found != index_.end()) return found->second;
    if (size_ == std::numeric_limits<uint32_t>::max()) {
      throw std::length_error("more than 4 billion distinct sha512 digests");
    }
    const uint32_t index = size_;
    const size_t chunk = index >> kChunkBits;
    Entry* entries = chunks_[chunk].load(std::memory_order_relaxed);
    if (entries == nullptr) {
      entries = new Entry[size_t{1} << kChunkBits];
      chunks_[chunk].store(entries, std::memory_order_release);
    }
    std::memcpy(entries[index & kChunkMask].data(), bytes, kSha512Bytes);
    index_.emplace(key, index);
    ++size_;
    return index;
  }

  const uint8_t* Bytes(uint32_t index) const {
    const Entry* entries = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
    return entries[index & kChunkMask].data();
  }

 private:
  using Entry = std::array<uint8_t, kSha512Bytes>;
  // 65536 chunks of 65536 entries: the chunk table is 512 KiB, a chunk's pages are touched only
  // as it fills.
  static constexpr size_t kChunkBits = 16;
  static constexpr uint32_t kChunkMask = (1u << kChunkBits) - 1;
  static constexpr size_t kMaxChunks = size_t{1} << 16;

  std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> index_;
  uint32_t size_ = 0;
  std::array<std::atomic<Entry*>, kMaxChunks> chunks_{};
};

// Writes the lower-case hex of `size` bytes at `raw` to `out` (2 * size characters).
void WriteHex(const uint8_t* raw, size_t size, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[raw[i] >> 4];
    out[2 * i + 1] = kDigits[raw[i] & 0xf];
  }
}

}  // namespace

std::string_view AlgorithmName(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? "sha256" : "sha512";
}

std::optional<DigestAlgorithm> ParseAlgorithmName(std::string_view name) {
  if (name == "sha256") return DigestAlgorithm::kSha256;
  if (name == "sha512") return DigestAlgorithm::kSha512;
  return std::nullopt;
}

size_t AlgorithmBytes(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? 32 : 64;
}

std::optional<Digest> Digest::FromHex(DigestAlgorithm algorithm, std::string_view hex,
                                      std::string* why) {
  const size_t bytes = AlgorithmBytes(algorithm);
  if (hex.size() != bytes * 2) {
    SetWhy(why, std::string(AlgorithmName(algorithm)) + " needs " + std::to_string(bytes * 2) +
                    " hex characters, found " + std::to_string(hex.size()));
    return std::nullopt;
  }
  std::array<uint8_t, kSha512Bytes> raw;
  if (!DecodeLowerHex(hex.data(), bytes, raw.data())) {
    SetWhy(why, "not lower-case hex");
    return std::nullopt;
  }
  return FromBytes(algorithm, raw.data());
}

std::optional<Digest> Digest::Parse(std::string_view text, std::string* why) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    SetWhy(why, "no ':' between algorithm and hex");
    return std::nullopt;
  }
  const auto algorithm = ParseAlgorithmName(text.substr(0, colon));
  if (!algorithm) {
    SetWhy(why, "unsupported digest algorithm '" +
                    std::string(text.substr(0, std::min<size_t>(colon, 32))) + "'");
    return std::nullopt;
  }
  return FromHex(*algorithm, text.substr(colon + 1), why);
}

Digest Digest::FromBytes(DigestAlgorithm algorithm, const uint8_t* bytes) {
  Digest digest;
  digest.algorithm_ = algorithm;
  if (algorithm == DigestAlgorithm::kSha256) {
    std::memcpy(digest.head_.data(), bytes, digest.head_.size());
    return digest;
  }
  const uint32_t index = Sha512Table::Get().Intern(bytes);
  std::memcpy(digest.head_.data(), bytes, kIndexOffset);
  std::memcpy(digest.head_.data() + kIndexOffset, &index, sizeof index);
  return digest;
}

const uint8_t* Digest::bytes() const {
  if (algorithm_ == DigestAlgorithm::kSha256) return head_.data();
  uint32_t index;
  std::memcpy(&index, head_.data() + kIndexOffset, sizeof index);
  return Sha512Table::Get().Bytes(index);
}

std::string Digest::Hex() const { return HexThen({}); }

std::string Digest::HexThen(std::string_view suffix) const {
  std::string text(size() * 2 + suffix.size(), '\0');
  WriteHex(bytes(), size(), text.data());
  suffix.copy(text.data() + size() * 2, suffix.size());
  return text;
}

std::string Digest::ToString() const {
  const std::string_view name = AlgorithmName(algorithm_);
  std::string text(name.size() + 1 + size() * 2, ':');
  name.copy(text.data(), name.size());
  WriteHex(bytes(), size(), text.data() + name.size() + 1);
  return text;
}

bool Digest::operator<(const Digest& other) const {
  if (algorithm_ != other.algorithm_) return algorithm_ < other.algorithm_;
  if (algorithm_ == DigestAlgorithm::kSha256) {
    return std::memcmp(head_.data(), other.head_.data(), head_.size()) < 0;
  }
  return std::memcmp(bytes(), other.bytes(), kSha512Bytes) < 0;
}

}  // namespace regsweep
