// Space accounting: who uses which bytes of a registry, and what deleting would really free.
//
// Every number is defined by gc's own marking rules (gc/mark, gc/closure) with tags as the
// only roots (`gc -m`) and no grace period, so "exclusive" always means "what gc would free":
//   - image of a tag: every node its current manifest keeps alive in its repository (manifest,
//     config, layers, index children recursively, referrers at any depth); its size is the sum
//     of the sizes of those blobs that are in the store;
//   - holders: the distinct (repository, manifest) pairs that tags name, plus one per
//     repository kept whole (which holds every revision, tag and linked layer it has);
//   - a tag's exclusive bytes: the blobs that its holder alone reaches, and 0 when another tag
//     names the same manifest in the same repository (untagging one of them frees nothing);
//   - a repository's logical bytes: the distinct blobs its holders reach; exclusive: those no
//     other repository's holder reaches (freed if it were deleted); shared = logical - exclusive;
//   - referenced: blobs some holder reaches; unreferenced: the rest (what `gc -m --min-age 0`
//     frees now); unreferenced by any manifest: what plain `gc --min-age 0` frees now;
//   - dedup ratio: the sum of every tag's image size over the referenced bytes.
// One reference-counting pass over the holders' closures computes all of it (each blob keeps
// the first holder and repository reaching it and how many do), in time proportional to the
// sum of the closures.
#ifndef REGSWEEP_AUDIT_USAGE_USAGE_H_
#define REGSWEEP_AUDIT_USAGE_USAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/finding.h"
#include "core/graph.h"

namespace regsweep::usage {

struct Totals {
  uint64_t blobs = 0;  // blob files in the store
  uint64_t blob_bytes = 0;
  uint64_t allocated_bytes = 0;  // st_blocks * 512
  uint64_t referenced_blobs = 0;
  uint64_t referenced_bytes = 0;
  uint64_t unreferenced_blobs = 0;  // what gc -m would free now
  uint64_t unreferenced_bytes = 0;
  uint64_t unused_by_manifests_blobs = 0;  // what gc (without -m) would free now
  uint64_t unused_by_manifests_bytes = 0;
  uint64_t manifests = 0;  // distinct manifests parsed
  uint64_t tags = 0;
  uint64_t repositories = 0;
  uint64_t uploads = 0;
  uint64_t upload_bytes = 0;
  uint64_t image_bytes = 0;  // sum of every tag's image size
  double dedup_ratio = 0;    // image_bytes / referenced_bytes (0 when nothing is referenced)
};

struct RepositoryUsage {
  std::string name;
  uint64_t tags = 0;
  uint64_t manifests = 0;  // revision links
  uint64_t logical_bytes = 0;
  uint64_t exclusive_bytes = 0;
  uint64_t shared_bytes = 0;
  bool kept_whole = false;  // something in it could not be known: gc keeps all of it
};

// Bytes two repositories both reach (first < second, by name).
struct SharedPair {
  std::string first;
  std::string second;
  uint64_t bytes = 0;
};

struct TagUsage {
  std::string repository;
  std::string tag;
  Digest manifest;
  uint64_t size_bytes = 0;
  uint64_t exclusive_bytes = 0;
  uint32_t same_manifest_tags = 0;  // other tags naming the same manifest in the repository
  bool kept_whole = false;
};

struct BlobUsage {
  Digest digest;
  uint64_t size = 0;
  std::vector<std::string> repositories;  // sorted
  std::vector<std::string> tags;          // "repo:tag" and "repo (kept whole)", sorted
};

struct Usage {
  Totals totals;
  std::vector<RepositoryUsage> repositories;  // by name
  std::vector<SharedPair> shared_pairs;       // every pair sharing bytes, largest first
  std::vector<TagUsage> tags;                 // by repository, then tag
  std::vector<BlobUsage> top_blobs;           // largest first
  Findings problems;                          // what kept repositories whole
  // Part of the repository tree is unknown (a folder that could not be listed, a symbolic
  // link): the figures exclude what lies there, and, as its images may use any blob, no byte
  // counts as exclusive (gc would free none).
  bool images_hidden = false;
};

// Accounts the graph. `top_blobs` is how many of the largest blobs to describe.
Usage ComputeUsage(const Graph& graph, size_t top_blobs);

// The repositories `name` shares the most with, largest first (at most `limit`).
std::vector<SharedPair> SharesOf(const Usage& usage, const std::string& name, size_t limit);

}  // namespace regsweep::usage

#endif  // REGSWEEP_AUDIT_USAGE_USAGE_H_
