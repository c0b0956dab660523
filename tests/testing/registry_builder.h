// Test support: builds small distribution registry trees on disk, with real digests, so that
// unit tests exercise the real scanner, parser and storage instead of mocks.
#ifndef REGSWEEP_TESTS_TESTING_REGISTRY_BUILDER_H_
#define REGSWEEP_TESTS_TESTING_REGISTRY_BUILDER_H_

#include <boost/filesystem.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"

namespace regsweep::testing {

// A fresh folder, removed with everything in it on destruction. By default under the system
// temp dir; `in_memory` puts it on /dev/shm when there is one (for tests that copy trees many
// times and would otherwise wait on the disk).
class TempDir {
 public:
  explicit TempDir(bool in_memory = false);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const boost::filesystem::path& path() const { return path_; }

 private:
  boost::filesystem::path path_;
};

inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

struct Blob {
  Digest digest;
  uint64_t size = 0;
};

// Writes a registry under `<root>/docker/registry/v2`.
class RegistryBuilder {
 public:
  explicit RegistryBuilder(const boost::filesystem::path& root);

  const boost::filesystem::path& root() const { return root_; }
  const boost::filesystem::path& v2() const { return v2_; }

  Blob AddBlob(const std::string& content);
  void LinkLayer(const std::string& repository, const Digest& digest);
  // Stores `content` as a manifest blob and links it as a revision of `repository`.
  Blob PutManifest(const std::string& repository, const std::string& content);
  // Points `tag` at `digest` (current link and index entry).
  void Tag(const std::string& repository, const std::string& tag, const Digest& digest);
  void AddUpload(const std::string& repository, const std::string& id,
                 const std::string& started_at, const std::string& data);

  // A config and layers (contents given) linked in `repository`, and the manifest naming them.
  Blob PushImage(const std::string& repository, const std::vector<std::string>& layers,
                 const char* media_type = kOciManifest,
                 const std::optional<Blob>& subject = std::nullopt, const std::string& config = "");
  // An index of `children` (already pushed to `repository`).
  Blob PushIndex(const std::string& repository, const std::vector<Blob>& children,
                 const char* media_type = kOciIndex);

  static std::string DescriptorJson(const char* media_type, const Blob& blob);
  static std::string ImageManifestJson(const char* media_type, const Blob& config,
                                       const std::vector<Blob>& layers,
                                       const std::optional<Blob>& subject);

  void WriteFile(const std::string& relative, const std::string& content);
  bool Exists(const std::string& relative) const;
  // Sets the mtime of every file and folder under v2 to `seconds` since the epoch.
  void SetAllMtimes(int64_t seconds);

 private:
  boost::filesystem::path root_;
  boost::filesystem::path v2_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_REGISTRY_BUILDER_H_
