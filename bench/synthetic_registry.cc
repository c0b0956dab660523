// Generation of the synthetic registry: one pass over the repositories with a fixed-seed
// generator, recording blobs, links, revisions and tags as they are made, then the sorting
// ScanRegistry does.
#include "bench/synthetic_registry.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "core/distribution_layout.h"
#include "core/hash.h"

namespace regsweep {
namespace {

constexpr size_t kManifestsPerRepository = 100;
constexpr size_t kPoolLayersPerImage = 2;
constexpr uint64_t kMinOwnLayers = 6;
constexpr uint64_t kMaxOwnLayers = 12;
constexpr uint64_t kMaxLayerBytes = uint64_t{64} << 20;
// Everything was written during the year before this instant (2023-11-14).
constexpr int64_t kNewestNs = 1'700'000'000'000'000'000;
constexpr uint64_t kYearNs = uint64_t{365} * 24 * 3600 * 1'000'000'000;

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
constexpr std::string_view kSbom = "application/spdx+json";

struct Blob {
  Digest digest;
  uint64_t size = 0;
};

std::string DescriptorJson(std::string_view media_type, const Blob& blob,
                           std::string_view extra = "") {
  return "{\"mediaType\":\"" + std::string(media_type) + "\",\"digest\":\"" +
         blob.digest.ToString() + "\",\"size\":" + std::to_string(blob.size) + std::string(extra) +
         "}";
}

// An OCI image manifest; with a `subject`, an SBOM artifact naming that manifest.
std::string ImageManifestJson(const Blob& config, const std::vector<Blob>& layers,
                              const Blob* subject) {
  std::string json = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciManifest) + "\",";
  if (subject != nullptr) json += "\"artifactType\":\"" + std::string(kSbom) + "\",";
  json += "\"config\":" + DescriptorJson(subject != nullptr ? kOciEmpty : kOciConfig, config) +
          ",\"layers\":[";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i != 0) json += ',';
    json += DescriptorJson(subject != nullptr ? kSbom : kOciLayer, layers[i]);
  }
  json += "]";
  if (subject != nullptr) json += ",\"subject\":" + DescriptorJson(kOciManifest, *subject);
  return json + "}";
}

