// Reports of an audit: the human text (findings grouped by kind, most severe first, with counts
// and the first examples, and a closing summary line) and JSON lines (one object per finding,
// then one summary object), whose schema docs/audit.md documents.
#ifndef REGSWEEP_AUDIT_CHECK_REPORT_H_
#define REGSWEEP_AUDIT_CHECK_REPORT_H_

#include <cstddef>
#include <string>

#include "audit/check/audit_run.h"

namespace regsweep::audit {

// `examples` findings are listed per kind (0: all of them).
std::string AuditTextReport(const AuditOutcome& outcome, size_t examples);

std::string AuditJsonLines(const AuditOutcome& outcome);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_REPORT_H_
