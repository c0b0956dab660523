// Durations as operators write them on a command line: "90s", "30m", "1h", "7d", "1h30m", "0".
#ifndef REGSWEEP_CORE_DURATION_H_
#define REGSWEEP_CORE_DURATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regsweep {

// Parses a duration to nanoseconds. Units: s, m, h, d (and ms). A bare "0" is zero.
std::optional<int64_t> ParseDuration(std::string_view text);

// Formats nanoseconds as the largest exact units ("1h30m", "7d", "0s").
std::string FormatDuration(int64_t ns);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_DURATION_H_
