// Orphan blobs through gc's mark and reclaim rules.
#include "audit/check/orphan_blobs.h"

#include <vector>

#include "core/format.h"
#include "core/layout.h"
#include "core/mark.h"
#include "core/reclaim.h"

namespace regsweep::audit {

OrphanBlobs FindOrphanBlobs(const Graph& graph) {
  OrphanBlobs orphans;
  GcPolicy plain_collection;  // every revision is a root
  plain_collection.min_age_ns = 0;
  const MarkResult marks = Mark(graph, plain_collection);
  // No grace period, so no link's age is ever asked.
  const std::vector<BlobFate> fates =
      DecideBlobFates(graph, marks, plain_collection, [](uint32_t, const Digest&) { return true; });
  const Inventory& inventory = graph.inventory();
  const Layout& layout = *inventory.layout;
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    const BlobRecord& blob = inventory.blobs[i];
    if (fates[graph.BlobNode(i)] != BlobFate::kReclaimed) continue;
    const uint64_t size = inventory.Facts(blob).size;
    ++orphans.count;
    orphans.bytes += size;
    orphans.findings.push_back(Finding{
        Severity::kInfo, "orphan_blob",
        blob.has_data ? layout.BlobData(blob.digest) : layout.BlobPath(blob.digest), std::string(),
        blob.digest.ToString(),
        blob.has_data ? "nothing references this blob; `gc` would reclaim its " + FormatBytes(size)
                      : "blob folder without data that nothing references; `gc` would remove it"});
  }
  return orphans;
}

}  // namespace regsweep::audit
