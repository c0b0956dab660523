// A deterministic synthetic registry held in memory, for benchmarks of the graph and the mark
// without a disk tree: the Inventory a scan of it would produce, the bytes of its manifests, and
// what a mark with --delete-untagged must keep.
//
// Shape (fixed seed): repositories of about 100 manifests each; tagged OCI image manifests whose
// config and layers are linked in the repository (two layers drawn from a shared pool, so blobs
// are shared across images and repositories, the others the image's own); OCI indexes naming two
// per-platform images; referrers (SBOM manifests with `artifactType` and `subject`) of tagged
// and of untagged images; untagged images left behind by moved tags (still in the tag's index);
// and orphan blobs nothing references. Every manifest is real JSON whose sha256 is its digest;
// the other blobs have random digests. There are about ten blobs per manifest.
#ifndef REGSWEEP_BENCH_SYNTHETIC_REGISTRY_H_
#define REGSWEEP_BENCH_SYNTHETIC_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/digest.h"
#include "core/scan.h"

namespace regsweep {

struct SyntheticRegistry {
  Inventory inventory;  // blobs sorted by digest, repositories by name, as ScanRegistry has them
  // The manifests' bytes by path below the v2 folder (distribution::BlobData).
  std::unordered_map<std::string, std::string> files;
  // Every blob a mark that deletes untagged manifests must keep, sorted; nothing else is live.
  std::vector<Digest> expected_live;
  size_t manifests = 0;
};

// Builds a registry of about `manifests` manifests (at least one repository of about 100).
SyntheticRegistry MakeSyntheticRegistry(size_t manifests, uint64_t seed = 1);

}  // namespace regsweep

#endif  // REGSWEEP_BENCH_SYNTHETIC_REGISTRY_H_
