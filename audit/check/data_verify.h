// Data verification: hashes the selected blobs in parallel (TBB) and compares each with its
// digest. A blob whose bytes do not match is read a second time before it is reported: a
// second read that matches means the storage returned bad data once (a warning), two that do
// not mean the blob is corrupt (an error); a second read that fails proves nothing either way
// (the blob is unreadable, never corrupt). With a state file, blobs verified recently enough
// and unchanged since (same inode, size and mtime) are skipped. Every blob is read through the
// read seam (core/tree_reader.h), so tests can make any read fail.
#ifndef REGSWEEP_AUDIT_CHECK_DATA_VERIFY_H_
#define REGSWEEP_AUDIT_CHECK_DATA_VERIFY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "audit/check/blob_hasher.h"
#include "audit/check/data_subset.h"
#include "audit/check/verify_state.h"
#include "core/finding.h"
#include "core/layout.h"
#include "core/scan.h"
#include "core/tree_reader.h"

namespace regsweep::audit {

struct HashProgress {
  uint64_t blobs_done = 0;
  uint64_t blobs_total = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  double seconds = 0;
};

struct VerifyOptions {
  DataSubset subset;
  uint64_t seed = 0;             // for a percentage subset
  VerifyState* state = nullptr;  // not owned; nullptr: no state file
  int64_t max_age_ns = -1;       // with a state: skip blobs verified within this; < 0 never
  int64_t now_ns = 0;
  // Where the blob folders and the blobs' data are read (not owned); nullptr: the local
  // filesystem (DefaultTreeReader()).
  TreeReader* reader = nullptr;
  // Where the layout keeps blob data (the inventory's; not owned).
  const Layout* layout = &DefaultLayout();
  BlobHashFunction hash = HashBlobData;
  // Called about twice a second from a separate thread while hashing, and once at the end.
  std::function<void(const HashProgress&)> on_progress;
};

struct VerifyResult {
  uint64_t selected = 0;  // blobs the subset picked
  uint64_t hashed = 0;    // blobs read
  uint64_t skipped = 0;   // verified recently and unchanged (state file)
  uint64_t bytes_hashed = 0;
  double seconds = 0;
  Findings findings;
  std::vector<Digest> corrupt;  // mismatches confirmed by a second read, sorted
};

// Blobs whose data the scan did not examine (data_known false) are examined by the hashing
// open itself: their facts are recorded into the inventory, and what is wrong with their data is
// reported, as the scan would have (core/blob_scan.h's RecordBlobData). Their sizes being
// unknown, they are hashed in digest order, except those over 16 MiB, which are put off and
// hashed with the blobs of known size, largest first.
//
// Hashing can start before the graph is built (core/registry_run.h's BesideBuild): the blobs
// that no revision or tag names (most of them: layers and configs) are hashed while the
// manifests load, and the rest once the graph has said which manifests it already verified.
//
//   DataVerifier verifier(&inventory, v2, options);
//   verifier.PickEarly();             // before Graph::Build
//   verifier.HashEarly();             // beside it
//   VerifyResult result = verifier.Finish(already_verified);
class DataVerifier {
 public:
  // `inventory` and `v2` must outlive this.
  DataVerifier(Inventory* inventory, const Folder& v2, VerifyOptions options);
  ~DataVerifier();
  DataVerifier(const DataVerifier&) = delete;
  DataVerifier& operator=(const DataVerifier&) = delete;

  // Picks the blobs to hash early: those the scan did not examine and that no revision link or
  // tag's current link names (the manifests the graph loads first). None when not every blob is
  // to be hashed, with a state file, or with progress reports (the early hashing reports none).
  // Changes the inventory (makes room for their facts): call it before the graph is built.
  void PickEarly();
  // Hashes the blobs PickEarly picked. It may run while Graph::Build reads the inventory: the
  // build reads the records of the blobs it loads as manifests, and a manifest that only an
  // index names may be among these, so what each hashing open finds of a blob's record is kept
  // apart until Finish; only the facts PickEarly made room for are filled in place.
  void HashEarly();
  // Hashes the rest of the selected blobs. `already_verified`: the blobs this run has already
  // read and found equal to their digest (the manifests the graph loaded), as (index into the
  // blobs, byte count) sorted by index; they count as hashed and are not read again, and one
  // the scan did not examine is recorded as present with that size (its age and inode stay
  // unknown, so this is for runs without a state file).
  VerifyResult Finish(const std::vector<std::pair<uint32_t, uint64_t>>& already_verified = {});

 private:
  struct Work;  // the blobs picked, the open folders, what the threads found (data_verify.cc)

  // Hashes blobs[i] for each i in `order`; returns how many were hashed (not deferred, and with
  // data). With `records`, what each open finds of a blob's record goes to (*records)[i]
  // instead of the record.
  uint64_t HashInParallel(const std::vector<uint32_t>& order, uint64_t defer_above,
                          std::vector<uint8_t>* records);

  Inventory* inventory_;
  const Folder& v2_;
  const VerifyOptions options_;
  std::unique_ptr<Work> work_;
};

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_DATA_VERIFY_H_
