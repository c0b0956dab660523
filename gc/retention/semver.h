// Tags as semantic versions, for `most_recent: N` with `order: semver` (harbor#9350: "keep the 5
// highest versions", not the 5 pushed last).
//
// Accepted: an optional leading 'v' or 'V', then MAJOR[.MINOR[.PATCH]] (missing parts are 0, so
// "1.2" equals "1.2.0"), then an optional pre-release "-ID(.ID)*" and optional build metadata
// "+ID(.ID)*" (IDs are [0-9A-Za-z-]+). Precedence follows semver 2.0: numeric parts compare as
// numbers (of any length; leading zeros are accepted and ignored, so date tags such as
// "2024.01.15" order correctly), a pre-release is lower than its release ("1.0.0-rc.1" <
// "1.0.0", and so "1.2.3-alpine" < "1.2.3"), pre-release IDs compare numerically when both are
// numeric, numeric IDs are lower than alphanumeric ones, a longer list of equal prefix is
// higher, and build metadata is ignored (tags cannot hold '+' anyway).
//
// Anything else ("latest", "main-abc123", "1.2.3.4", "v") is not a version and sorts below
// every version; two non-versions, or two equal versions, compare equal (callers break the tie,
// decide.h by push time then tag name).
#ifndef REGSWEEP_GC_RETENTION_SEMVER_H_
#define REGSWEEP_GC_RETENTION_SEMVER_H_

#include <optional>
#include <string_view>

namespace regsweep {

// A parsed version; views into the tag it was parsed from.
struct SemVer {
  std::string_view major, minor, patch;  // digits without leading zeros ("" is 0)
  std::string_view prerelease;           // "" for a release
};

// Parses a tag as a version, or nullopt when it is not one.
std::optional<SemVer> ParseSemVer(std::string_view tag);

// <0, 0, >0 as a has lower, equal or higher precedence than b.
int CompareSemVer(const SemVer& a, const SemVer& b);

// Compares two tags by version: non-versions below versions, equal among themselves.
int CompareTagVersions(std::string_view a, std::string_view b);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_SEMVER_H_
