// Graph building: interning, parallel manifest loading, referrer maps.
#include "core/graph.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/fs.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/shard_folders.h"
#include "core/tree_reader.h"

namespace regsweep {

// What the graph keeps of a manifest it read until it is interned: its references, config
// first, then the blobs, the children and the subject (ManifestNode's order).
struct Graph::LoadResult {
  ManifestStatus status = ManifestStatus::kNotLoaded;
  std::string problem;
  ManifestKind kind = ManifestKind::kOciManifest;
  std::vector<Digest> references;
  uint32_t blobs = 0;  // config included
  uint32_t children = 0;
  bool has_subject = false;
};

namespace {

using LoadResult = Graph::LoadResult;

// `folder` is the open blob folder of `digest`, `data` its data's path below it.
LoadResult LoadOne(TreeReader& fs, const Folder& folder, const std::string& data, NodeId id,
                   const Digest& digest, bool in_store, const ManifestObserver* observer,
                   simdjson::dom::parser& parser) {
  LoadResult result;
  if (!in_store) {
    result.status = ManifestStatus::kMissing;
    result.problem = "manifest blob is not in the blob store";
    return result;
  }
  const SmallFile file = fs.ReadSmall(folder, data, kMaxManifestBytes);
  switch (file.status) {
    case ReadStatus::kOk:
      break;
    case ReadStatus::kNotFound:
      result.status = ManifestStatus::kMissing;
      result.problem = "manifest blob data is missing";
      return result;
    case ReadStatus::kTooLarge:
      result.status = ManifestStatus::kTooLarge;
      result.problem =
          "manifest is larger than " + std::to_string(kMaxManifestBytes) + " bytes; not parsed";
      return result;
    default:
      result.status = ManifestStatus::kUnreadable;
      result.problem = "manifest blob is " + std::string(ReadStatusText(file.status));
      if (file.status == ReadStatus::kIoError)
        result.problem += ": " + std::string(std::strerror(file.error));
      return result;
  }
  if (!MatchesDigest(digest, file.content)) {
    result.status = ManifestStatus::kDigestMismatch;
    result.problem = "manifest bytes do not hash to " + digest.ToString() +
                     " (tampered or truncated; " + std::to_string(file.content.size()) + " bytes)";
    return result;
  }
  ParsedManifest parsed = ParseManifest(parser, file.content);
  if (parsed.manifest) {
    const Manifest& manifest = *parsed.manifest;
    result.status = ManifestStatus::kOk;
    result.kind = manifest.kind;
    result.blobs = static_cast<uint32_t>(manifest.blobs.size() + (manifest.config ? 1 : 0));
    result.children = static_cast<uint32_t>(manifest.children.size());
    result.has_subject = manifest.subject.has_value();
    result.references.reserve(result.blobs + result.children + (result.has_subject ? 1 : 0));
    if (manifest.config) result.references.push_back(manifest.config->digest);
    for (const Descriptor& blob : manifest.blobs) result.references.push_back(blob.digest);
    for (const Descriptor& child : manifest.children) result.references.push_back(child.digest);
    if (manifest.subject) result.references.push_back(manifest.subject->digest);
  } else {
    result.status = ManifestStatus::kInvalid;
    result.problem = parsed.error;
  }
  // Last: the observer may take the parse.
  if (observer != nullptr) (*observer)(id, file.content, parsed);
  return result;
}

}  // namespace

std::string_view ManifestStatusText(ManifestStatus status) {
  switch (status) {
    case ManifestStatus::kNotLoaded:
      return "not loaded";
    case ManifestStatus::kOk:
      return "ok";
    case ManifestStatus::kMissing:
      return "missing";
    case ManifestStatus::kUnreadable:
      return "unreadable";
    case ManifestStatus::kTooLarge:
      return "too large";
    case ManifestStatus::kDigestMismatch:
      return "digest mismatch";
    case ManifestStatus::kInvalid:
      return "invalid";
  }
  return "invalid";
}

constexpr NodeId kFreeSlot = UINT32_MAX;

bool RepositoryNode::HasRevision(NodeId id) const {
  const auto it =
      std::lower_bound(revisions.begin(), revisions.end(), id,
                       [](const auto& revision, NodeId key) { return revision.first < key; });
  return it != revisions.end() && it->first == id;
}

size_t Graph::SlotOf(const Digest& digest) const {
  const size_t mask = slots_.size() - 1;
  size_t slot = DigestHash{}(digest)&mask;
  while (slots_[slot] != kFreeSlot && !(nodes_[slots_[slot]].digest == digest)) {
    slot = (slot + 1) & mask;
  }
  return slot;
}

void Graph::Rehash(size_t capacity) {
  slots_.assign(capacity, kFreeSlot);
  for (NodeId id = 0; id < nodes_.size(); ++id) slots_[SlotOf(nodes_[id].digest)] = id;
}

NodeId Graph::Intern(const Digest& digest) {
  if (2 * (nodes_.size() + 1) > slots_.size()) Rehash(std::max<size_t>(1024, 2 * slots_.size()));
  const size_t slot = SlotOf(digest);
  if (slots_[slot] != kFreeSlot) return slots_[slot];
  const NodeId id = static_cast<NodeId>(nodes_.size());
  Node node;
  node.digest = digest;
  nodes_.push_back(node);
  slots_[slot] = id;
  return id;
}

template <typename DigestAt, typename Use>
void Graph::InternEach(size_t count, const DigestAt& digest_at, const Use& use) {
  // The slot of the digest kAhead places on is fetched, and the node named by the slot of the
  // one half as far on (fetched by then), so both lines are in the cache when its turn comes.
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < count; ++i) {
    const size_t mask = slots_.size() - 1;
    if (i + kAhead < count) __builtin_prefetch(&slots_[digest_at(i + kAhead).Hash() & mask]);
    if (i + kAhead / 2 < count) {
      const NodeId ahead = slots_[digest_at(i + kAhead / 2).Hash() & mask];
      if (ahead < nodes_.size()) __builtin_prefetch(&nodes_[ahead]);
    }
    use(i, Intern(digest_at(i)));
  }
}

