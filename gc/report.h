// Reports of a gc run: a restic-prune style text summary and the documented JSON report
// (docs/gc.md). Formatting only; every number comes from the GcOutcome.
#ifndef REGSWEEP_GC_REPORT_H_
#define REGSWEEP_GC_REPORT_H_

#include <string>

#include "gc/gc_run.h"

namespace regsweep {

// The summary; with `list_actions`, one line per deletion as well.
std::string GcTextReport(const GcOutcome& outcome, bool list_actions);
std::string GcJsonReport(const GcOutcome& outcome);

}  // namespace regsweep

#endif  // REGSWEEP_GC_REPORT_H_
