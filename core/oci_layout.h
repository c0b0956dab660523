// The OCI image layout (image-spec's image-layout.md), as skopeo (`oci:DIR`), umoci, oras and
// zot write it: the Layout (core/layout.h) that reads one into an Inventory, and its paths.
//
//   oci-layout              {"imageLayoutVersion": "1.0.0"}: what makes a folder a layout
//   index.json              an image index: its `manifests` are the layout's images, each named
//                           by its `org.opencontainers.image.ref.name` annotation or unnamed
//   blobs/<alg>/<hex>       every blob, manifests included, as a file named by its digest
//
// A layout is one repository (named after its folder) with no link files: its tags are the
// entries of index.json, its blobs are all of blobs/. What it keeps is decided as in
// distribution's layout, with index.json as the tags (core/oci_scan.h maps one onto the other):
// every entry of index.json, named or not, is a root, so gc never breaks what index.json names,
// and never rewrites index.json (so it cannot drop a tag); a blob nothing kept references goes.
#ifndef REGSWEEP_CORE_OCI_LAYOUT_H_
#define REGSWEEP_CORE_OCI_LAYOUT_H_

#include <string>
#include <string_view>

#include "core/layout.h"

namespace regsweep {

class OciLayout final : public Layout {
 public:
  static constexpr std::string_view kLayoutFile = "oci-layout";
  static constexpr std::string_view kIndexFile = "index.json";
  static constexpr std::string_view kBlobsDir = "blobs";

  std::string_view name() const override { return "oci"; }
  // The layout's one repository is named after its folder, the last component of `location`.
  Inventory Scan(const Folder& root, const std::string& location,
                 const ScanOptions& options) const override;
  std::string BlobFolder(const Digest& digest) const override;  // blobs/<alg>
  size_t BlobFolderSlot(const Digest& digest) const override;
  std::string BlobDataInFolder(const Digest& digest) const override;  // <hex>
  std::string BlobPath(const Digest& digest) const override;          // the data file
  FileStat StatBlobData(TreeReader& reader, const Folder& folder, const Digest& digest,
                        IoStatus* status) const override;
  bool HasLinkFiles() const override { return false; }
};

// The one OciLayout.
const Layout& OciImageLayout();

// Whether the folder at `path` on the local filesystem is an OCI image layout: it holds an
// `oci-layout` file (not a symbolic link).
bool IsOciLayoutFolder(const std::string& path);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_OCI_LAYOUT_H_
