// Opening blob shard folders once each.
#include "core/shard_folders.h"

#include "core/layout.h"
#include "core/tree_reader.h"

namespace regsweep {

bool ShardFolders::Open(TreeReader& fs, int v2fd, const Digest& digest) {
  const size_t a = static_cast<size_t>(digest.algorithm());
  const uint8_t shard = digest.bytes()[0];
  if (tried_[a][shard]) return true;
  tried_[a][shard] = true;
  fds_[a][shard] = fs.OpenDir(v2fd, layout::BlobShardDir(digest));
  return fds_[a][shard].valid();
}

}  // namespace regsweep
