// One `regsweep usage` run: find the registry, scan it, build the graph, account it, and narrow
// and sort the rows for the report. The command-line layer fills UsageOptions and hands the
// UsageOutcome to the writers of audit/usage/report.h.
#ifndef REGSWEEP_AUDIT_USAGE_USAGE_RUN_H_
#define REGSWEEP_AUDIT_USAGE_USAGE_RUN_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/usage/usage.h"
#include "core/backend.h"
#include "core/finding.h"
#include "core/io_depth.h"
#include "core/request_tally.h"

namespace regsweep {
class Progress;
}  // namespace regsweep

namespace regsweep::usage {

struct UsageOptions {
  // rootdirectory or the v2 folder, or s3://BUCKET/PREFIX; empty when `storage.config` names it
  std::string root;
  BackendSettings storage;       // --config, --max-requests-per-second (core/backend.h)
  size_t top_blobs = 0;          // --top N
  std::string repository_regex;  // --repo: rows of matching repositories only (totals stay whole)
  std::string sort;              // --sort: a column (see SortColumns()); empty = by name
  // Reads in flight at once while scanning and reading manifests (core/io_depth.h).
  unsigned io_depth = kDefaultIoDepth;
  // The backend settings with the object store's requests in flight at the run's --io-depth.
  BackendSettings Backend() const {
    BackendSettings settings = storage;
    settings.max_in_flight = io_depth;
    return settings;
  }
  // Where each phase ("scan", "manifests", "accounting") and how far it is are counted, e.g.
  // for a display on a terminal (not owned; may be null).
  Progress* progress = nullptr;
};

struct UsageOutcome {
  std::string v2_path;
  Usage usage;
  Findings problems;  // scan findings and what kept repositories whole
  std::vector<std::pair<std::string, double>> timings;
  // Requests sent to an object store, by kind, and their price (none on the local filesystem).
  std::optional<RequestTally> requests;
  std::string fatal;  // set when the run could not happen (exit code 2)
  int exit_code = 0;
};

UsageOutcome RunUsage(const UsageOptions& options);

}  // namespace regsweep::usage

#endif  // REGSWEEP_AUDIT_USAGE_USAGE_RUN_H_
