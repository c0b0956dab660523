// Blob fates from the marks and the grace period.
#include "core/reclaim.h"

namespace regsweep {

bool RepositoryCollectable(const Graph& graph, const MarkResult& marks, size_t r) {
  return graph.repositories()[r].record->valid_name && !marks.repositories[r].tainted;
}

std::vector<BlobFate> DecideBlobFates(const Graph& graph, const MarkResult& marks,
                                      const GcPolicy& policy,
                                      const YoungLayerLink& young_layer_link) {
  std::vector<BlobFate> fates(graph.nodes().size(), BlobFate::kReclaimed);
  for (NodeId id = 0; id < fates.size(); ++id) {
    if (marks.live[id] != 0) fates[id] = BlobFate::kLive;
  }
  const Inventory& inventory = graph.inventory();
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    const BlobRecord& blob = inventory.blobs[i];
    BlobFate& fate = fates[graph.BlobNode(i)];
    // A blob whose examination left no facts has no known age either: spared, like one never
    // examined (every examination gives facts; this keeps a slip there from deleting).
    const bool age_unknown = !blob.data_known || blob.facts == BlobRecord::kNoFacts;
    if (fate == BlobFate::kReclaimed &&
        (age_unknown || policy.IsRecent(inventory.Facts(blob).mtime_ns))) {
      fate = BlobFate::kSpared;
    }
  }
  if (policy.min_age_ns <= 0) return fates;
  for (uint32_t r = 0; r < graph.repositories().size(); ++r) {
    if (!RepositoryCollectable(graph, marks, r)) continue;
    const RepositoryNode& repository = graph.repositories()[r];
    for (size_t l = 0; l < repository.layer_links.size(); ++l) {
      BlobFate& fate = fates[repository.layer_links[l]];
      if (fate == BlobFate::kReclaimed && young_layer_link(r, repository.record->layer_links[l])) {
        fate = BlobFate::kSpared;
      }
    }
  }
  return fates;
}

}  // namespace regsweep
