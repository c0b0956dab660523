// Parsing and applying --verify-data-subset.
#include "audit/check/data_subset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace regsweep::audit {
namespace {

std::optional<uint32_t> ParseCount(std::string_view text) {
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string DataSubset::ToString() const {
  switch (mode) {
    case Mode::kAll:
      return "all";
    case Mode::kBucket:
      return std::to_string(bucket) + "/" + std::to_string(buckets);
    case Mode::kPercent: {
      char text[32];
      std::snprintf(text, sizeof text, "%g%%", percent);
      return text;
    }
  }
  return "all";
}

std::optional<DataSubset> ParseDataSubset(std::string_view text, std::string* why) {
  DataSubset subset;
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    const auto n = ParseCount(text.substr(0, slash));
    const auto t = ParseCount(text.substr(slash + 1));
    if (!n || !t || *n < 1 || *t < 1 || *n > *t || *t > 256) {
      *why = "expected n/t with 1 <= n <= t <= 256";
      return std::nullopt;
    }
    subset.mode = DataSubset::Mode::kBucket;
    subset.bucket = *n;
    subset.buckets = *t;
    return subset;
  }
  if (!text.empty() && text.back() == '%') {
    const std::string number(text.substr(0, text.size() - 1));
    char* end = nullptr;
    const double percent = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !(percent > 0) ||
        percent > 100) {
      *why = "expected a percentage above 0 and at most 100, e.g. 10% or 2.5%";
      return std::nullopt;
    }
    subset.mode = DataSubset::Mode::kPercent;
    subset.percent = percent;
    return subset;
  }
  *why = "expected n/t (e.g. 1/7) or a percentage (e.g. 10%)";
  return std::nullopt;
}

bool InBucket(const Digest& digest, uint32_t bucket, uint32_t buckets) {
  return digest.bytes()[0] % buckets == bucket - 1;
}

std::vector<size_t> SelectBlobs(const std::vector<BlobRecord>& blobs, const DataSubset& subset,
                                uint64_t seed) {
  std::vector<size_t> selected;
  for (size_t i = 0; i < blobs.size(); ++i) {
    if (blobs[i].data_known && !blobs[i].has_data) continue;
    if (subset.mode == DataSubset::Mode::kBucket &&
        !InBucket(blobs[i].digest, subset.bucket, subset.buckets)) {
      continue;
    }
    selected.push_back(i);
  }
  if (subset.mode != DataSubset::Mode::kPercent || selected.empty()) return selected;
  const auto wanted =
      std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(selected.size()) *
                                                           subset.percent / 100.0)));
  std::mt19937_64 random(seed);
  std::shuffle(selected.begin(), selected.end(), random);
  selected.resize(std::min(wanted, selected.size()));
  std::sort(selected.begin(), selected.end());
  return selected;
}

}  // namespace regsweep::audit