std::optional<NodeId> Graph::Find(const Digest& digest) const {
  if (slots_.empty()) return std::nullopt;
  const NodeId id = slots_[SlotOf(digest)];
  if (id == kFreeSlot) return std::nullopt;
  return id;
}

const std::string& Graph::Problem(NodeId id) const {
  static const std::string kNone;
  const auto it = problems_.find(id);
  return it == problems_.end() ? kNone : it->second;
}

const BlobRecord* Graph::Blob(NodeId id) const {
  const int32_t index = nodes_[id].blob;
  return index < 0 ? nullptr : &inventory_->blobs[static_cast<size_t>(index)];
}

void Graph::LoadManifests(const std::vector<NodeId>& ids, const Folder& v2, TreeReader& fs,
                          const ManifestObserver* observer, Progress* progress) {
  AddTotal(progress, ids.size());
  // Manifests are read below their blob folders, each opened once.
  auto shards = std::make_unique<ShardFolders>(*inventory_->layout);
  for (const NodeId id : ids) shards->Want(nodes_[id].digest);
  // A folder that cannot be opened leaves its manifests unreadable (LoadOne says why).
  shards->OpenWanted(fs, v2);
  manifests_.reserve(manifests_.size() + ids.size());
  // Parsed manifests are large next to what the graph keeps of them (their descriptors carry
  // media types, sizes, annotations), so they are read in parallel a chunk at a time, and a
  // chunk is interned while the next one is read: the transient memory is two chunks, however
  // large the tree, and interning (one thread: it grows nodes_) waits on no read. The reading
  // tasks therefore never touch nodes_: what they need of each node is copied out first.
  constexpr size_t kChunk = 2048;
  struct ToRead {
    Digest digest;
    bool in_store = false;
  };
  std::vector<ToRead> to_read;
  std::vector<LoadResult> reading;
  std::vector<LoadResult> read;
  size_t read_begin = 0;
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers;
  tbb::task_group group;
  for (size_t begin = 0;; begin += kChunk) {
    const size_t count = begin < ids.size() ? std::min(kChunk, ids.size() - begin) : 0;
    to_read.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const NodeId id = ids[begin + i];
      const BlobRecord* blob = Blob(id);
      // A blob whose data was not examined may still have it: reading it tells.
      to_read[i] = {nodes_[id].digest, blob != nullptr && (blob->has_data || !blob->data_known)};
    }
    reading.assign(count, LoadResult());
    group.run([&, begin, count] {
      tbb::parallel_for(size_t{0}, count, [&](size_t i) {
        const Digest& digest = to_read[i].digest;
        reading[i] = LoadOne(fs, shards->Of(digest), shards->DataIn(digest), ids[begin + i], digest,
                             to_read[i].in_store, observer, parsers.local());
        Advance(progress);
      });
    });
    AddLoaded(ids.data() + read_begin, &read);
    group.wait();
    if (count == 0) break;
    std::swap(reading, read);
    read_begin = begin;
  }
}

void Graph::AddLoaded(const NodeId* ids, std::vector<LoadResult>* results) {
  // The references of every manifest of the chunk, in order, are interned in one pass.
  std::vector<Digest> references;
  for (const LoadResult& result : *results) {
    references.insert(references.end(), result.references.begin(), result.references.end());
  }
  std::vector<NodeId> nodes(references.size());
  InternEach(
      references.size(), [&](size_t i) -> const Digest& { return references[i]; },
      [&](size_t i, NodeId node) { nodes[i] = node; });
  const NodeId* next = nodes.data();
  for (size_t i = 0; i < results->size(); ++i) {
    LoadResult& result = (*results)[i];
    const NodeId id = ids[i];
    nodes_[id].status = result.status;
    if (result.status != ManifestStatus::kOk) {
      problems_[id] = std::move(result.problem);
      continue;
    }
    ManifestNode manifest;
    manifest.kind = result.kind;
    manifest.blobs.assign(next, next + result.blobs);
    next += result.blobs;
    manifest.children.assign(next, next + result.children);
    next += result.children;
    if (result.has_subject) manifest.subject = *next++;
    nodes_[id].manifest = static_cast<uint32_t>(manifests_.size());
    manifests_.push_back(std::move(manifest));
  }
}

