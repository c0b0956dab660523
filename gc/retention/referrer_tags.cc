// Recognising cosign and referrers-fallback tags by their names.
#include "gc/retention/referrer_tags.h"

#include <array>

namespace regsweep {

std::optional<Digest> SubjectOfReferrerTag(std::string_view tag) {
  const size_t dash = tag.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::optional<DigestAlgorithm> algorithm = ParseAlgorithmName(tag.substr(0, dash));
  if (!algorithm) return std::nullopt;
  std::string_view hex = tag.substr(dash + 1);
  static constexpr std::array<std::string_view, 3> kSuffixes = {".sig", ".att", ".sbom"};
  for (std::string_view suffix : kSuffixes) {
    if (hex.size() > suffix.size() && hex.substr(hex.size() - suffix.size()) == suffix) {
      hex.remove_suffix(suffix.size());
      break;
    }
  }
  if (hex.size() != 2 * AlgorithmBytes(*algorithm)) return std::nullopt;
  return Digest::FromHex(*algorithm, hex);
}

}  // namespace regsweep
