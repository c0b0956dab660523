// Which blobs a data verification hashes: all of them, the bucket n of t (`n/t`: the blobs whose
// digest's first byte modulo t is n-1, so t runs with n = 1..t cover every blob exactly once,
// as restic's --read-data-subset does), or a random P percent (`P%`).
#ifndef REGSWEEP_AUDIT_CHECK_DATA_SUBSET_H_
#define REGSWEEP_AUDIT_CHECK_DATA_SUBSET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/scan.h"

namespace regsweep::audit {

struct DataSubset {
  enum class Mode : uint8_t { kAll, kBucket, kPercent };
  Mode mode = Mode::kAll;
  uint32_t bucket = 0;   // n, 1-based (kBucket)
  uint32_t buckets = 0;  // t, 1..256 (kBucket)
  double percent = 100;  // (kPercent)

  std::string ToString() const;
};

// Parses "n/t" (1 <= n <= t <= 256) or "P%" (0 < P <= 100, decimals allowed).
std::optional<DataSubset> ParseDataSubset(std::string_view text, std::string* why);

// True when `digest` falls in bucket n of t.
bool InBucket(const Digest& digest, uint32_t bucket, uint32_t buckets);

// Indexes into `blobs` (those with data, or whose data was not examined) of the blobs `subset`
// selects. A percentage picks
// round(P% of the blobs), at least one, at random from `seed`.
std::vector<size_t> SelectBlobs(const std::vector<BlobRecord>& blobs, const DataSubset& subset,
                                uint64_t seed);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_DATA_SUBSET_H_
