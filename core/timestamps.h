// The timestamps distribution writes, parsed by hand to nanoseconds since the Unix epoch (UTC),
// without the C library's locale or time zone: RFC 3339 (upload `startedat` files, logrus
// logs) and the Apache time of its combined access log.
#ifndef REGSWEEP_CORE_TIMESTAMPS_H_
#define REGSWEEP_CORE_TIMESTAMPS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace regsweep {

// logrus' RFC 3339 (Go's time.RFC3339Nano): "2026-12-05T11:04:11.39321459Z",
// "2026-12-05T12:04:21.110697236+01:00"; the fraction (up to 9 digits) is optional, the offset
// is "Z" or "+HH:MM"/"-HH:MM". Years 1970 to 2200. Trailing newlines and spaces are ignored
// (a `startedat` file may end with one).
std::optional<int64_t> ParseRfc3339(std::string_view text);

// The Apache log time of gorilla's combined access log: "05/Dec/2026:11:04:11 +0000".
std::optional<int64_t> ParseApacheTime(std::string_view text);

// Days from 1970-01-01 to the given civil date (proleptic Gregorian; month 1-12).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_TIMESTAMPS_H_
