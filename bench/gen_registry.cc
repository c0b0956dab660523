// gen_registry: writes a large, deterministic distribution registry tree with real digests, for
// benchmarks and the comparison with the reference GC (scripts/compare-reference).
//
// Shape per repository: images sharing base layers from a global pool, tags (some moved, which
// leaves untagged manifests), OCI indexes and docker manifest lists with untagged children,
// referrers with `subject`, and a few orphan blobs. Every manifest is valid for the real
// registry (sizes and digests are exact), so a generated image pulls with skopeo.
//
//   gen_registry ROOT [--repos N] [--images N] [--pool N] [--large-layers N --large-mib M]
//                     [--seed S]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/distribution_layout.h"
#include "core/hash.h"

namespace {

using regsweep::Digest;
using regsweep::DigestAlgorithm;
using regsweep::HashBytes;
namespace distribution = regsweep::distribution;

struct Options {
  std::string root;
  int repos = 100;
  int images = 100;  // image manifests per repository
  int pool = 2000;   // shared base layers
  int large_layers = 0;
  int large_mib = 64;
  uint64_t seed = 1;
};

struct Blob {
  Digest digest;
  size_t size = 0;
};

class Writer {
 public:
  explicit Writer(std::string v2) : v2_(std::move(v2)) {}

  void Write(const std::string& relative, const std::string& content) {
    const std::string path = v2_ + "/" + relative;
    MakeParents(path);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 ||
        write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
      std::perror(path.c_str());
      std::exit(1);
    }
    close(fd);
  }

  Blob AddBlob(const std::string& content) {
    const Blob blob{HashBytes(DigestAlgorithm::kSha256, content), content.size()};
    Write(distribution::BlobData(blob.digest), content);
    ++blobs_;
    return blob;
  }

  void Link(const std::string& relative_dir, const Digest& digest) {
    Write(relative_dir + "/link", digest.ToString());
  }

  size_t blobs() const { return blobs_; }

 private:
  static void MakeParents(const std::string& path) {
    for (size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      mkdir(path.substr(0, slash).c_str(), 0755);
    }
  }

  std::string v2_;
  size_t blobs_ = 0;
};

std::string RandomBytes(std::mt19937_64& rng, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t value = rng();
    for (size_t j = 0; j < 8 && i + j < size; ++j)
      bytes[i + j] = static_cast<char>(value >> (8 * j));
  }
  return bytes;
}

std::string Descriptor(const char* media_type, const Blob& blob, const std::string& extra = "") {
  return std::string("{\"mediaType\":\"") + media_type + "\",\"digest\":\"" +
         blob.digest.ToString() + "\",\"size\":" + std::to_string(blob.size) + extra + "}";
}

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

class Generator {
 public:
  explicit Generator(const Options& options)
      : options_(options), writer_(options.root + "/docker/registry/v2"), rng_(options.seed) {}

  void Run() {
    for (int i = 0; i < options_.pool; ++i) {
      pool_.push_back(writer_.AddBlob(RandomBytes(rng_, 256 + rng_() % 3840)));
    }
    for (int r = 0; r < options_.repos; ++r) GenerateRepository(r);
    for (int i = 0; i < options_.repos * 5; ++i)
      writer_.AddBlob(RandomBytes(rng_, 128));  // orphans
    std::printf("repositories %d, manifests %zu, tags %zu, blobs %zu\n", options_.repos, manifests_,
                tags_.size(), writer_.blobs());
  }

