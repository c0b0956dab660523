// The OCI image layout's paths, and finding one.
#include "core/oci_layout.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/oci_scan.h"
#include "core/tree_reader.h"

namespace regsweep {

const Layout& OciImageLayout() {
  static const OciLayout layout;
  return layout;
}

Inventory OciLayout::Scan(const Folder& root, const std::string& location,
                          const ScanOptions& options) const {
  std::string name = std::filesystem::path(location).filename().string();
  return ScanOciLayout(*this, root, name.empty() ? "oci-layout" : name, options);
}

std::string OciLayout::BlobFolder(const Digest& digest) const {
  std::string path(kBlobsDir);
  path += '/';
  path += AlgorithmName(digest.algorithm());
  return path;
}

size_t OciLayout::BlobFolderSlot(const Digest& digest) const {
  return static_cast<size_t>(digest.algorithm());
}

std::string OciLayout::BlobDataInFolder(const Digest& digest) const { return digest.Hex(); }

std::string OciLayout::BlobPath(const Digest& digest) const { return BlobData(digest); }

FileStat OciLayout::StatBlobData(TreeReader& reader, const Folder& folder, const Digest& digest,
                                 IoStatus* status) const {
  return reader.Stat(folder, digest.Hex(), status);
}

bool IsOciLayoutFolder(const std::string& path) {
  struct stat st;
  const std::string file = path + "/" + std::string(OciLayout::kLayoutFile);
  return lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace regsweep
