// `audit --quarantine DIR`: moves the data file of a corrupt blob out of the registry tree to
// DIR/<its path below the registry's root> (distribution: blobs/<alg>/<xx>/<hex>/data), never
// deleting anything. This is
// the only change audit ever makes to a registry, and only when asked. The move goes through the
// storage seam (Storage::Rename; on the local filesystem a rename, so DIR must be on the
// registry's filesystem); an existing file there is never replaced. With the data gone the
// registry answers "blob unknown" instead of serving corrupt bytes.
#ifndef REGSWEEP_AUDIT_CHECK_QUARANTINE_H_
#define REGSWEEP_AUDIT_CHECK_QUARANTINE_H_

#include <string>

#include "core/storage.h"
#include "core/tree_reader.h"

namespace regsweep::audit {

// Moves a blob's data, at `data` (Layout::BlobData) in the tree of `storage`, to the same path
// below the open quarantine folder `quarantine` (opened on the same storage).
StorageStatus QuarantineBlob(Storage& storage, const Folder& quarantine, const std::string& data);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_QUARANTINE_H_
