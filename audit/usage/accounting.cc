// The reference-counting pass behind ComputeUsage (definitions in usage.h).
#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "audit/usage/usage.h"
#include "core/closure.h"
#include "core/mark.h"

namespace regsweep::usage {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// A distinct thing that keeps blobs alive: a manifest named by tags in a repository, or a
// repository kept whole.
struct Holder {
  MarkRoot root;
  std::vector<uint32_t> tags;  // indexes into the record's tags naming the manifest
  uint64_t size = 0;
  uint64_t exclusive = 0;
};

GcPolicy NoGracePolicy(bool delete_untagged) {
  GcPolicy policy;
  policy.delete_untagged = delete_untagged;
  policy.min_age_ns = 0;
  return policy;
}

std::vector<Holder> CollectHolders(const Graph& graph, const MarkResult& marks) {
  std::vector<Holder> holders;
  std::map<std::pair<uint32_t, NodeId>, size_t> by_manifest;
  for (const MarkRoot& root : marks.roots) {
    if (root.kind == MarkRoot::Kind::kRepositoryKeptWhole) {
      holders.push_back(Holder{root, {}, 0, 0});
      continue;
    }
    // With tags as roots and no grace period, a revision is a root only when its manifest is
    // unusable, which keeps the repository whole: its kept-whole holder covers it.
    if (root.kind != MarkRoot::Kind::kTag) continue;
    const TagRecord& tag = graph.repositories()[root.repository].record->tags[root.index];
    const auto key = std::make_pair(root.repository, *graph.Find(tag.current));
    const auto [it, inserted] = by_manifest.try_emplace(key, holders.size());
    if (inserted) holders.push_back(Holder{root, {}, 0, 0});
    holders[it->second].tags.push_back(root.index);
  }
  return holders;
}

void AddSharedPairs(const Graph& graph, std::vector<std::pair<NodeId, uint32_t>> node_repositories,
                    Usage* usage) {
  std::sort(node_repositories.begin(), node_repositories.end());
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> pairs;
  for (size_t begin = 0; begin < node_repositories.size();) {
    size_t end = begin;
    while (end < node_repositories.size() &&
           node_repositories[end].first == node_repositories[begin].first) {
      ++end;
    }
    const uint64_t size = graph.inventory().Facts(*graph.Blob(node_repositories[begin].first)).size;
    for (size_t a = begin; a < end; ++a) {
      for (size_t b = a + 1; b < end; ++b) {
        pairs[{node_repositories[a].second, node_repositories[b].second}] += size;
      }
    }
    begin = end;
  }
  for (const auto& [pair, bytes] : pairs) {
    if (bytes == 0) continue;
    usage->shared_pairs.push_back(SharedPair{usage->repositories[pair.first].name,
                                             usage->repositories[pair.second].name, bytes});
  }
  std::stable_sort(usage->shared_pairs.begin(), usage->shared_pairs.end(),
                   [](const SharedPair& a, const SharedPair& b) { return a.bytes > b.bytes; });
}

void DescribeTopBlobs(const Graph& graph, const std::vector<Holder>& holders, size_t count,
                      Usage* usage) {
  const Inventory& inventory = graph.inventory();
  std::vector<const BlobRecord*> blobs;
  for (const BlobRecord& blob : inventory.blobs) {
    if (blob.has_data) blobs.push_back(&blob);
  }
  count = std::min(count, blobs.size());
  std::partial_sort(blobs.begin(), blobs.begin() + static_cast<std::ptrdiff_t>(count), blobs.end(),
                    [&](const BlobRecord* a, const BlobRecord* b) {
                      const uint64_t a_size = inventory.Facts(*a).size;
                      const uint64_t b_size = inventory.Facts(*b).size;
                      return a_size != b_size ? a_size > b_size : a->digest < b->digest;
                    });
  std::unordered_map<NodeId, size_t> wanted;
  for (size_t i = 0; i < count; ++i) {
    wanted[*graph.Find(blobs[i]->digest)] = i;
    usage->top_blobs.push_back(
        BlobUsage{blobs[i]->digest, inventory.Facts(*blobs[i]).size, {}, {}});
  }
  ClosureWalker walker(graph);
  std::vector<NodeId> nodes;
  for (const Holder& holder : holders) {
    walker.Walk(holder.root, &nodes);
    const RepositoryRecord& record = *graph.repositories()[holder.root.repository].record;
    const std::string& name = usage->repositories[holder.root.repository].name;
    for (const NodeId id : nodes) {
      const auto it = wanted.find(id);
      if (it == wanted.end()) continue;
      BlobUsage& blob = usage->top_blobs[it->second];
      if (blob.repositories.empty() || blob.repositories.back() != name) {
        blob.repositories.push_back(name);
      }
      if (holder.root.kind == MarkRoot::Kind::kRepositoryKeptWhole) {
        blob.tags.push_back(DescribeRoot(graph, holder.root));
      }
      for (const uint32_t t : holder.tags) blob.tags.push_back(name + ":" + record.tags[t].name);
    }
  }
  for (BlobUsage& blob : usage->top_blobs) {
    std::sort(blob.repositories.begin(), blob.repositories.end());
    blob.repositories.erase(std::unique(blob.repositories.begin(), blob.repositories.end()),
                            blob.repositories.end());
    std::sort(blob.tags.begin(), blob.tags.end());
  }
}

}  // namespace

