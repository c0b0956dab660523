// An audit run as metrics for node_exporter's textfile collector (Prometheus text format): when
// it ran, how long it took, its exit code, what it checked and hashed, the orphans gc would
// reclaim and its findings by severity. A run that could not happen (exit 2) still reports its
// time and exit code.
#ifndef REGSWEEP_AUDIT_CHECK_METRICS_H_
#define REGSWEEP_AUDIT_CHECK_METRICS_H_

#include <cstdint>
#include <string>

#include "audit/check/audit_run.h"

namespace regsweep::audit {

// `started_seconds`: Unix time the run started.
std::string AuditMetrics(const AuditOutcome& outcome, int64_t started_seconds);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_METRICS_H_
