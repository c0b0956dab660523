// Human-readable numbers for reports: sizes ("1.5 MiB") and seconds ("0.42s").
#ifndef REGSWEEP_CORE_FORMAT_H_
#define REGSWEEP_CORE_FORMAT_H_

#include <cstdint>
#include <string>

namespace regsweep {

std::string FormatBytes(uint64_t bytes);
std::string FormatSeconds(double seconds);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_FORMAT_H_