Usage ComputeUsage(const Graph& graph, size_t top_blobs) {
  Usage usage;
  const MarkResult marks = Mark(graph, NoGracePolicy(true));
  const MarkResult manifest_marks = Mark(graph, NoGracePolicy(false));
  usage.problems = marks.problems;
  usage.images_hidden = !graph.inventory().repository_symlinks.empty() ||
                        !graph.inventory().unlisted_repository_folders.empty();
  const size_t node_count = graph.nodes().size();

  Totals& totals = usage.totals;
  for (size_t r = 0; r < graph.repositories().size(); ++r) {
    const RepositoryNode& repository = graph.repositories()[r];
    RepositoryUsage row;
    row.name = PrintedName(*repository.record);
    row.tags = repository.record->tags.size();
    row.manifests = repository.revisions.size();
    row.kept_whole = marks.repositories[r].tainted;
    usage.repositories.push_back(row);
    totals.tags += row.tags;
    for (const UploadRecord& upload : repository.record->uploads) {
      ++totals.uploads;
      totals.upload_bytes += upload.size;
    }
  }
  totals.repositories = graph.repositories().size();
  for (const Node& node : graph.nodes()) totals.manifests += node.status == ManifestStatus::kOk;

  std::vector<Holder> holders = CollectHolders(graph, marks);
  std::vector<uint32_t> first_holder(node_count, kNone);
  std::vector<uint32_t> holder_count(node_count, 0);
  std::vector<uint32_t> first_repository(node_count, kNone);
  std::vector<uint32_t> last_repository(node_count, kNone);
  std::vector<uint32_t> repository_count(node_count, 0);
  std::vector<std::pair<NodeId, uint32_t>> node_repositories;
  ClosureWalker walker(graph);
  std::vector<NodeId> nodes;
  for (uint32_t h = 0; h < holders.size(); ++h) {
    Holder& holder = holders[h];
    const uint32_t r = holder.root.repository;
    walker.Walk(holder.root, &nodes);
    for (const NodeId id : nodes) {
      const BlobRecord* blob = graph.Blob(id);
      if (blob == nullptr) continue;
      const uint64_t size = graph.inventory().Facts(*blob).size;
      holder.size += size;
      if (holder_count[id]++ == 0) first_holder[id] = h;
      if (last_repository[id] == r) continue;
      last_repository[id] = r;
      if (repository_count[id]++ == 0) first_repository[id] = r;
      node_repositories.emplace_back(id, r);
      usage.repositories[r].logical_bytes += size;
    }
  }
  const Inventory& inventory = graph.inventory();
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    const BlobRecord& blob = inventory.blobs[i];
    if (!blob.has_data) continue;  // a folder without data: nothing to account
    const BlobFacts& facts = inventory.Facts(blob);
    const NodeId id = graph.BlobNode(i);
    ++totals.blobs;
    totals.blob_bytes += facts.size;
    totals.allocated_bytes += facts.allocated;
    if (!manifest_marks.live[id]) {
      ++totals.unused_by_manifests_blobs;
      totals.unused_by_manifests_bytes += facts.size;
    }
    if (holder_count[id] == 0) {
      ++totals.unreferenced_blobs;
      totals.unreferenced_bytes += facts.size;
      continue;
    }
    ++totals.referenced_blobs;
    totals.referenced_bytes += facts.size;
    if (usage.images_hidden) continue;
    if (holder_count[id] == 1) holders[first_holder[id]].exclusive += facts.size;
    if (repository_count[id] == 1)
      usage.repositories[first_repository[id]].exclusive_bytes += facts.size;
  }
  for (RepositoryUsage& row : usage.repositories) {
    row.shared_bytes = row.logical_bytes - row.exclusive_bytes;
  }
  std::erase_if(node_repositories, [&](const std::pair<NodeId, uint32_t>& entry) {
    return repository_count[entry.first] < 2;
  });
  AddSharedPairs(graph, std::move(node_repositories), &usage);

  for (const Holder& holder : holders) {
    const uint32_t r = holder.root.repository;
    const RepositoryRecord& record = *graph.repositories()[r].record;
    for (const uint32_t t : holder.tags) {
      TagUsage row;
      row.repository = usage.repositories[r].name;
      row.tag = record.tags[t].name;
      row.manifest = record.tags[t].current;
      row.size_bytes = holder.size;
      row.exclusive_bytes = holder.tags.size() == 1 ? holder.exclusive : 0;
      row.same_manifest_tags = static_cast<uint32_t>(holder.tags.size() - 1);
      row.kept_whole = marks.repositories[r].tainted;
      totals.image_bytes += row.size_bytes;
      usage.tags.push_back(std::move(row));
    }
  }
  std::sort(usage.tags.begin(), usage.tags.end(), [](const TagUsage& a, const TagUsage& b) {
    return a.repository != b.repository ? a.repository < b.repository : a.tag < b.tag;
  });
  if (totals.referenced_bytes != 0) {
    totals.dedup_ratio =
        static_cast<double>(totals.image_bytes) / static_cast<double>(totals.referenced_bytes);
  }
  if (top_blobs != 0) DescribeTopBlobs(graph, holders, top_blobs, &usage);
  return usage;
}

std::vector<SharedPair> SharesOf(const Usage& usage, const std::string& name, size_t limit) {
  std::vector<SharedPair> shares;
  for (const SharedPair& pair : usage.shared_pairs) {
    if (shares.size() == limit) break;
    if (pair.first == name) shares.push_back(pair);
    if (pair.second == name) shares.push_back(SharedPair{pair.second, pair.first, pair.bytes});
  }
  return shares;
}

}  // namespace regsweep::usage
