// audit's orphans against gc's dry-run deletions.
#include "tests/testing/agreement.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "audit/check/audit_run.h"
#include "gc/gc_run.h"

namespace regsweep::testing {
namespace {

std::vector<std::string> AuditOrphans(const std::string& root, bool verify_data,
                                      std::string* fatal) {
  audit::AuditOptions options;
  options.root = root;
  options.verify_data = verify_data;
  const audit::AuditOutcome outcome = audit::RunAudit(options);
  *fatal = outcome.fatal;
  std::vector<std::string> digests;
  for (const Finding& finding : outcome.findings) {
    if (finding.kind == "orphan_blob") digests.push_back(finding.digest);
  }
  std::sort(digests.begin(), digests.end());
  return digests;
}

std::vector<std::string> GcDeletions(const std::string& root, std::string* fatal) {
  GcOptions options;
  options.root = root;
  options.dry_run = true;
  options.policy.min_age_ns = 0;
  const GcOutcome outcome = RunGc(options);
  *fatal = outcome.fatal;
  std::vector<std::string> digests;
  for (const Action& action : outcome.plan.actions) {
    if (action.kind == ActionKind::kDeleteBlob) digests.push_back(action.digest.ToString());
  }
  std::sort(digests.begin(), digests.end());
  return digests;
}

}  // namespace

std::string OrphansDisagreeWithGc(const std::string& root) {
  std::string fatal;
  const std::vector<std::string> gc = GcDeletions(root, &fatal);
  if (!fatal.empty()) return "gc could not run: " + fatal;
  std::string out;
  for (const bool verify_data : {false, true}) {
    const std::vector<std::string> audit = AuditOrphans(root, verify_data, &fatal);
    if (!fatal.empty()) return "audit could not run: " + fatal;
    const std::string mode = verify_data ? " (audit --verify-data)" : "";
    std::vector<std::string> only;
    std::set_difference(audit.begin(), audit.end(), gc.begin(), gc.end(), std::back_inserter(only));
    for (const std::string& digest : only) out += "audit only" + mode + ": " + digest + "\n";
    only.clear();
    std::set_difference(gc.begin(), gc.end(), audit.begin(), audit.end(), std::back_inserter(only));
    for (const std::string& digest : only) out += "gc only" + mode + ": " + digest + "\n";
  }
  return out;
}

}  // namespace regsweep::testing
