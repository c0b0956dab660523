// Closure walks with epoch stamps.
#include "core/closure.h"

#include <algorithm>

namespace regsweep {

ClosureWalker::ClosureWalker(const Graph& graph)
    : graph_(graph), added_(graph.nodes().size(), 0), expanded_(graph.nodes().size(), 0) {}

void ClosureWalker::NewEpoch() {
  if (++epoch_ == 0) {  // wrapped: forget every stamp
    std::fill(added_.begin(), added_.end(), 0);
    std::fill(expanded_.begin(), expanded_.end(), 0);
    epoch_ = 1;
  }
}

void ClosureWalker::Add(NodeId id, std::vector<NodeId>* nodes) {
  if (added_[id] == epoch_) return;
  added_[id] = epoch_;
  nodes->push_back(id);
}

void ClosureWalker::Expand(uint32_t repository, NodeId start, std::vector<NodeId>* nodes) {
  const RepositoryNode& repo = graph_.repositories()[repository];
  work_.assign(1, start);
  while (!work_.empty()) {
    const NodeId current = work_.back();
    work_.pop_back();
    if (expanded_[current] == epoch_) continue;
    expanded_[current] = epoch_;
    Add(current, nodes);
    if (graph_.node(current).status != ManifestStatus::kOk) continue;
    const ManifestNode& manifest = graph_.manifest(current);
    for (const NodeId blob : manifest.blobs) Add(blob, nodes);
    work_.insert(work_.end(), manifest.children.begin(), manifest.children.end());
    const auto referrers = repo.referrers.find(current);
    if (referrers != repo.referrers.end()) {
      work_.insert(work_.end(), referrers->second.begin(), referrers->second.end());
    }
  }
}

void ClosureWalker::WalkManifest(uint32_t repository, NodeId start, std::vector<NodeId>* nodes) {
  nodes->clear();
  NewEpoch();
  Expand(repository, start, nodes);
}

void ClosureWalker::Walk(const MarkRoot& root, std::vector<NodeId>* nodes) {
  nodes->clear();
  NewEpoch();
  const RepositoryNode& repository = graph_.repositories()[root.repository];
  const RepositoryRecord& record = *repository.record;
  switch (root.kind) {
    case MarkRoot::Kind::kTag:
      Expand(root.repository, repository.tag_targets[root.index], nodes);
      return;
    case MarkRoot::Kind::kRevision:
      Expand(root.repository, repository.revision_nodes[root.index], nodes);
      return;
    case MarkRoot::Kind::kRepositoryKeptWhole:
      for (const NodeId link : repository.layer_links) Add(link, nodes);
      for (const Digest& link : record.unusable_layer_links) Add(*graph_.Find(link), nodes);
      for (size_t i = 0; i < record.revisions.size(); ++i) {
        const RevisionRecord& revision = record.revisions[i];
        if (revision.other_target) Add(*graph_.Find(*revision.other_target), nodes);
        Expand(root.repository, repository.revision_nodes[i], nodes);
      }
      for (size_t t = 0; t < record.tags.size(); ++t) {
        if (record.tags[t].current_state == LinkState::kOk) {
          Expand(root.repository, repository.tag_targets[t], nodes);
        }
      }
      return;
  }
}

std::string DescribeRoot(const Graph& graph, const MarkRoot& root) {
  const RepositoryRecord& record = *graph.repositories()[root.repository].record;
  std::string name = PrintedName(record);
  switch (root.kind) {
    case MarkRoot::Kind::kTag:
      return name + ":" + record.tags[root.index].name;
    case MarkRoot::Kind::kRevision:
      return name + "@" + record.revisions[root.index].digest.ToString().substr(0, 19) +
             " (untagged)";
    case MarkRoot::Kind::kRepositoryKeptWhole:
      return name + " (kept whole)";
  }
  return name;
}

}  // namespace regsweep
