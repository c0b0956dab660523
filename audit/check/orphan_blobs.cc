// Finding blobs nothing references.
#include "audit/check/orphan_blobs.h"

#include <vector>

#include "core/format.h"
#include "core/layout.h"

namespace regsweep::audit {

OrphanBlobs FindOrphanBlobs(const Graph& graph) {
  OrphanBlobs orphans;
  // Unknown repositories may reference any blob (the scan reported the unlisted folders).
  if (!graph.inventory().unlisted_repository_folders.empty()) return orphans;
  std::vector<uint8_t> referenced(graph.nodes().size(), 0);
  auto mark = [&](const Digest& digest) {
    if (const auto id = graph.Find(digest)) referenced[*id] = 1;
  };
  for (const RepositoryNode& repository : graph.repositories()) {
    const RepositoryRecord& record = *repository.record;
    bool fully_known = !record.incomplete;
    auto root = [&](const Digest& digest) {
      mark(digest);
      const auto id = graph.Find(digest);
      if (id && graph.node(*id).status != ManifestStatus::kOk) fully_known = false;
    };
    for (const RevisionRecord& revision : record.revisions) {
      if (revision.link == LinkState::kOk) root(revision.digest);
    }
    for (const TagRecord& tag : record.tags) {
      if (tag.current_state == LinkState::kOk) root(tag.current);
    }
    if (!fully_known) {
      for (const Digest& link : record.layer_links) mark(link);
    }
  }
  for (NodeId id = 0; id < graph.nodes().size(); ++id) {
    if (graph.node(id).status != ManifestStatus::kOk) continue;
    const ManifestNode& manifest = graph.manifest(id);
    for (const NodeId blob : manifest.blobs) referenced[blob] = 1;
    for (const NodeId child : manifest.children) referenced[child] = 1;
  }
  for (const BlobRecord& blob : graph.inventory().blobs) {
    const auto id = graph.Find(blob.digest);
    if (!blob.has_data || !id || referenced[*id] != 0) continue;
    ++orphans.count;
    orphans.bytes += blob.size;
    orphans.findings.push_back(
        Finding{Severity::kInfo, "orphan_blob", layout::BlobData(blob.digest), std::string(),
                blob.digest.ToString(),
                "nothing references this blob; `gc` would reclaim its " + FormatBytes(blob.size)});
  }
  return orphans;
}

}  // namespace regsweep::audit
