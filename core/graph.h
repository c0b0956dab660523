// The registry graph: every digest the inventory names, interned once to a dense NodeId, with
// what is known about it (blob present, manifest parsed or why not) and, per repository, the
// manifests it holds, its tags and its referrers (subject -> manifests naming it).
//
// Building the graph reads and parses manifests: every manifest named by a revision link or a
// tag, then, round after round, index children not named elsewhere. Each distinct manifest is
// read once, checked against its digest (bytes that do not hash to their name are never
// trusted) and parsed, in parallel with one simdjson parser per thread.
#ifndef REGSWEEP_CORE_GRAPH_H_
#define REGSWEEP_CORE_GRAPH_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/digest.h"
#include "core/manifest.h"
#include "core/scan.h"

namespace regsweep {

class Progress;

using NodeId = uint32_t;

enum class ManifestStatus : uint8_t {
  kNotLoaded,       // never needed as a manifest
  kOk,              // parsed; `manifest` is valid
  kMissing,         // no blob data in the store
  kUnreadable,      // not a regular file, or an I/O error
  kTooLarge,        // over kMaxManifestBytes
  kDigestMismatch,  // bytes do not hash to the digest
  kInvalid,         // not JSON, unknown media type or shape, unusable references
};

std::string_view ManifestStatusText(ManifestStatus status);

// A parsed manifest with its references as node ids.
struct ManifestNode {
  ManifestKind kind = ManifestKind::kOciManifest;
  std::vector<NodeId> blobs;  // config first when present, then layers / blobs / fsLayers
  std::vector<NodeId> children;
  std::optional<NodeId> subject;
};

// One per distinct digest (76 bytes: the graph of a large registry is mostly these).
struct Node {
  Digest digest;
  ManifestStatus status = ManifestStatus::kNotLoaded;
  int32_t blob = -1;      // index into Inventory::blobs, -1 when not in the store
  uint32_t manifest = 0;  // index into Graph::manifests when status == kOk
};

struct RepositoryNode {
  const RepositoryRecord* record = nullptr;
  // The node of each of record->layer_links, in the same order: the plan, the marker and the
  // reports walk a repository's links by node, with no lookup by digest.
  std::vector<NodeId> layer_links;
  // Manifests with a valid revision link here: (node, index in record->revisions), sorted by
  // node, each node once (8 bytes each, where a hash map took about 40).
  std::vector<std::pair<NodeId, uint32_t>> revisions;
  // The node of each of record->revisions (its digest), in the same order.
  std::vector<NodeId> revision_nodes;
  // The node of each of record->tags' current manifest, in the same order; meaningless for a
  // tag whose current link is not kOk.
  std::vector<NodeId> tag_targets;
  // The nodes of every tag's index entries, tag after tag in record->tags' order (see
  // TagIndexNodes).
  std::vector<NodeId> tag_index_nodes;
  // Where each tag's entries start in tag_index_nodes, and the end: one more than the tags.
  std::vector<uint32_t> tag_index_starts;
  // subject -> manifests of this repository whose `subject` names it.
  std::unordered_map<NodeId, std::vector<NodeId>> referrers;

  // Whether manifest `id` has a valid revision link here.
  bool HasRevision(NodeId id) const;
  // The nodes of record->tags[t].index_entries, in the same order.
  std::span<const NodeId> TagIndexNodes(size_t t) const {
    return std::span<const NodeId>(tag_index_nodes)
        .subspan(tag_index_starts[t], tag_index_starts[t + 1] - tag_index_starts[t]);
  }
};

// Sees each manifest the graph reads whose bytes match its digest: the bytes and how they
// parsed (whether they did or not). Called from the loading threads, concurrently, once the
// graph has taken what it keeps of the parse: the observer may move from `parsed`.
using ManifestObserver =
    std::function<void(NodeId id, std::string_view bytes, ParsedManifest& parsed)>;

class Graph {
 public:
  // Builds the graph of `inventory` (which must outlive it), reading manifests below the v2
  // folder `v2` through `reader` (nullptr: the local filesystem), showing each to `observer` (if
  // any). `progress` (may be null) counts the manifests read.
  static Graph Build(const Inventory& inventory, const Folder& v2, TreeReader* reader = nullptr,
                     const ManifestObserver* observer = nullptr, Progress* progress = nullptr);

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(NodeId id) const { return nodes_[id]; }
  const ManifestNode& manifest(NodeId id) const { return manifests_[nodes_[id].manifest]; }
  const std::vector<RepositoryNode>& repositories() const { return repositories_; }
  const Inventory& inventory() const { return *inventory_; }

  std::optional<NodeId> Find(const Digest& digest) const;
  // The node of inventory().blobs[index]. The blobs are interned first, in order, and a store
  // names each digest once (one folder, file or key per blob), so this is `index` itself; were
  // a digest listed twice, it is looked up.
  NodeId BlobNode(size_t index) const {
    return blobs_in_order_ ? static_cast<NodeId>(index) : *Find(inventory_->blobs[index].digest);
  }
  // Why the manifest of a node whose status is neither kNotLoaded nor kOk could not be used.
  const std::string& Problem(NodeId id) const;
  // The blob record of a node, or nullptr when the blob is not in the store.
  const BlobRecord* Blob(NodeId id) const;

  // What reading one manifest gave; defined and used in graph.cc only.
  struct LoadResult;

 private:
  NodeId Intern(const Digest& digest);
  // Interns digest_at(i) for i in [0, count), in order, calling use(i, node) for each: as
  // Intern, with the cache lines of later lookups fetched ahead (a lookup waits on memory).
  template <typename DigestAt, typename Use>
  void InternEach(size_t count, const DigestAt& digest_at, const Use& use);
  void LoadManifests(const std::vector<NodeId>& ids, const Folder& v2, TreeReader& fs,
                     const ManifestObserver* observer, Progress* progress);
  // Records the outcome of reading manifests ids[0..results->size()): their references interned
  // (status kOk), or why they could not be used.
  void AddLoaded(const NodeId* ids, std::vector<LoadResult>* results);
  // The slot of `digest` in slots_: where it is, or the free slot where it would go.
  size_t SlotOf(const Digest& digest) const;
  // Rebuilds slots_ with `capacity` slots (a power of two).
  void Rehash(size_t capacity);

  const Inventory* inventory_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<ManifestNode> manifests_;
  std::vector<RepositoryNode> repositories_;
  // Node::status explained, for the few manifests that could not be used.
  std::unordered_map<NodeId, std::string> problems_;
  // Node ids by digest: a flat open-addressing table (linear probing, at most half full) whose
  // keys are the nodes' own digests, so it costs 8 bytes or less per node.
  std::vector<NodeId> slots_;
  // Whether node i is inventory().blobs[i] for every blob (see BlobNode).
  bool blobs_in_order_ = true;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_GRAPH_H_
