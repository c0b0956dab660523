// Formatting of findings.
#include "core/finding.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/names.h"

namespace regsweep {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "error";
}

std::string Finding::ToLine() const {
  std::string line(SeverityName(severity));
  line += ' ';
  line += kind;
  // Paths and names come from disk: a folder name may hold a newline or a terminal escape.
  if (!path.empty()) {
    line += ' ';
    line += EscapeControlBytes(path);
  } else if (!repository.empty()) {
    line += " repository ";
    line += EscapeControlBytes(repository);
  }
  line += ": ";
  line += reason;
  return line;
}

bool HasErrors(const Findings& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kError; });
}

void WriteFindingFields(JsonWriter& json, const Finding& finding) {
  json.Field("severity", SeverityName(finding.severity)).Field("kind", finding.kind);
  json.Field("path", finding.path).Field("repository", finding.repository);
  json.Field("digest", finding.digest).Field("reason", finding.reason);
}

}  // namespace regsweep
