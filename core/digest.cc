// Strict parsing and formatting of registry digests.
#include "core/digest.h"

#include <cstring>

namespace regsweep {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not canonical and is rejected
}

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
  for (size_t i = 0; i < bytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      SetWhy(why, "not lower-case hex");
      return std::nullopt;
    }
    digest.bytes_[i] = static_cast<uint8_t>(high * 16 + low);
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
