// A registry layout: where a storage format keeps its blobs, tags and manifests, and how it is
// read into the Inventory that gc, audit and usage decide by.
//
// Two layouts exist. distribution's (core/distribution_layout.h): a global blob store
// `blobs/<alg>/<xx>/<hex>/data` and per repository link files for tags, manifest revisions,
// layers and uploads. The OCI image layout (core/oci_layout.h; what skopeo, umoci, oras and zot
// write): `oci-layout`, `index.json` naming the images, and `blobs/<alg>/<hex>`, one repository
// with no link files. The backend (core/backend.h) says which one a registry has; the inventory
// carries it (Inventory::layout), so whatever reads blob data, builds a path to delete or
// decides whether link files exist asks the layout instead of assuming one. Layouts hold no
// state: each is one object for the life of the process (DefaultLayout(), OciImageLayout()), so
// an inventory or a plan that points at one never outlives it.
#ifndef REGSWEEP_CORE_LAYOUT_H_
#define REGSWEEP_CORE_LAYOUT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io_status.h"
#include "core/scan.h"

namespace regsweep {

class Folder;
class TreeReader;

class Layout {
 public:
  virtual ~Layout() = default;
  // "distribution" or "oci": in reports and messages.
  virtual std::string_view name() const = 0;

  // Reads the tree below `root` (the folder the backend opened, at `location`: see
  // Backend::location) into an Inventory whose `layout` is this one. Never fails as a whole:
  // what cannot be read becomes findings, and what it could decide is kept (core/scan.h).
  virtual Inventory Scan(const Folder& root, const std::string& location,
                         const ScanOptions& options) const = 0;

  // A blob's data is the file `BlobDataInFolder` below the folder `BlobFolder`. Readers open
  // each blob folder once (core/shard_folders.h) and read many blobs below it: blobs whose
  // BlobFolderSlot is equal share the folder.
  virtual std::string BlobFolder(const Digest& digest) const = 0;
  virtual size_t BlobFolderSlot(const Digest& digest) const = 0;  // below kBlobFolderSlots
  virtual std::string BlobDataInFolder(const Digest& digest) const = 0;
  std::string BlobData(const Digest& digest) const {
    return BlobFolder(digest) + "/" + BlobDataInFolder(digest);
  }
  // What deleting the blob removes: its folder in distribution's layout, its file in OCI's.
  virtual std::string BlobPath(const Digest& digest) const = 0;
  // lstat of the blob's data below its open blob folder, in one request.
  virtual FileStat StatBlobData(TreeReader& reader, const Folder& blob_folder, const Digest& digest,
                                IoStatus* status) const = 0;

  // Whether repositories keep link files of their own (tags, revisions, `_layers`, uploads),
  // which gc deletes and audit checks, and folders that can be pruned. Without them (OCI) a
  // repository's tags are entries of one file, so gc can delete unreachable blobs and nothing
  // else, and cannot drop a tag.
  virtual bool HasLinkFiles() const = 0;
};

inline constexpr size_t kBlobFolderSlots = size_t{2} * 256;  // two algorithms, 256 shards each

}  // namespace regsweep

#endif  // REGSWEEP_CORE_LAYOUT_H_
