// `audit --quarantine DIR`: moves the data file of a corrupt blob out of the registry tree to
// DIR/blobs/<alg>/<xx>/<hex>/data (its path below v2, kept), never deleting anything. This is
// the only change audit ever makes to a registry, and only when asked. The move is a rename, so
// DIR must be on the same filesystem as the registry; an existing file there is never replaced.
// With the data gone the registry answers "blob unknown" instead of serving corrupt bytes.
#ifndef REGSWEEP_AUDIT_CHECK_QUARANTINE_H_
#define REGSWEEP_AUDIT_CHECK_QUARANTINE_H_

#include <string>

#include "core/digest.h"
#include "core/storage.h"

namespace regsweep::audit {

// Moves blob `digest`'s data from below `v2fd` to below the open folder `quarantine_fd`.
StorageStatus QuarantineBlob(int v2fd, int quarantine_fd, const Digest& digest);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_QUARANTINE_H_