std::string IndexJson(const Blob& amd64, const Blob& arm64) {
  return "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciIndex) + "\",\"manifests\":[" +
         DescriptorJson(kOciManifest, amd64,
                        ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}") +
         "," +
         DescriptorJson(kOciManifest, arm64,
                        ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}") +
         "]}";
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  SyntheticRegistry Run(size_t manifests) {
    const size_t repositories =
        std::max<size_t>(1, (manifests + kManifestsPerRepository - 1) / kManifestsPerRepository);
    for (size_t i = 0; i <= manifests / 4; ++i) pool_.push_back(AddBlob(LayerSize()));
    for (size_t r = 0; r < repositories; ++r) AddRepository(r);
    for (size_t i = 0; i < manifests / 2; ++i) AddBlob(LayerSize());  // orphans
    Sort();
    return std::move(registry_);
  }

 private:
  void AddRepository(size_t r) {
    RepositoryRecord repo;
    repo.name = "team" + std::to_string(r % 10) + "/app" + std::to_string(r);
    const size_t first = registry_.manifests;
    while (registry_.manifests - first < kManifestsPerRepository) Push(repo);
    // One link per blob, however many images of the repository use it.
    std::sort(repo.layer_links.begin(), repo.layer_links.end());
    repo.layer_links.erase(std::unique(repo.layer_links.begin(), repo.layer_links.end()),
                           repo.layer_links.end());
    registry_.inventory.repositories.push_back(std::move(repo));
  }

  // One push to the repository: mostly a tagged image, else a tagged index, an image whose tag
  // has moved on, or either kind of image with a referrer.
  void Push(RepositoryRecord& repo) {
    switch (rng_() % 20) {
      case 0:
      case 1:
        Tag(repo, Index(repo));
        break;
      case 2:
        Referrer(repo, Tag(repo, Image(repo, true)), true);
        break;
      case 3:
        Referrer(repo, Untagged(repo, Image(repo, false)), false);
        break;
      case 4:
      case 5:
        Untagged(repo, Image(repo, false));
        break;
      default:
        Tag(repo, Image(repo, true));
    }
  }

  Blob Index(RepositoryRecord& repo) {
    const Blob amd64 = Image(repo, true);
    const Blob arm64 = Image(repo, true);
    return Manifest(repo, IndexJson(amd64, arm64), true);
  }

  // An image manifest with its own config and layers and some from the shared pool.
  Blob Image(RepositoryRecord& repo, bool live) {
    std::vector<Blob> layers;
    for (size_t i = 0; i < kPoolLayersPerImage; ++i) {
      layers.push_back(pool_[rng_() % pool_.size()]);
    }
    const uint64_t own = kMinOwnLayers + rng_() % (kMaxOwnLayers - kMinOwnLayers + 1);
    for (uint64_t i = 0; i < own; ++i) layers.push_back(AddBlob(LayerSize()));
    const Blob config = AddBlob(1024 + rng_() % 8192);
    Use(repo, config, live);
    for (const Blob& layer : layers) Use(repo, layer, live);
    return Manifest(repo, ImageManifestJson(config, layers, nullptr), live);
  }

  // An SBOM naming `subject`: live exactly when its subject is.
  void Referrer(RepositoryRecord& repo, const Blob& subject, bool live) {
    const Blob sbom = AddBlob(4096 + rng_() % 65536);
    Use(repo, EmptyConfig(), live);
    Use(repo, sbom, live);
    Manifest(repo, ImageManifestJson(EmptyConfig(), {sbom}, &subject), live);
  }

  Blob Manifest(RepositoryRecord& repo, std::string json, bool live) {
    const Blob manifest = Store(HashBytes(DigestAlgorithm::kSha256, json), json.size());
    registry_.files.emplace(distribution::BlobData(manifest.digest), std::move(json));
    RevisionRecord revision;
    revision.digest = manifest.digest;
    revision.mtime_ns = Mtime();
    repo.revisions.push_back(revision);
    if (live) registry_.expected_live.push_back(manifest.digest);
    ++registry_.manifests;
    return manifest;
  }

  Blob Tag(RepositoryRecord& repo, const Blob& manifest) {
    TagRecord tag;
    tag.name = "v" + std::to_string(repo.tags.size());
    tag.current = manifest.digest;
    tag.mtime_ns = Mtime();
    tag.index_entries.push_back(manifest.digest);
    repo.tags.push_back(std::move(tag));
    return manifest;
  }

  // A manifest the newest tag pointed to before it moved: it stays in that tag's index.
  Blob Untagged(RepositoryRecord& repo, const Blob& manifest) {
    if (!repo.tags.empty()) repo.tags.back().index_entries.push_back(manifest.digest);
    return manifest;
  }

  // Links `blob` in the repository's `_layers`.
  void Use(RepositoryRecord& repo, const Blob& blob, bool live) {
    repo.layer_links.push_back(blob.digest);
    if (live) registry_.expected_live.push_back(blob.digest);
  }

  // The OCI empty descriptor's blob ("{}"), shared by every referrer.
  const Blob& EmptyConfig() {
    if (!empty_config_) empty_config_ = Store(HashBytes(DigestAlgorithm::kSha256, "{}"), 2);
    return *empty_config_;
  }

  Blob AddBlob(uint64_t size) { return Store(RandomDigest(), size); }

  Blob Store(const Digest& digest, uint64_t size) {
    BlobRecord record;
    record.digest = digest;
    record.has_data = true;
    BlobFacts facts;
    facts.size = size;
    facts.allocated = (size + 4095) / 4096 * 4096;
    facts.mtime_ns = Mtime();
    facts.inode = registry_.inventory.blobs.size() + 1;
    registry_.inventory.AddBlob(record, facts);
    return Blob{digest, size};
  }

  Digest RandomDigest() {
    std::array<uint8_t, 32> bytes;
    for (size_t i = 0; i < bytes.size(); i += sizeof(uint64_t)) {
      const uint64_t value = rng_();
      std::memcpy(bytes.data() + i, &value, sizeof value);
    }
    return Digest::FromBytes(DigestAlgorithm::kSha256, bytes.data());
  }

  uint64_t LayerSize() { return 1024 + rng_() % kMaxLayerBytes; }
  int64_t Mtime() { return kNewestNs - static_cast<int64_t>(rng_() % kYearNs); }

  // As ScanRegistry leaves them; each blob is expected live once.
  void Sort() {
    Inventory& inventory = registry_.inventory;
    std::sort(inventory.blobs.begin(), inventory.blobs.end(),
              [](const BlobRecord& a, const BlobRecord& b) { return a.digest < b.digest; });
    std::sort(inventory.repositories.begin(), inventory.repositories.end(),
              [](const RepositoryRecord& a, const RepositoryRecord& b) { return a.name < b.name; });
    std::vector<Digest>& live = registry_.expected_live;
    std::sort(live.begin(), live.end());
    live.erase(std::unique(live.begin(), live.end()), live.end());
  }

  std::mt19937_64 rng_;
  std::vector<Blob> pool_;
  std::optional<Blob> empty_config_;
  SyntheticRegistry registry_;
};

}  // namespace

SyntheticRegistry MakeSyntheticRegistry(size_t manifests, uint64_t seed) {
  return Generator(seed).Run(manifests);
}

}  // namespace regsweep
