// The CSV report: one table, one row per record, the first column saying what the row is
// ("total", "repository", "tag", "blob"); columns a record does not have are left empty.
#include "audit/usage/report.h"

namespace regsweep::usage {
namespace {

// RFC 4180 quoting when needed.
std::string Cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string Line(std::initializer_list<std::string> cells) {
  std::string line;
  for (const std::string& cell : cells) line += (line.empty() ? "" : ",") + Cell(cell);
  return line + "\n";
}

std::string N(uint64_t value) { return std::to_string(value); }

}  // namespace

std::string CsvReport(const UsageOutcome& outcome, const ReportOptions& options) {
  std::string out =
      Line({"record", "repository", "tag", "digest", "tags", "manifests", "size_bytes",
            "logical_bytes", "exclusive_bytes", "shared_bytes", "used_by"});
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  out += Line({"total", "", "", "", N(t.tags), N(t.manifests), N(t.blob_bytes),
               N(t.referenced_bytes), "", "", ""});
  for (const RepositoryUsage& row : usage.repositories) {
    out += Line({"repository", row.name, "", "", N(row.tags), N(row.manifests), "",
                 N(row.logical_bytes), N(row.exclusive_bytes), N(row.shared_bytes), ""});
  }
  if (options.tags) {
    for (const TagUsage& row : usage.tags) {
      out +=
          Line({"tag", row.repository, row.tag, row.manifest.ToString(), "", "", N(row.size_bytes),
                "", N(row.exclusive_bytes), N(row.size_bytes - row.exclusive_bytes), ""});
    }
  }
  for (const BlobUsage& blob : usage.top_blobs) {
    std::string used_by;
    for (const std::string& name : blob.tags) used_by += (used_by.empty() ? "" : " ") + name;
    out +=
        Line({"blob", "", "", blob.digest.ToString(), "", "", N(blob.size), "", "", "", used_by});
  }
  return out;
}

}  // namespace regsweep::usage
