// One garbage collection from start to end: lock, scan, graph, mark, plan, sweep. The
// command-line layer fills GcOptions and prints the GcOutcome with gc/report.h.
#ifndef REGSWEEP_GC_GC_RUN_H_
#define REGSWEEP_GC_GC_RUN_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/finding.h"
#include "core/io_depth.h"
#include "core/policy.h"
#include "core/request_tally.h"
#include "core/storage.h"
#include "core/tree_reader.h"
#include "gc/plan.h"
#include "gc/retention_run.h"
#include "gc/sweep.h"
#include "gc/what_if.h"

namespace regsweep {

class Progress;

struct GcOptions {
  // rootdirectory or the v2 folder, or s3://BUCKET/PREFIX; empty when `storage.config` names it
  std::string root;
  BackendSettings storage;  // --config, --max-requests-per-second (core/backend.h)
  GcPolicy policy;          // now_ns is filled in by RunGc when zero
  bool dry_run = false;
  std::string plan_out;    // write the plan here
  std::string apply_plan;  // carry out this saved plan (re-checked)
  // --policy: the retention policy file whose dropped tags are untagged (docs/retention.md),
  // and --access-log: the registry's logs its pull rules read.
  std::string retention_policy;
  std::vector<std::string> access_logs;
  bool break_lock = false;
  // Reads (and deletions) in flight at once in the phases that wait on storage
  // (core/io_depth.h).
  unsigned io_depth = kDefaultIoDepth;
  // The backend settings with the object store's requests in flight at the run's --io-depth.
  BackendSettings Backend() const {
    BackendSettings settings = storage;
    settings.max_in_flight = io_depth;
    return settings;
  }
  // Where each phase ("scan", "manifests", "mark", "plan", "sweep") and how far it is are
  // counted, e.g. for a display on a terminal (not owned; may be null).
  Progress* progress = nullptr;
  // Test hook: storage to sweep through instead of the backend's (not owned).
  Storage* storage_override = nullptr;
  // Test hook: where the tree is read instead of the backend's reader (not owned).
  TreeReader* reader_override = nullptr;
};

struct GcOutcome {
  std::string v2_path;
  bool dry_run = false;
  bool applied_plan = false;
  GcPolicy policy;
  size_t repositories = 0;
  size_t blobs = 0;
  size_t manifests = 0;  // distinct manifests parsed
  Plan plan;
  WhatIf what_if;  // when the policy drops images (--untag, --untag-regex, --delete-repo)
  bool used_retention = false;  // --policy
  RetentionReport retention;
  AccessLogStats access_log_stats;
  SweepResult sweep;                            // empty for a dry run
  std::vector<std::string> no_longer_eligible;  // --apply: saved actions not carried out
  Findings problems;                            // findings, marking problems, failures
  std::vector<std::string> notices;             // e.g. a cleared stale lock
  std::vector<std::pair<std::string, double>> timings;
  // Requests sent to an object store, by kind, and their price (none on the local filesystem).
  std::optional<RequestTally> requests;
  std::string fatal;  // set when the run could not happen (exit code 2)
  int exit_code = 0;

  // Bytes of blob data deleted (or, for a dry run, that would be).
  uint64_t FreedBytes() const;
  // What was carried out (all of the plan for a dry run), counted by kind.
  PlanCounts DoneCounts() const;
  bool Done(size_t action) const { return dry_run || sweep.done[action] != 0; }
};

GcOutcome RunGc(const GcOptions& options);

}  // namespace regsweep

#endif  // REGSWEEP_GC_GC_RUN_H_
