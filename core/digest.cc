// Strict parsing and formatting of registry digests.
#include "core/digest.h"

#include <array>
#include <cstring>

namespace regsweep {
namespace {

// Value of each lower-case hex digit, 0xff for every other byte (upper case is not canonical
// and is rejected).
constexpr std::array<uint8_t, 256> MakeHexTable() {
  std::array<uint8_t, 256> table{};
  for (auto& value : table) value = 0xff;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<size_t>(c)] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    table[static_cast<size_t>(c)] = static_cast<uint8_t>(c - 'a' + 10);
  }
  return table;
}

constexpr std::array<uint8_t, 256> kHexValue = MakeHexTable();

void SetWhy(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
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
  Digest digest;
  digest.algorithm_ = algorithm;
  // Invalid digits are 0xff: OR-ing every value and testing the high bit once at the end keeps
  // the loop free of branches.
  uint8_t invalid = 0;
  const auto* text = reinterpret_cast<const unsigned char*>(hex.data());
  for (size_t i = 0; i < bytes; ++i) {
    const uint8_t high = kHexValue[text[2 * i]];
    const uint8_t low = kHexValue[text[2 * i + 1]];
    invalid |= high | low;
    digest.bytes_[i] = static_cast<uint8_t>((high << 4) | (low & 0x0f));
  }
  if ((invalid & 0x80) != 0) {
    SetWhy(why, "not lower-case hex");
    return std::nullopt;
  }
  return digest;
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
  std::memcpy(digest.bytes_.data(), bytes, AlgorithmBytes(algorithm));
  return digest;
}

std::string Digest::Hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size() * 2, '0');
  for (size_t i = 0; i < size(); ++i) {
    hex[2 * i] = kDigits[bytes_[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes_[i] & 0xf];
  }
  return hex;
}

std::string Digest::ToString() const {
  std::string text(AlgorithmName(algorithm_));
  text += ':';
  text += Hex();
  return text;
}

bool Digest::operator==(const Digest& other) const {
  return algorithm_ == other.algorithm_ &&
         std::memcmp(bytes_.data(), other.bytes_.data(), size()) == 0;
}

bool Digest::operator<(const Digest& other) const {
  if (algorithm_ != other.algorithm_) return algorithm_ < other.algorithm_;
  return std::memcmp(bytes_.data(), other.bytes_.data(), size()) < 0;
}

size_t DigestHash::operator()(const Digest& digest) const {
  // The bytes are already uniformly distributed: the first eight are a fine hash.
  size_t value;
  std::memcpy(&value, digest.bytes(), sizeof value);
  return value ^ static_cast<size_t>(digest.algorithm());
}

}  // namespace regsweep
