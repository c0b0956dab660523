// When each image of a repository was last pulled: pulls by digest count for that digest,
// pulls by tag for the digest the tag pointed to at that moment (its history; see decide.h).
#ifndef REGSWEEP_GC_RETENTION_PULL_TIMES_H_
#define REGSWEEP_GC_RETENTION_PULL_TIMES_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/digest.h"
#include "gc/retention/retention_input.h"

namespace regsweep {

class PullTimes {
 public:
  // Resolves every pull of `repository` (its tags and their history).
  explicit PullTimes(const RepositoryInput& repository);

  // The latest pull of `digest`, or nullopt when the logs never show it pulled.
  std::optional<int64_t> LastPull(const Digest& digest) const;

  // The digest `tag` (one of the repository's tags) pointed to at `time_ns`: the history entry
  // set last at or before that time, else the current digest.
  static Digest DigestAt(const TagInput& tag, int64_t time_ns);

 private:
  std::unordered_map<Digest, int64_t, DigestHash> last_pull_;
};

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_PULL_TIMES_H_
