// A gc run as metrics for node_exporter's textfile collector (Prometheus text format): when it
// ran, how long it took, its exit code, whether it was a dry run, the bytes it freed, the
// objects it deleted by kind and its problems by severity. A run that could not happen (exit 2)
// still reports its time and exit code, so an alert on the exit code sees it.
#ifndef REGSWEEP_GC_METRICS_H_
#define REGSWEEP_GC_METRICS_H_

#include <cstdint>
#include <string>

#include "gc/gc_run.h"

namespace regsweep {

// `started_seconds`: Unix time the run started; `seconds`: how long it took.
std::string GcMetrics(const GcOutcome& outcome, int64_t started_seconds, double seconds);

}  // namespace regsweep

#endif  // REGSWEEP_GC_METRICS_H_
