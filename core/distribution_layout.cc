// Path building for distribution's filesystem layout, and its Layout.
#include "core/distribution_layout.h"

#include <sys/stat.h>

#include "core/tree_reader.h"

namespace regsweep {

const Layout& DefaultLayout() {
  static const DistributionLayout layout;
  return layout;
}

Inventory DistributionLayout::Scan(const Folder& v2, const std::string& /*location*/,
                                   const ScanOptions& options) const {
  return ScanRegistry(v2, options);
}

std::string DistributionLayout::BlobFolder(const Digest& digest) const {
  return distribution::BlobShardDir(digest);
}

size_t DistributionLayout::BlobFolderSlot(const Digest& digest) const {
  return static_cast<size_t>(digest.algorithm()) * 256 + digest.bytes()[0];
}

std::string DistributionLayout::BlobDataInFolder(const Digest& digest) const {
  return digest.HexThen("/data");
}

std::string DistributionLayout::BlobPath(const Digest& digest) const {
  return distribution::BlobDir(digest);
}

FileStat DistributionLayout::StatBlobData(TreeReader& reader, const Folder& shard,
                                          const Digest& digest, IoStatus* status) const {
  return reader.StatInChild(shard, digest.Hex(), "data", status);
}

}  // namespace regsweep

namespace regsweep::distribution {
namespace {

std::string DigestPath(const Digest& digest) {
  std::string path(AlgorithmName(digest.algorithm()));
  path += '/';
  path += digest.Hex();
  return path;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string BlobShardDir(const Digest& digest) {
  std::string path(kBlobsDir);
  path += '/';
  path += AlgorithmName(digest.algorithm());
  path += '/';
  path += digest.Hex().substr(0, 2);
  return path;
}

std::string BlobDir(const Digest& digest) { return BlobShardDir(digest) + "/" + digest.Hex(); }

std::string BlobData(const Digest& digest) { return BlobDir(digest) + "/data"; }

std::string RepositoryDir(std::string_view repository) {
  std::string path(kRepositoriesDir);
  path += '/';
  path += repository;
  return path;
}

std::string LayerLinkDir(std::string_view repository, const Digest& digest) {
  return RepositoryDir(repository) + "/_layers/" + DigestPath(digest);
}

std::string RevisionDir(std::string_view repository, const Digest& digest) {
  return RepositoryDir(repository) + "/_manifests/revisions/" + DigestPath(digest);
}

std::string TagsDir(std::string_view repository) {
  return RepositoryDir(repository) + "/_manifests/tags";
}

std::string TagDir(std::string_view repository, std::string_view tag) {
  std::string path = TagsDir(repository);
  path += '/';
  path += tag;
  return path;
}

std::string TagCurrentLink(std::string_view repository, std::string_view tag) {
  return TagDir(repository, tag) + "/current/link";
}

std::string TagIndexEntryDir(std::string_view repository, std::string_view tag,
                             const Digest& digest) {
  return TagDir(repository, tag) + "/index/" + DigestPath(digest);
}

std::string UploadDir(std::string_view repository, std::string_view upload_id) {
  std::string path = RepositoryDir(repository);
  path += "/_uploads/";
  path += upload_id;
  return path;
}

size_t WholeListingPrefix(std::string_view relative) {
  // The end of the `count`-th component (just past its '/'), or 0 when there are fewer.
  const auto end_of = [relative](size_t count) -> size_t {
    size_t at = 0;
    for (size_t i = 0; i < count; ++i) {
      const size_t slash = relative.find('/', at);
      if (slash == std::string_view::npos) return 0;
      at = slash + 1;
    }
    return at;
  };
  const std::string_view first = relative.substr(0, relative.find('/'));
  if (first == kBlobsDir) return end_of(3);
  if (first == kRepositoriesDir) return end_of(2);
  return 0;
}

std::optional<std::string> FindV2Folder(const std::string& root) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const std::string& candidate : {base + "/docker/registry/v2", base}) {
    if (IsDirectory(candidate + "/blobs") || IsDirectory(candidate + "/repositories")) {
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace regsweep::distribution
