// Orphan blobs: the blobs that `gc --dry-run --min-age 0` (without --delete-untagged) deletes,
// decided by the very rules gc uses (core/mark.h for what is kept, core/reclaim.h for what goes),
// so audit and gc cannot disagree on any tree, damaged or not: a repository kept whole keeps its
// `_layers`, a folder that could not be listed or a symbolic link in the repository tree keeps
// every blob, a blob whose data could not be examined is kept. Reported as info, with their bytes
// (a blob folder without data counts, with no bytes: gc removes the folder).
#ifndef REGSWEEP_AUDIT_CHECK_ORPHAN_BLOBS_H_
#define REGSWEEP_AUDIT_CHECK_ORPHAN_BLOBS_H_

#include <cstdint>

#include "core/finding.h"
#include "core/graph.h"

namespace regsweep::audit {

struct OrphanBlobs {
  uint64_t count = 0;
  uint64_t bytes = 0;
  Findings findings;
};

OrphanBlobs FindOrphanBlobs(const Graph& graph);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_ORPHAN_BLOBS_H_
