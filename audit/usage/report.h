// Writers of the usage report: aligned text, JSON, CSV, a Prometheus textfile and one
// self-contained HTML page with charts. Formatting only; every number comes from the
// UsageOutcome. The formats are documented in docs/usage.md.
#ifndef REGSWEEP_AUDIT_USAGE_REPORT_H_
#define REGSWEEP_AUDIT_USAGE_REPORT_H_

#include <cstdint>
#include <string>

#include "audit/usage/usage_run.h"

namespace regsweep::usage {

struct ReportOptions {
  bool tags = false;  // include the per-tag table
};

std::string TextReport(const UsageOutcome& outcome, const ReportOptions& options);
std::string JsonReport(const UsageOutcome& outcome, const ReportOptions& options);
std::string CsvReport(const UsageOutcome& outcome, const ReportOptions& options);
// node_exporter textfile format; `now_seconds` stamps regsweep_usage_timestamp_seconds.
std::string PrometheusReport(const UsageOutcome& outcome, const ReportOptions& options,
                             int64_t now_seconds);
std::string HtmlReport(const UsageOutcome& outcome, const ReportOptions& options);

}  // namespace regsweep::usage

#endif  // REGSWEEP_AUDIT_USAGE_REPORT_H_