 private:
  // An image manifest in `repo` (docker schema2 or OCI), its config and layers linked there.
  Blob Image(const std::string& repo, bool docker, const Blob* subject, bool large) {
    std::vector<Blob> layers;
    layers.reserve(6);  // two shared, up to three of its own, one large
    for (int i = 0; i < 2; ++i) layers.push_back(pool_[rng_() % pool_.size()]);
    const int own = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < own; ++i)
      layers.push_back(writer_.AddBlob(RandomBytes(rng_, 512 + rng_() % 4096)));
    if (large) {
      layers.push_back(
          writer_.AddBlob(RandomBytes(rng_, static_cast<size_t>(options_.large_mib) << 20)));
    }
    const Blob config = writer_.AddBlob(
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + std::to_string(rng_()) + "}");
    const char* layer_type = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                                    : "application/vnd.oci.image.layer.v1.tar+gzip";
    std::string json = std::string("{\"schemaVersion\":2,\"mediaType\":\"") +
                       (docker ? kDockerManifest : kOciManifest) + "\",";
    if (subject != nullptr) json += "\"artifactType\":\"application/vnd.example.sbom.v1\",";
    json += "\"config\":" +
            Descriptor(docker ? "application/vnd.docker.container.image.v1+json"
                              : "application/vnd.oci.image.config.v1+json",
                       config) +
            ",\"layers\":[";
    for (size_t i = 0; i < layers.size(); ++i) {
      json += (i ? "," : "") + Descriptor(layer_type, layers[i]);
      writer_.Link(distribution::LayerLinkDir(repo, layers[i].digest), layers[i].digest);
    }
    json += "]";
    if (subject != nullptr) json += ",\"subject\":" + Descriptor(kOciManifest, *subject);
    json += "}";
    writer_.Link(distribution::LayerLinkDir(repo, config.digest), config.digest);
    return Manifest(repo, json);
  }

  Blob Manifest(const std::string& repo, const std::string& json) {
    const Blob manifest = writer_.AddBlob(json);
    writer_.Link(distribution::RevisionDir(repo, manifest.digest), manifest.digest);
    ++manifests_;
    return manifest;
  }

  void Tag(const std::string& repo, const std::string& tag, const Blob& manifest) {
    writer_.Write(distribution::TagCurrentLink(repo, tag), manifest.digest.ToString());
    writer_.Link(distribution::TagIndexEntryDir(repo, tag, manifest.digest), manifest.digest);
    tags_.insert(repo + ":" + tag);
  }

  void GenerateRepository(int r) {
    const std::string repo = "team" + std::to_string(r % 10) + "/app" + std::to_string(r);
    for (int i = 0; i < options_.images; ++i) {
      const bool large = large_left_ > 0 && i == 0;
      if (large) --large_left_;
      const int kind = static_cast<int>(rng_() % 10);
      const std::string tag = "v" + std::to_string(i / 2);  // every other image moves a tag
      if (kind == 0 && i + 1 < options_.images) {           // a multi-arch index of two children
        const bool docker = rng_() % 2 == 0;
        const Blob a = Image(repo, docker, nullptr, large);
        const Blob b = Image(repo, docker, nullptr, false);
        const char* child_type = docker ? kDockerManifest : kOciManifest;
        const std::string json =
            std::string("{\"schemaVersion\":2,\"mediaType\":\"") +
            (docker ? "application/vnd.docker.distribution.manifest.list.v2+json"
                    : "application/vnd.oci.image.index.v1+json") +
            "\",\"manifests\":[" +
            Descriptor(child_type, a,
                       ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}") +
            "," +
            Descriptor(child_type, b,
                       ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}") +
            "]}";
        Tag(repo, tag, Manifest(repo, json));
        ++i;
      } else {
        const Blob image = Image(repo, kind < 5, nullptr, large);
        Tag(repo, tag, image);
        if (kind == 9) Image(repo, false, &image, false);  // a referrer (untagged, subject)
      }
    }
  }

  Options options_;
  Writer writer_;
  std::mt19937_64 rng_;
  std::vector<Blob> pool_;
  size_t manifests_ = 0;
  std::set<std::string> tags_;
  int large_left_ = 0;

 public:
  void SetLargeLayers(int n) { large_left_ = n; }
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: gen_registry ROOT [--repos N] [--images N] [--pool N] "
                 "[--large-layers N] [--large-mib M] [--seed S]\n");
    return 2;
  }
  options.root = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--repos")
      options.repos = static_cast<int>(value);
    else if (flag == "--images")
      options.images = static_cast<int>(value);
    else if (flag == "--pool")
      options.pool = static_cast<int>(value);
    else if (flag == "--large-layers")
      options.large_layers = static_cast<int>(value);
    else if (flag == "--large-mib")
      options.large_mib = static_cast<int>(value);
    else if (flag == "--seed")
      options.seed = static_cast<uint64_t>(value);
    else {
      std::fprintf(stderr, "gen_registry: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Generator generator(options);
  generator.SetLargeLayers(options.large_layers);
  generator.Run();
  return 0;
}
