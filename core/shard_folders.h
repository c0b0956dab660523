// The open blob folders (Layout::BlobFolder: distribution's shard folders `blobs/<alg>/<xx>`,
// the OCI layout's `blobs/<alg>`) of the blobs a phase reads, each opened once, all of them in
// parallel before the phase reads (so up to the I/O depth are opened at a time).
//
// Reading `<hex>/data` below its shard folder walks two path components instead of the five of
// `blobs/<alg>/<xx>/<hex>/data` from the v2 folder: on a registry of millions of blobs the
// kernel's path walk is most of the time spent reading them.
#ifndef REGSWEEP_CORE_SHARD_FOLDERS_H_
#define REGSWEEP_CORE_SHARD_FOLDERS_H_

#include <array>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/io_status.h"
#include "core/layout.h"
#include "core/tree_reader.h"

namespace regsweep {

class ShardFolders {
 public:
  // The blob folders of `layout` (which must outlive this).
  explicit ShardFolders(const Layout& layout) : layout_(layout) {}

  struct Failure {
    std::string path;  // relative to the v2 folder
    IoStatus status;
  };

  // Notes that the blob folder of `digest` is needed.
  void Want(const Digest& digest);
  // Opens below the open root folder, in parallel, every blob folder wanted and not tried yet;
  // returns those that could not be opened.
  std::vector<Failure> OpenWanted(TreeReader& fs, const Folder& v2);
  // The open blob folder of `digest`; invalid when it was not opened or could not be.
  const Folder& Of(const Digest& digest) const { return folders_[layout_.BlobFolderSlot(digest)]; }
  // The path of `digest`'s data below its folder.
  std::string DataIn(const Digest& digest) const { return layout_.BlobDataInFolder(digest); }
  const Layout& layout() const { return layout_; }

 private:
  const Layout& layout_;
  std::array<Folder, kBlobFolderSlots> folders_;
  // The first digest wanted in each folder (which names it), while the folder is not yet tried.
  std::vector<Digest> wanted_;
  std::array<bool, kBlobFolderSlots> known_{};  // wanted or tried
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_SHARD_FOLDERS_H_
