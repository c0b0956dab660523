// What retention decides a repository by, as the caller reads it from the registry: its tags
// with their push times and history, the referrer and index edges among its manifests, and the
// pulls the access logs recorded. Filled by gc (core/scan and core/graph hold all of it); used
// by decide.h and pull_times.h.
#ifndef REGSWEEP_GC_RETENTION_RETENTION_INPUT_H_
#define REGSWEEP_GC_RETENTION_RETENTION_INPUT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/digest.h"
#include "gc/retention/pull_log.h"

namespace regsweep {

// One link of a tag's index/: the tag pointed at `digest`, last set at `time_ns`.
struct TagHistoryEntry {
  Digest digest;
  int64_t time_ns = 0;  // mtime of index/<alg>/<hex>/link
};

struct TagInput {
  std::string tag;
  Digest digest;                         // current/link
  int64_t push_time_ns = 0;              // mtime of current/link
  std::vector<TagHistoryEntry> history;  // optional; the current digest may be left out
};

// An OCI 1.1 referrer manifest of the repository and its `subject`.
struct ReferrerLink {
  Digest referrer;
  Digest subject;
};

// A manifest named by an index (or manifest list) of the repository.
struct IndexChild {
  Digest index;
  Digest child;
};

struct RepositoryInput {
  std::string name;
  std::vector<TagInput> tags;
  std::vector<ReferrerLink> referrers;
  std::vector<IndexChild> index_children;  // optional: lets referrers of children follow them
  std::span<const Pull> pulls;             // PullLog::ForRepository(name); may be empty
};

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_RETENTION_INPUT_H_
