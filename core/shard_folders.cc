// Opening blob shard folders once each, in parallel.
#include "core/shard_folders.h"

#include <tbb/parallel_for.h>

#include <cerrno>

#include "core/layout.h"
#include "core/tree_reader.h"

namespace regsweep {

void ShardFolders::Want(const Digest& digest) {
  bool& known = known_[static_cast<size_t>(digest.algorithm())][digest.bytes()[0]];
  if (known) return;
  known = true;
  wanted_.push_back(digest);
}

std::vector<ShardFolders::Failure> ShardFolders::OpenWanted(TreeReader& fs, int v2fd) {
  std::vector<int> errors(wanted_.size(), 0);
  tbb::parallel_for(size_t{0}, wanted_.size(), [&](size_t i) {
    const Digest& digest = wanted_[i];
    UniqueFd& fd = fds_[static_cast<size_t>(digest.algorithm())][digest.bytes()[0]];
    fd = fs.OpenDir(v2fd, layout::BlobShardDir(digest));
    if (!fd.valid()) errors[i] = errno;
  });
  std::vector<Failure> failures;
  for (size_t i = 0; i < wanted_.size(); ++i) {
    if (errors[i] != 0) failures.push_back({layout::BlobShardDir(wanted_[i]), errors[i]});
  }
  wanted_.clear();
  return failures;
}

}  // namespace regsweep