Graph Graph::Build(const Inventory& inventory, const Folder& v2, TreeReader* reader,
                   const ManifestObserver* observer, Progress* progress) {
  TreeReader& fs = reader != nullptr ? *reader : DefaultTreeReader();
  Graph graph;
  graph.inventory_ = &inventory;
  graph.nodes_.reserve(inventory.blobs.size());
  size_t capacity = 1024;
  while (capacity < 2 * inventory.blobs.size()) capacity *= 2;
  graph.Rehash(capacity);
  graph.InternEach(
      inventory.blobs.size(), [&](size_t i) -> const Digest& { return inventory.blobs[i].digest; },
      [&](size_t i, NodeId id) {
        graph.nodes_[id].blob = static_cast<int32_t>(i);
        if (id != i) graph.blobs_in_order_ = false;
      });
  std::vector<NodeId> wanted;
  std::vector<uint8_t> queued;
  auto want = [&](NodeId id) {
    if (queued.size() <= id) queued.resize(graph.nodes_.size() + 1, 0);
    if (queued[id] == 0) {
      queued[id] = 1;
      wanted.push_back(id);
    }
  };
  graph.repositories_.reserve(inventory.repositories.size());
  for (const RepositoryRecord& record : inventory.repositories) {
    RepositoryNode repository;
    repository.record = &record;
    repository.layer_links.reserve(record.layer_links.size());
    repository.layer_links.resize(record.layer_links.size());
    graph.InternEach(
        record.layer_links.size(), [&](size_t i) -> const Digest& { return record.layer_links[i]; },
        [&](size_t i, NodeId id) { repository.layer_links[i] = id; });
    for (const Digest& link : record.unusable_layer_links) graph.Intern(link);
    repository.revision_nodes.reserve(record.revisions.size());
    for (uint32_t i = 0; i < record.revisions.size(); ++i) {
      const RevisionRecord& revision = record.revisions[i];
      const NodeId id = graph.Intern(revision.digest);
      repository.revision_nodes.push_back(id);
      if (revision.link == LinkState::kOk) {
        repository.revisions.emplace_back(id, i);
        want(id);
      }
      if (revision.other_target) want(graph.Intern(*revision.other_target));
    }
    repository.tag_targets.reserve(record.tags.size());
    repository.tag_index_starts.reserve(record.tags.size() + 1);
    for (const TagRecord& tag : record.tags) {
      NodeId target = kFreeSlot;
      if (tag.current_state == LinkState::kOk) {
        target = graph.Intern(tag.current);
        want(target);
      }
      repository.tag_targets.push_back(target);
      repository.tag_index_starts.push_back(
          static_cast<uint32_t>(repository.tag_index_nodes.size()));
      for (const Digest& entry : tag.index_entries) {
        repository.tag_index_nodes.push_back(graph.Intern(entry));
      }
    }
    repository.tag_index_starts.push_back(static_cast<uint32_t>(repository.tag_index_nodes.size()));
    // Sorted, a revision is found by bisection. A store lists each revision once; a node named
    // twice would keep its first index, as one map entry per node did.
    std::sort(repository.revisions.begin(), repository.revisions.end());
    repository.revisions.erase(
        std::unique(repository.revisions.begin(), repository.revisions.end(),
                    [](const auto& a, const auto& b) { return a.first == b.first; }),
        repository.revisions.end());
    graph.repositories_.push_back(std::move(repository));
  }
  // Load in rounds: each round's index children that nobody named yet make the next round.
  while (!wanted.empty()) {
    std::vector<NodeId> batch;
    batch.swap(wanted);
    graph.LoadManifests(batch, v2, fs, observer, progress);
    for (const NodeId id : batch) {
      if (graph.nodes_[id].status != ManifestStatus::kOk) continue;
      const std::vector<NodeId> children = graph.manifest(id).children;
      for (const NodeId child : children) want(child);
    }
  }
  for (RepositoryNode& repository : graph.repositories_) {
    for (const auto& [id, index] : repository.revisions) {
      const Node& node = graph.nodes_[id];
      if (node.status == ManifestStatus::kOk && graph.manifest(id).subject) {
        repository.referrers[*graph.manifest(id).subject].push_back(id);
      }
    }
  }
  return graph;
}

}  // namespace regsweep
