// The retention part of gc's reports (gc --policy): per repository a policy matched, every tag
// with keep or drop, the rule that decided, the push and pull times used, and the bytes of blob
// data dropping it frees. Formatting only; gc/report.h places it in the text and JSON reports.
#ifndef REGSWEEP_GC_RETENTION_REPORT_H_
#define REGSWEEP_GC_RETENTION_REPORT_H_

#include <string>

#include "core/json_writer.h"
#include "gc/gc_run.h"

namespace regsweep {

// The text section; empty when the run used no policy.
std::string RetentionText(const GcOutcome& outcome);
// Writes `"retention": {...}` into the open JSON object; nothing when the run used no policy.
void WriteRetentionJson(const GcOutcome& outcome, JsonWriter& json);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_REPORT_H_
