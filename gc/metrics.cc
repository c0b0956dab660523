// gc's textfile metrics.
#include "gc/metrics.h"

#include "core/prometheus_text.h"

namespace regsweep {

std::string GcMetrics(const GcOutcome& outcome, int64_t started_seconds, double seconds) {
  PrometheusText m;
  m.Family("regsweep_gc_last_run_timestamp_seconds", "When the last gc run started (Unix time).");
  m.Sample("regsweep_gc_last_run_timestamp_seconds", "", static_cast<uint64_t>(started_seconds));
  m.Family("regsweep_gc_duration_seconds", "How long the last gc run took.");
  m.Sample("regsweep_gc_duration_seconds", "", seconds);
  m.Family("regsweep_gc_exit_code",
           "Exit code of the last gc run: 0 clean, 1 problems (what they touch was kept), 2 "
           "could not run.");
  m.Sample("regsweep_gc_exit_code", "", static_cast<uint64_t>(outcome.exit_code));
  m.Family("regsweep_gc_dry_run", "1 when the last gc run was a dry run (nothing deleted).");
  m.Sample("regsweep_gc_dry_run", "", static_cast<uint64_t>(outcome.dry_run ? 1 : 0));
  const PlanCounts done = outcome.fatal.empty() ? outcome.DoneCounts() : PlanCounts();
  m.Family("regsweep_gc_freed_bytes",
           "Bytes the last gc run deleted (blob data and uploads; for a dry run, would delete).");
  m.Sample("regsweep_gc_freed_bytes", PrometheusLabel("kind", "blobs"), done.blob_bytes);
  m.Sample("regsweep_gc_freed_bytes", PrometheusLabel("kind", "uploads"), done.upload_bytes);
  m.Family("regsweep_gc_deleted_objects",
           "Objects the last gc run deleted by kind (for a dry run, would delete).");
  const std::pair<const char*, uint64_t> kinds[] = {
      {"blobs", done.blobs}, {"manifests", done.manifests}, {"layer_links", done.layer_links},
      {"tags", done.tags},   {"uploads", done.uploads},
  };
  for (const auto& [kind, count] : kinds) {
    m.Sample("regsweep_gc_deleted_objects", PrometheusLabel("kind", kind), count);
  }
  uint64_t by_severity[3] = {0, 0, 0};
  for (const Finding& problem : outcome.problems) {
    ++by_severity[static_cast<size_t>(problem.severity)];
  }
  m.Family("regsweep_gc_problems", "Problems the last gc run reported, by severity.");
  for (const Severity severity : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
    m.Sample("regsweep_gc_problems",
             PrometheusLabel("severity", std::string(SeverityName(severity))),
             by_severity[static_cast<size_t>(severity)]);
  }
  return m.str();
}

}  // namespace regsweep
