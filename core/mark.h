// The mark phase: from the roots the policy names, everything a kept manifest needs.
//
// Per repository, the roots are its tags' current manifests (minus the tags being dropped by
// --untag, --untag-regex or --delete-repo; an OCI layout's tags, the entries of its index.json,
// are never dropped) and, unless untagged manifests are to be deleted or
// the repository is, every revision; revisions younger than the grace period are roots in any
// case. Every root is recorded, so that gc/closure can say which ones keep a blob alive.
// Marking a manifest in a repository keeps its revision link there, its own blob, its config
// and layers (global blobs), its index children (recursively, in the same repository) and
// every manifest of the repository whose `subject` it is (referrers, at any depth).
//
// When something reached cannot be known (a missing, unreadable, tampered or unparsable
// manifest, a bad link, an invalid repository name), the repository is `tainted`: all of its
// revisions become roots and every blob linked in its `_layers` is kept, and the reason is
// reported. When a folder of the repository tree could not be listed at all, the repositories
// in it are unknown and every blob is kept. Nothing is ever deleted on the strength of a guess.
#ifndef REGSWEEP_CORE_MARK_H_
#define REGSWEEP_CORE_MARK_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/graph.h"
#include "core/policy.h"

namespace regsweep {

struct RepositoryMarks {
  // The manifests kept in this repository, sorted (see Keeps).
  std::vector<NodeId> kept_manifests;
  // Indexes into the record's tags (from --untag, --untag-regex or --delete-repo).
  std::vector<uint32_t> dropped_tags;
  bool tainted = false;
  bool deleted = false;  // named by --delete-repo (and not kept whole)

  // Whether manifest `id` is kept in this repository.
  bool Keeps(NodeId id) const {
    return std::binary_search(kept_manifests.begin(), kept_manifests.end(), id);
  }
};

// Something the mark started from: a tag, a revision, or a repository kept whole (which keeps
// all of its revisions, tags and linked layers). gc/closure walks what each one keeps alive.
struct MarkRoot {
  enum class Kind : uint8_t { kTag, kRevision, kRepositoryKeptWhole };
  Kind kind = Kind::kTag;
  uint32_t repository = 0;  // index into Graph::repositories()
  uint32_t index = 0;       // into the record's tags or revisions; unused for kRepositoryKeptWhole
};

struct MarkResult {
  std::vector<uint8_t> live;                  // by NodeId: the blob must stay
  std::vector<RepositoryMarks> repositories;  // parallel to Graph::repositories()
  std::vector<MarkRoot> roots;                // every root, in marking order
  Findings problems;                          // what limited the collection, and why
};

MarkResult Mark(const Graph& graph, const GcPolicy& policy);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_MARK_H_
