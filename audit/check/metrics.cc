// audit's textfile metrics.
#include "audit/check/metrics.h"

#include "core/prometheus_text.h"

namespace regsweep::audit {

std::string AuditMetrics(const AuditOutcome& outcome, int64_t started_seconds) {
  PrometheusText m;
  m.Family("regsweep_audit_last_run_timestamp_seconds", "When the last audit started (Unix time).");
  m.Sample("regsweep_audit_last_run_timestamp_seconds", "", static_cast<uint64_t>(started_seconds));
  m.Family("regsweep_audit_duration_seconds", "How long the last audit took.");
  m.Sample("regsweep_audit_duration_seconds", "", outcome.seconds);
  m.Family("regsweep_audit_exit_code",
           "Exit code of the last audit: 0 clean, 1 something is broken, 2 could not run.");
  m.Sample("regsweep_audit_exit_code", "", static_cast<uint64_t>(outcome.exit_code));
  m.Family("regsweep_audit_data_verified", "1 when the last audit hashed blob data.");
  m.Sample("regsweep_audit_data_verified", "",
           static_cast<uint64_t>(outcome.verified_data ? 1 : 0));
  m.Family("regsweep_audit_blobs_hashed", "Blobs the last audit hashed.");
  m.Sample("regsweep_audit_blobs_hashed", "", outcome.verify.hashed);
  m.Family("regsweep_audit_orphan_bytes", "Bytes of blobs gc would reclaim (orphan_blob).");
  m.Sample("regsweep_audit_orphan_bytes", "", outcome.counts.orphan_bytes);
  m.Family("regsweep_audit_problems", "Findings of the last audit, by severity.");
  for (const Severity severity : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
    m.Sample("regsweep_audit_problems",
             PrometheusLabel("severity", std::string(SeverityName(severity))),
             static_cast<uint64_t>(outcome.Count(severity)));
  }
  return m.str();
}

}  // namespace regsweep::audit
