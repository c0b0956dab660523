// Opening blob folders once each, in parallel.
#include "core/shard_folders.h"

#include <tbb/parallel_for.h>

#include "core/tree_reader.h"

namespace regsweep {

void ShardFolders::Want(const Digest& digest) {
  bool& known = known_[layout_.BlobFolderSlot(digest)];
  if (known) return;
  known = true;
  wanted_.push_back(digest);
}

std::vector<ShardFolders::Failure> ShardFolders::OpenWanted(TreeReader& fs, const Folder& v2) {
  std::vector<IoStatus> statuses(wanted_.size());
  tbb::parallel_for(size_t{0}, wanted_.size(), [&](size_t i) {
    const Digest& digest = wanted_[i];
    folders_[layout_.BlobFolderSlot(digest)] =
        fs.OpenFolder(v2, layout_.BlobFolder(digest), &statuses[i]);
  });
  std::vector<Failure> failures;
  for (size_t i = 0; i < wanted_.size(); ++i) {
    if (!statuses[i].ok()) failures.push_back({layout_.BlobFolder(wanted_[i]), statuses[i]});
  }
  wanted_.clear();
  return failures;
}

}  // namespace regsweep
