// The mark phase: from the roots the policy names, everything a kept manifest needs.
//
// Per repository, the roots are its tags' current manifests (minus the tags being dropped) and,
// unless untagged manifests are to be deleted, every revision; revisions younger than the grace
// period are roots in any case. Marking a manifest in a repository keeps its revision link
// there, its own blob, its config and layers (global blobs), its index children (recursively,
// in the same repository) and every manifest of the repository whose `subject` it is
// (referrers, at any depth).
//
// When something reached cannot be known (a missing, unreadable, tampered or unparsable
// manifest, a bad link, an invalid repository name), the repository is `tainted`: all of its
// revisions become roots and every blob linked in its `_layers` is kept, and the reason is
// reported. Nothing is ever deleted on the strength of a guess.
#ifndef REGSWEEP_GC_MARK_H_
#define REGSWEEP_GC_MARK_H_

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/finding.h"
#include "core/graph.h"
#include "gc/policy.h"

namespace regsweep {

struct RepositoryMarks {
  std::unordered_set<NodeId> kept_manifests;
  std::vector<uint32_t> dropped_tags;  // indexes into the record's tags (from --untag)
  bool tainted = false;
};

struct MarkResult {
  std::vector<uint8_t> live;                  // by NodeId: the blob must stay
  std::vector<RepositoryMarks> repositories;  // parallel to Graph::repositories()
  Findings problems;                          // what limited the collection, and why
};

MarkResult Mark(const Graph& graph, const GcPolicy& policy);

}  // namespace regsweep

#endif  // REGSWEEP_GC_MARK_H_
