// distribution's filesystem layout (the `filesystem` and `s3` storage drivers): its path scheme,
// relative to the `docker/registry/v2` folder, and the Layout (core/layout.h) that reads it
// (core/scan.h). The single place that turns validated names and digests into distribution
// paths: nothing else in regsweep builds a path from disk content, so every path it touches has
// the shapes below.
//
//   blobs/<alg>/<hex[0:2]>/<hex>/data
//   repositories/<name>/_layers/<alg>/<hex>/link
//   repositories/<name>/_manifests/revisions/<alg>/<hex>/link
//   repositories/<name>/_manifests/tags/<tag>/current/link
//   repositories/<name>/_manifests/tags/<tag>/index/<alg>/<hex>/link
//   repositories/<name>/_uploads/<id>/{data,startedat,hashstates/...}
#ifndef REGSWEEP_CORE_DISTRIBUTION_LAYOUT_H_
#define REGSWEEP_CORE_DISTRIBUTION_LAYOUT_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "core/layout.h"

namespace regsweep {

// The Layout of distribution's tree: ScanRegistry (core/scan.h) reads it.
class DistributionLayout final : public Layout {
 public:
  std::string_view name() const override { return "distribution"; }
  Inventory Scan(const Folder& v2, const std::string& location,
                 const ScanOptions& options) const override;
  std::string BlobFolder(const Digest& digest) const override;  // its shard folder
  size_t BlobFolderSlot(const Digest& digest) const override;
  std::string BlobDataInFolder(const Digest& digest) const override;  // "<hex>/data"
  std::string BlobPath(const Digest& digest) const override;          // its folder
  FileStat StatBlobData(TreeReader& reader, const Folder& shard, const Digest& digest,
                        IoStatus* status) const override;
  bool HasLinkFiles() const override { return true; }
};

}  // namespace regsweep

namespace regsweep::distribution {

inline constexpr std::string_view kBlobsDir = "blobs";
inline constexpr std::string_view kRepositoriesDir = "repositories";
inline constexpr std::string_view kLayersDir = "_layers";
inline constexpr std::string_view kManifestsDir = "_manifests";
inline constexpr std::string_view kUploadsDir = "_uploads";
// A link file holds "sha512:" and 128 hex digits at most.
inline constexpr size_t kMaxLinkBytes = 7 + 128;

// The shard folder a blob is in: "blobs/<alg>/<hex[0:2]>".
std::string BlobShardDir(const Digest& digest);
std::string BlobDir(const Digest& digest);
std::string BlobData(const Digest& digest);
std::string RepositoryDir(std::string_view repository);
std::string LayerLinkDir(std::string_view repository, const Digest& digest);
std::string RevisionDir(std::string_view repository, const Digest& digest);
std::string TagsDir(std::string_view repository);
std::string TagDir(std::string_view repository, std::string_view tag);
std::string TagCurrentLink(std::string_view repository, std::string_view tag);
std::string TagIndexEntryDir(std::string_view repository, std::string_view tag,
                             const Digest& digest);
std::string UploadDir(std::string_view repository, std::string_view upload_id);

// The v2 folder's path below a driver's rootdirectory.
inline constexpr std::string_view kV2Path = "docker/registry/v2";

// How an object store is best listed (core/s3/s3_tree_reader.h): the length of the prefix of
// `relative` (a path below the v2 folder, folders ending in '/') that is listed whole, key by
// key, because everything below it is read anyway: a blob shard `blobs/<alg>/<xx>/` or a top
// repository folder `repositories/<name>/`. 0 when `relative` lies above those (the v2 folder,
// `blobs/`, `blobs/<alg>/`, `repositories/`), which are listed one level at a time.
size_t WholeListingPrefix(std::string_view relative);

// Finds the v2 folder given either the driver's rootdirectory (holding docker/registry/v2) or
// the v2 folder itself. Returns nullopt when neither holds `blobs` or `repositories`.
std::optional<std::string> FindV2Folder(const std::string& root);

}  // namespace regsweep::distribution

#endif  // REGSWEEP_CORE_DISTRIBUTION_LAYOUT_H_
