// What one root of the mark keeps alive, walked by the rules of gc/mark: a manifest keeps its
// own blob, its config and layers, its index children (recursively, in the same repository)
// and the manifests of the repository whose `subject` it is (referrers, at any depth); a
// repository kept whole keeps every revision, tag and linked layer it has.
//
// The union of the closures of MarkResult::roots is exactly MarkResult::live. Walking roots one
// at a time is what lets usage and the gc what-if say which images keep a blob alive, in time
// proportional to the sum of the closures (not roots x graph): nodes are deduplicated with an
// epoch stamp, so the walker allocates nothing per walk.
#ifndef REGSWEEP_CORE_CLOSURE_H_
#define REGSWEEP_CORE_CLOSURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph.h"
#include "core/mark.h"

namespace regsweep {

class ClosureWalker {
 public:
  explicit ClosureWalker(const Graph& graph);

  // Every node (manifests and blobs, each once) that `root` keeps alive, into *nodes.
  void Walk(const MarkRoot& root, std::vector<NodeId>* nodes);
  // The closure of manifest `start` in repository `repository`, into *nodes.
  void WalkManifest(uint32_t repository, NodeId start, std::vector<NodeId>* nodes);

 private:
  void NewEpoch();
  void Add(NodeId id, std::vector<NodeId>* nodes);
  void Expand(uint32_t repository, NodeId start, std::vector<NodeId>* nodes);

  const Graph& graph_;
  std::vector<uint32_t> added_;     // by NodeId: epoch in which the node was output
  std::vector<uint32_t> expanded_;  // by NodeId: epoch in which the manifest was expanded
  std::vector<NodeId> work_;
  uint32_t epoch_ = 0;
};

// A root as a person reads it: "repo:tag", "repo@sha256:0123456789ab (untagged)" or
// "repo (kept whole)".
std::string DescribeRoot(const Graph& graph, const MarkRoot& root);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_CLOSURE_H_
