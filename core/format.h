// Human-readable numbers for reports: sizes ("1.5 MiB"), seconds ("0.42s") and times
// ("2026-12-05T10:00:00Z").
#ifndef REGSWEEP_CORE_FORMAT_H_
#define REGSWEEP_CORE_FORMAT_H_

#include <cstdint>
#include <string>

namespace regsweep {

std::string FormatBytes(uint64_t bytes);
std::string FormatSeconds(double seconds);
// A time in nanoseconds since the epoch as RFC 3339 UTC, to the second.
std::string FormatUtcTime(int64_t ns);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_FORMAT_H_
