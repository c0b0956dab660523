// The open shard folders (`blobs/<alg>/<xx>`) of the blobs a phase reads, each opened once, all
// of them in parallel before the phase reads (so up to the I/O depth are opened at a time).
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
#include "core/tree_reader.h"

namespace regsweep {

class ShardFolders {
 public:
  struct Failure {
    std::string path;  // relative to the v2 folder
    IoStatus status;
  };

  // Notes that the shard folder of `digest` is needed.
  void Want(const Digest& digest);
  // Opens below the open v2 folder, in parallel, every shard folder wanted and not tried yet;
  // returns those that could not be opened.
  std::vector<Failure> OpenWanted(TreeReader& fs, const Folder& v2);
  // The open shard folder of `digest`; invalid when it was not opened or could not be.
  const Folder& Of(const Digest& digest) const {
    return folders_[static_cast<size_t>(digest.algorithm())][digest.bytes()[0]];
  }

 private:
  std::array<std::array<Folder, 256>, 2> folders_;
  // The first digest wanted in each shard (its folder's name), while the shard is not yet tried.
  std::vector<Digest> wanted_;
  std::array<std::array<bool, 256>, 2> known_{};  // wanted or tried
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_SHARD_FOLDERS_H_
