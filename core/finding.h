// Problems as data. Anything on disk that does not fit the registry layout, or that stops a
// part of the graph from being known, becomes a Finding next to the result instead of an
// exception, so one bad entry never ends a run. Whether a finding limits what may be deleted is
// decided later, from the graph, not where it is found.
#ifndef REGSWEEP_CORE_FINDING_H_
#define REGSWEEP_CORE_FINDING_H_

#include <string>
#include <string_view>
#include <vector>

namespace regsweep {

enum class Severity { kError, kWarning, kInfo };

std::string_view SeverityName(Severity severity);

struct Finding {
  Severity severity = Severity::kError;
  std::string kind;        // stable, machine-readable name, e.g. "bad_link"
  std::string path;        // relative to the v2 folder, may be empty
  std::string repository;  // may be empty
  std::string digest;      // may be empty
  std::string reason;      // one line for a human

  // "error bad_link repositories/a/_layers/...: reason"
  std::string ToLine() const;
};

using Findings = std::vector<Finding>;

bool HasErrors(const Findings& findings);

class JsonWriter;
// Writes the finding's fields (severity, kind, path, repository, digest, reason) into the JSON
// object being written: the one schema every report shares.
void WriteFindingFields(JsonWriter& json, const Finding& finding);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_FINDING_H_
