// Test registry trees with real digests.
#include "tests/testing/registry_builder.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "core/distribution_layout.h"
#include "core/hash.h"

namespace regsweep::testing {

namespace fs = boost::filesystem;

TempDir::TempDir(bool in_memory) {
  boost::system::error_code ec;
  const fs::path base = in_memory && fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm")
                                                                      : fs::temp_directory_path();
  path_ = base / fs::unique_path("regsweep-test-%%%%-%%%%-%%%%");
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  boost::system::error_code ignored;
  fs::remove_all(path_, ignored);
}

RegistryBuilder::RegistryBuilder(const fs::path& root)
    : root_(root), v2_(root / "docker" / "registry" / "v2") {
  fs::create_directories(v2_ / "blobs");
  fs::create_directories(v2_ / "repositories");
}

void RegistryBuilder::WriteFile(const std::string& relative, const std::string& content) {
  const fs::path path = v2_ / relative;
  fs::create_directories(path.parent_path());
  std::ofstream file(path.string(), std::ios::binary | std::ios::trunc);
  file << content;
  if (!file) throw std::runtime_error("cannot write " + path.string());
}

bool RegistryBuilder::Exists(const std::string& relative) const {
  boost::system::error_code ec;
  return fs::exists(fs::symlink_status(v2_ / relative, ec));
}

Blob RegistryBuilder::AddBlob(const std::string& content) {
  const Digest digest = HashBytes(DigestAlgorithm::kSha256, content);
  WriteFile(distribution::BlobData(digest), content);
  return Blob{digest, content.size()};
}

void RegistryBuilder::LinkLayer(const std::string& repository, const Digest& digest) {
  WriteFile(distribution::LayerLinkDir(repository, digest) + "/link", digest.ToString());
}

Blob RegistryBuilder::PutManifest(const std::string& repository, const std::string& content) {
  const Blob blob = AddBlob(content);
  WriteFile(distribution::RevisionDir(repository, blob.digest) + "/link", blob.digest.ToString());
  return blob;
}

void RegistryBuilder::Tag(const std::string& repository, const std::string& tag,
                          const Digest& digest) {
  WriteFile(distribution::TagCurrentLink(repository, tag), digest.ToString());
  WriteFile(distribution::TagIndexEntryDir(repository, tag, digest) + "/link", digest.ToString());
}

void RegistryBuilder::AddUpload(const std::string& repository, const std::string& id,
                                const std::string& started_at, const std::string& data) {
  WriteFile(distribution::UploadDir(repository, id) + "/startedat", started_at);
  WriteFile(distribution::UploadDir(repository, id) + "/data", data);
}

std::string RegistryBuilder::DescriptorJson(const char* media_type, const Blob& blob) {
  return std::string("{\"mediaType\":\"") + media_type + "\",\"digest\":\"" +
         blob.digest.ToString() + "\",\"size\":" + std::to_string(blob.size) + "}";
}

std::string RegistryBuilder::ImageManifestJson(const char* media_type, const Blob& config,
                                               const std::vector<Blob>& layers,
                                               const std::optional<Blob>& subject) {
  std::string json =
      std::string("{\"schemaVersion\":2,\"mediaType\":\"") + media_type +
      "\",\"config\":" + DescriptorJson("application/vnd.oci.image.config.v1+json", config) +
      ",\"layers\":[";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i != 0) json += ',';
    json += DescriptorJson("application/vnd.oci.image.layer.v1.tar+gzip", layers[i]);
  }
  json += "]";
  if (subject) json += ",\"subject\":" + DescriptorJson(kOciManifest, *subject);
  json += "}";
  return json;
}

Blob RegistryBuilder::PushImage(const std::string& repository,
                                const std::vector<std::string>& layers, const char* media_type,
                                const std::optional<Blob>& subject, const std::string& config) {
  std::vector<Blob> layer_blobs;
  for (const std::string& content : layers) {
    layer_blobs.push_back(AddBlob(content));
    LinkLayer(repository, layer_blobs.back().digest);
  }
  std::string joined;
  for (const std::string& content : layers) joined += content + ",";
  const Blob config_blob = AddBlob(config.empty() ? "{\"layers\":\"" + joined + "\"}" : config);
  LinkLayer(repository, config_blob.digest);
  return PutManifest(repository, ImageManifestJson(media_type, config_blob, layer_blobs, subject));
}

Blob RegistryBuilder::PushIndex(const std::string& repository, const std::vector<Blob>& children,
                                const char* media_type) {
  std::string json =
      std::string("{\"schemaVersion\":2,\"mediaType\":\"") + media_type + "\",\"manifests\":[";
  for (size_t i = 0; i < children.size(); ++i) {
    if (i != 0) json += ',';
    json += DescriptorJson(kOciManifest, children[i]);
  }
  json += "]}";
  return PutManifest(repository, json);
}

void RegistryBuilder::SetAllMtimes(int64_t seconds) {
  const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  for (fs::recursive_directory_iterator it(v2_), end; it != end; ++it) {
    utimensat(AT_FDCWD, it->path().c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  utimensat(AT_FDCWD, v2_.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

}  // namespace regsweep::testing
