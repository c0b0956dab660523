// One audit from start to end: scan (reading every link), graph, structural checks, optional
// data verification (with subset, state file and quarantine). Read-only unless --quarantine is
// given. The command-line layer fills AuditOptions and prints the AuditOutcome with
// audit/check/report.h.
#ifndef REGSWEEP_AUDIT_CHECK_AUDIT_RUN_H_
#define REGSWEEP_AUDIT_CHECK_AUDIT_RUN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/check/blob_hasher.h"
#include "audit/check/data_subset.h"
#include "audit/check/data_verify.h"
#include "core/backend.h"
#include "core/finding.h"
#include "core/io_depth.h"
#include "core/request_tally.h"
#include "core/storage.h"
#include "core/tree_reader.h"

namespace regsweep {
class Progress;
}  // namespace regsweep

namespace regsweep::audit {

struct AuditOptions {
  // rootdirectory or the v2 folder, or s3://BUCKET/PREFIX; empty when `storage.config` names it
  std::string root;
  BackendSettings storage;  // --config, --max-requests-per-second (core/backend.h)
  bool verify_data = false;
  DataSubset subset;
  uint64_t seed = 0;           // for a percentage subset; 0 picks a random seed
  std::string state_path;      // --state
  int64_t max_age_ns = -1;     // --max-age; < 0 when not given
  std::string quarantine_dir;  // --quarantine
  bool strict = false;         // warnings make exit code 1
  // --tag-strays: also list every tag's folder and index for entries that do not belong
  // (ScanOptions::list_tag_folders).
  bool tag_strays = false;
  // Reads in flight at once while scanning, reading manifests and hashing (core/io_depth.h).
  unsigned io_depth = kDefaultIoDepth;
  // The backend settings with the object store's requests in flight at the run's --io-depth.
  BackendSettings Backend() const {
    BackendSettings settings = storage;
    settings.max_in_flight = io_depth;
    return settings;
  }
  int64_t now_ns = 0;  // filled in when zero
  // Where each phase ("scan", "manifests", "verify", "checks") and how far it is are counted,
  // e.g. for a display on a terminal (not owned; may be null). Counting the hashing needs the
  // blob sizes up front, so with it the scan examines every blob's data.
  Progress* progress = nullptr;
  // Called from a ticker thread while hashing (with `progress`, after it is updated).
  std::function<void(const HashProgress&)> on_progress;
  BlobHashFunction hash = HashBlobData;  // test hook
  // Test hook: where the tree is read (scan, manifests, blob data) instead of the backend's
  // reader (not owned).
  TreeReader* reader_override = nullptr;
  // Test hook: the storage --quarantine moves data through instead of the backend's (not owned).
  Storage* storage_override = nullptr;
};

struct AuditCounts {
  uint64_t repositories = 0;
  uint64_t blobs = 0;
  uint64_t blob_bytes = 0;
  uint64_t manifests = 0;  // distinct manifests read
  uint64_t links = 0;      // revision, tag, tag index and `_layers` links read
  uint64_t orphan_blobs = 0;
  uint64_t orphan_bytes = 0;
};

struct AuditOutcome {
  std::string v2_path;
  AuditCounts counts;
  bool verified_data = false;
  DataSubset subset;
  VerifyResult verify;                   // its findings are moved into `findings`
  std::vector<std::string> quarantined;  // blob data paths moved
  Findings findings;                     // most severe first, then by kind and path
  std::vector<std::pair<std::string, double>> timings;
  // Requests sent to an object store, by kind, and their price (none on the local filesystem).
  std::optional<RequestTally> requests;
  double seconds = 0;
  std::string fatal;  // set when the audit could not run (exit code 2)
  int exit_code = 0;

  size_t Count(Severity severity) const;
};

AuditOutcome RunAudit(const AuditOptions& options);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_AUDIT_RUN_H_
