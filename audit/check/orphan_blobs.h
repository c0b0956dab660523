// Orphan blobs: blobs with data that no tag, no manifest revision and no loaded manifest (as
// config, layer or index child) references, so that `gc` would reclaim them. A repository
// whose manifests could not all be read keeps every blob linked in its `_layers` out of the
// count, as gc keeps them; when a folder of the repository tree could not be listed there are
// no orphans to report at all. Reported as info, with their bytes.
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
