// Graph building: interning, parallel manifest loading, referrer maps.
#include "core/graph.h"

#include <fcntl.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <array>
#include <cstring>

#include "core/fs.h"
#include "core/hash.h"
#include "core/layout.h"
#include "core/tree_reader.h"

namespace regsweep {
namespace {

struct LoadResult {
  ManifestStatus status = ManifestStatus::kNotLoaded;
  std::string problem;
  std::optional<Manifest> manifest;
};

// `algorithm_fds` are the open blobs/sha256 and blobs/sha512 folders: opening a manifest below
// them walks two path components instead of five, which matters for a million manifests.
LoadResult LoadOne(TreeReader& fs, const std::array<UniqueFd, 2>& algorithm_fds,
                   const Digest& digest, bool in_store, simdjson::dom::parser& parser) {
  LoadResult result;
  if (!in_store) {
    result.status = ManifestStatus::kMissing;
    result.problem = "manifest blob is not in the blob store";
    return result;
  }
  const SmallFile file =
      fs.ReadSmall(algorithm_fds[static_cast<size_t>(digest.algorithm())].get(),
                   layout::BlobDataBelowAlgorithm(digest), layout::kMaxManifestBytes);
  switch (file.status) {
    case ReadStatus::kOk:
      break;
    case ReadStatus::kNotFound:
      result.status = ManifestStatus::kMissing;
      result.problem = "manifest blob data is missing";
      return result;
    case ReadStatus::kTooLarge:
      result.status = ManifestStatus::kTooLarge;
      result.problem = "manifest is larger than " + std::to_string(layout::kMaxManifestBytes) +
                       " bytes; not parsed";
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
  if (!parsed.manifest) {
    result.status = ManifestStatus::kInvalid;
    result.problem = std::move(parsed.error);
    return result;
  }
  result.status = ManifestStatus::kOk;
  result.manifest = std::move(parsed.manifest);
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

NodeId Graph::Intern(const Digest& digest) {
  const auto [it, inserted] = ids_.try_emplace(digest, static_cast<NodeId>(nodes_.size()));
  if (inserted) {
    Node node;
    node.digest = digest;
    nodes_.push_back(std::move(node));
  }
  return it->second;
}

std::optional<NodeId> Graph::Find(const Digest& digest) const {
  const auto it = ids_.find(digest);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

const BlobRecord* Graph::Blob(NodeId id) const {
  const int32_t index = nodes_[id].blob;
  return index < 0 ? nullptr : &inventory_->blobs[static_cast<size_t>(index)];
}

void Graph::LoadManifests(const std::vector<NodeId>& ids, int v2fd, TreeReader& fs) {
  // Only the algorithm folders some manifest is in are opened.
  std::array<UniqueFd, 2> algorithm_fds;
  std::array<bool, 2> opened = {false, false};
  for (const NodeId id : ids) {
    const DigestAlgorithm algorithm = nodes_[id].digest.algorithm();
    const size_t a = static_cast<size_t>(algorithm);
    if (opened[a]) continue;
    opened[a] = true;
    algorithm_fds[a] = fs.OpenDir(
        v2fd, std::string(layout::kBlobsDir) + "/" + std::string(AlgorithmName(algorithm)));
  }
  std::vector<LoadResult> results(ids.size());
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers;
  tbb::parallel_for(size_t{0}, ids.size(), [&](size_t i) {
    const NodeId id = ids[i];
    const BlobRecord* blob = Blob(id);
    results[i] = LoadOne(fs, algorithm_fds, nodes_[id].digest, blob != nullptr && blob->has_data,
                         parsers.local());
  });
  for (size_t i = 0; i < ids.size(); ++i) {
    LoadResult& result = results[i];
    nodes_[ids[i]].status = result.status;
    nodes_[ids[i]].problem = std::move(result.problem);
    if (result.status != ManifestStatus::kOk) continue;
    const Manifest& parsed = *result.manifest;
    ManifestNode manifest;
    manifest.kind = parsed.kind;
    if (parsed.config) manifest.blobs.push_back(Intern(parsed.config->digest));
    for (const Descriptor& blob : parsed.blobs) manifest.blobs.push_back(Intern(blob.digest));
    for (const Descriptor& child : parsed.children) {
      manifest.children.push_back(Intern(child.digest));
    }
    if (parsed.subject) manifest.subject = Intern(parsed.subject->digest);
    nodes_[ids[i]].manifest = static_cast<uint32_t>(manifests_.size());
    manifests_.push_back(std::move(manifest));
  }
}

Graph Graph::Build(const Inventory& inventory, int v2fd, TreeReader* reader) {
  TreeReader& fs = reader != nullptr ? *reader : DefaultTreeReader();
  Graph graph;
  graph.inventory_ = &inventory;
  graph.nodes_.reserve(inventory.blobs.size());
  graph.ids_.reserve(inventory.blobs.size());
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    graph.nodes_[graph.Intern(inventory.blobs[i].digest)].blob = static_cast<int32_t>(i);
  }
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
    for (const Digest& link : record.layer_links) graph.Intern(link);
    for (uint32_t i = 0; i < record.revisions.size(); ++i) {
      const RevisionRecord& revision = record.revisions[i];
      const NodeId id = graph.Intern(revision.digest);
      if (revision.link == LinkState::kOk) {
        repository.revisions.emplace(id, i);
        want(id);
      }
      if (revision.other_target) want(graph.Intern(*revision.other_target));
    }
    for (const TagRecord& tag : record.tags) {
      if (tag.current_state == LinkState::kOk) want(graph.Intern(tag.current));
      for (const Digest& entry : tag.index_entries) graph.Intern(entry);
    }
    graph.repositories_.push_back(std::move(repository));
  }
  // Load in rounds: each round's index children that nobody named yet make the next round.
  while (!wanted.empty()) {
    std::vector<NodeId> batch;
    batch.swap(wanted);
    graph.LoadManifests(batch, v2fd, fs);
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
