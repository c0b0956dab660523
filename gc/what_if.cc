// What-if: released closures, then one pass over the remaining roots for the blobs that stay.
#include "gc/what_if.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/closure.h"

namespace regsweep {

std::unordered_set<NodeId> Released(const Graph& graph, const MarkResult& marks) {
  std::unordered_set<NodeId> released;
  ClosureWalker walker(graph);
  std::vector<NodeId> nodes;
  for (uint32_t r = 0; r < graph.repositories().size(); ++r) {
    const RepositoryRecord& record = *graph.repositories()[r].record;
    for (const uint32_t t : marks.repositories[r].dropped_tags) {
      if (record.tags[t].current_state != LinkState::kOk) continue;
      walker.WalkManifest(r, graph.repositories()[r].tag_targets[t], &nodes);
      released.insert(nodes.begin(), nodes.end());
    }
    if (!marks.repositories[r].deleted) continue;
    for (const auto& [id, index] : graph.repositories()[r].revisions) {
      walker.WalkManifest(r, id, &nodes);
      released.insert(nodes.begin(), nodes.end());
    }
  }
  return released;
}

std::vector<uint8_t> BlobsThePlanDeletes(const Graph& graph, const Plan& plan) {
  std::vector<uint8_t> deleted(graph.nodes().size(), 0);
  for (const Action& action : plan.actions) {
    if (action.kind != ActionKind::kDeleteBlob) continue;
    if (const auto id = graph.Find(action.digest)) deleted[*id] = 1;
  }
  return deleted;
}

WhatIf ExplainWhatIf(const Graph& graph, const MarkResult& marks, const Plan& plan,
                     const std::unordered_set<NodeId>& released) {
  WhatIf what_if;
  const std::vector<uint8_t> deleted = BlobsThePlanDeletes(graph, plan);
  std::unordered_map<NodeId, size_t> kept_index;
  for (const NodeId id : released) {
    const BlobRecord* blob = graph.Blob(id);
    if (blob == nullptr || !blob->has_data) continue;
    const uint64_t size = graph.inventory().Facts(*blob).size;
    ++what_if.released_blobs;
    what_if.released_bytes += size;
    if (deleted[id] != 0) {
      ++what_if.freed_blobs;
      what_if.freed_bytes += size;
      continue;
    }
    kept_index[id] = what_if.kept.size();
    what_if.kept.push_back(KeptBlob{blob->digest, size, {}, 0});
  }
  std::vector<std::vector<std::string>> names(what_if.kept.size());
  ClosureWalker walker(graph);
  std::vector<NodeId> nodes;
  for (const MarkRoot& root : marks.roots) {
    walker.Walk(root, &nodes);
    std::string name;
    for (const NodeId id : nodes) {
      const auto it = kept_index.find(id);
      if (it == kept_index.end()) continue;
      if (name.empty()) name = DescribeRoot(graph, root);
      names[it->second].push_back(name);
    }
  }
  for (size_t i = 0; i < what_if.kept.size(); ++i) {
    std::vector<std::string>& holders = names[i];
    std::sort(holders.begin(), holders.end());
    holders.erase(std::unique(holders.begin(), holders.end()), holders.end());
    what_if.kept[i].kept_by_count = holders.size();
    if (holders.size() > kKeptByNames) holders.resize(kKeptByNames);
    what_if.kept[i].kept_by = std::move(holders);
  }
  std::sort(what_if.kept.begin(), what_if.kept.end(), [](const KeptBlob& a, const KeptBlob& b) {
    return a.size != b.size ? a.size > b.size : a.digest < b.digest;
  });
  return what_if;
}

std::string DescribeKept(const KeptBlob& blob) {
  if (blob.kept_by_count == 0) return "younger than --min-age";
  std::string text = "shared with " + blob.kept_by.front();
  if (blob.kept_by_count > 1) text += " and " + std::to_string(blob.kept_by_count - 1) + " more";
  return text;
}

}  // namespace regsweep
