// The open shard folders (`blobs/<alg>/<xx>`) of the blobs a phase reads, each opened once.
//
// Reading `<hex>/data` below its shard folder walks two path components instead of the five of
// `blobs/<alg>/<xx>/<hex>/data` from the v2 folder: on a registry of millions of blobs the
// kernel's path walk is most of the time spent reading them.
#ifndef REGSWEEP_CORE_SHARD_FOLDERS_H_
#define REGSWEEP_CORE_SHARD_FOLDERS_H_

#include <array>

#include "core/digest.h"
#include "core/fs.h"

namespace regsweep {

class TreeReader;

class ShardFolders {
 public:
  // Opens the shard folder of `digest` below the open v2 folder unless that was tried before.
  // Returns false (with errno set) only when this call tried and failed.
  bool Open(TreeReader& fs, int v2fd, const Digest& digest);
  // The open shard folder of `digest`; -1 when it was not opened or could not be.
  int Fd(const Digest& digest) const {
    return fds_[static_cast<size_t>(digest.algorithm())][digest.bytes()[0]].get();
  }

 private:
  std::array<std::array<UniqueFd, 256>, 2> fds_;
  std::array<std::array<bool, 256>, 2> tried_{};
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_SHARD_FOLDERS_H_
