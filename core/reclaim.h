// Which blobs a collection reclaims: the one definition that gc's plan deletes by and that
// audit's `orphan_blob` findings ("gc would reclaim") report, so the two cannot disagree.
//
// Given the marks, a digest's fate is:
// - live: a mark keeps it;
// - spared: no mark keeps it, but its blob's data was not examined or could not be (its age is
//   unknown: unreadable, or a symbolic link regsweep never follows), or it is younger than the
//   grace period, or a `_layers` link to it in a collectable repository is;
// - reclaimed: everything else. For a digest in the blob store the blob goes; for one that is
//   only linked (its blob already gone), its dangling `_layers` links go.
#ifndef REGSWEEP_CORE_RECLAIM_H_
#define REGSWEEP_CORE_RECLAIM_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "core/graph.h"
#include "core/mark.h"
#include "core/policy.h"

namespace regsweep {

enum class BlobFate : uint8_t { kLive, kSpared, kReclaimed };

// Whether repository `repository`'s `_layers` link to `digest` is within the grace period (an
// unknown age counts as recent). Asked only when the policy has a grace period, and only for
// digests no mark keeps.
using YoungLayerLink = std::function<bool(uint32_t repository, const Digest& digest)>;

// The fate of every node, by NodeId.
std::vector<BlobFate> DecideBlobFates(const Graph& graph, const MarkResult& marks,
                                      const GcPolicy& policy,
                                      const YoungLayerLink& young_layer_link);

// Whether gc may change anything in repository `r`: its name is valid and no mark kept it whole.
bool RepositoryCollectable(const Graph& graph, const MarkResult& marks, size_t r);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_RECLAIM_H_
