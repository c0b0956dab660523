// The blob store half of the scan: which blobs exist below `blobs/<alg>/<shard>/<hex>/`, and
// what their `data` file is (size, age, inode).
//
// Listing the 256 shard folders names every blob; learning its size and age costs one lstat of
// `data` per blob, which on a large store is most of the scan's time in the kernel's path walk.
// audit and usage want every size; gc needs only the sizes and ages that can decide something
// (the blobs it may delete, the manifests it could not read), so it lists without statting and
// then calls StatBlobData for those alone.
#ifndef REGSWEEP_CORE_BLOB_SCAN_H_
#define REGSWEEP_CORE_BLOB_SCAN_H_

#include <cstdint>
#include <vector>

#include "core/scan.h"
#include "core/scan_sink.h"

namespace regsweep {

class Folder;
class Layout;
class Progress;
class TreeReader;

// Lists the blob store below the open v2 folder into inventory->blobs, sorted by digest. With
// `stat_data` every blob's `data` is examined (its facts go to inventory->blob_facts);
// otherwise none is (BlobRecord::data_known stays false). `progress` (may be null) advances
// once per shard listed.
void ScanBlobStore(TreeReader& fs, const Folder& v2, bool stat_data, ThreadFindings& findings,
                   Inventory* inventory, Progress* progress = nullptr);

// Records what an examination of a blob's `data` found, as the scan does: whether it is known
// and present into `blob`, its size, age and inode into `facts`, and what is wrong with it
// (absent, a symbolic link, not a regular file, unreadable) into `sink`. `data` and `status` as
// TreeReader::Stat gives them. audit's hashing calls it when its own open of every blob replaces
// the scan's lstat. `layout` names the data in findings.
void RecordBlobData(const Layout& layout, const FileStat& data, const IoStatus& status,
                    BlobRecord* blob, BlobFacts* facts, FindingSink& sink);

// Examines the `data` of inventory->blobs[i] for each i in `which` (in parallel), as a scan with
// ScanOptions::stat_blob_data would have; what is wrong is added to inventory->findings.
// `reader` nullptr: the local filesystem. `progress` (may be null) counts the blobs examined.
void StatBlobData(const Folder& v2, const std::vector<uint32_t>& which, Inventory* inventory,
                  TreeReader* reader = nullptr, Progress* progress = nullptr);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_BLOB_SCAN_H_
