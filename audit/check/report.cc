// Text and JSON-lines reports for audit.
#include "audit/check/report.h"

#include "core/format.h"
#include "core/json_writer.h"
#include "core/request_tally.h"

namespace regsweep::audit {
namespace {

std::string Rate(uint64_t bytes, double seconds) {
  return seconds > 0
             ? FormatBytes(static_cast<uint64_t>(static_cast<double>(bytes) / seconds)) + "/s"
             : "-";
}

std::string Plural(size_t count, const char* word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

std::string ExampleLine(const Finding& finding) {
  std::string line = "    ";
  line += finding.path.empty() ? finding.digest : finding.path;
  line += ": ";
  line += finding.reason;
  return line + "\n";
}

uint64_t ObjectsChecked(const AuditOutcome& outcome) {
  const AuditCounts& c = outcome.counts;
  return c.repositories + c.blobs + c.manifests + c.links;
}

}  // namespace

std::string AuditTextReport(const AuditOutcome& outcome, size_t examples) {
  if (!outcome.fatal.empty()) return "regsweep audit: " + outcome.fatal + "\n";
  const AuditCounts& c = outcome.counts;
  std::string out = "regsweep audit: " + outcome.v2_path + "\n";
  out += "read " + std::to_string(c.repositories) + " repositories, " + std::to_string(c.blobs) +
         " blobs (" + FormatBytes(c.blob_bytes) + "), " + std::to_string(c.manifests) +
         " manifests, " + std::to_string(c.links) + " links\n";
  if (outcome.verified_data) {
    const VerifyResult& v = outcome.verify;
    out += "data (" + outcome.subset.ToString() + "): " + std::to_string(v.selected) +
           " blobs selected, " + std::to_string(v.hashed) + " hashed, " +
           std::to_string(v.skipped) + " skipped (verified recently and unchanged)\n";
  }
  for (size_t begin = 0; begin < outcome.findings.size();) {
    const Finding& first = outcome.findings[begin];
    size_t end = begin;
    while (end < outcome.findings.size() && outcome.findings[end].kind == first.kind &&
           outcome.findings[end].severity == first.severity) {
      ++end;
    }
    std::string severity(SeverityName(first.severity));
    severity.resize(8, ' ');
    out += severity + first.kind + " (" + std::to_string(end - begin) + ")";
    if (first.kind == "orphan_blob")
      out += ": " + FormatBytes(c.orphan_bytes) + " gc would reclaim";
    out += "\n";
    const size_t shown = examples == 0 ? end - begin : std::min(examples, end - begin);
    for (size_t i = begin; i < begin + shown; ++i) out += ExampleLine(outcome.findings[i]);
    if (begin + shown < end)
      out += "    ... and " + std::to_string(end - begin - shown) + " more\n";
    begin = end;
  }
  out += "summary: " + std::to_string(ObjectsChecked(outcome)) + " objects checked, " +
         FormatBytes(outcome.verify.bytes_hashed) + " hashed in " +
         FormatSeconds(outcome.verify.seconds) + " (" +
         Rate(outcome.verify.bytes_hashed, outcome.verify.seconds) + "), " +
         Plural(outcome.Count(Severity::kError), "error") + ", " +
         Plural(outcome.Count(Severity::kWarning), "warning") + ", " +
         std::to_string(outcome.Count(Severity::kInfo)) + " info, " +
         FormatSeconds(outcome.seconds) + " in all\n";
  if (outcome.requests) out += RequestTallyText(*outcome.requests);
  return out;
}

std::string AuditJsonLines(const AuditOutcome& outcome) {
  std::string out;
  for (const Finding& f : outcome.findings) {
    JsonWriter json;
    json.BeginObject().Field("type", "finding");
    WriteFindingFields(json, f);
    json.EndObject();
    out += json.str() + "\n";
  }
  JsonWriter json;
  json.BeginObject().Field("type", "summary");
  if (!outcome.fatal.empty()) {
    json.Field("error", outcome.fatal).Key("exit_code").Int(outcome.exit_code).EndObject();
    return out + json.str() + "\n";
  }
  const AuditCounts& c = outcome.counts;
  const VerifyResult& v = outcome.verify;
  json.Field("root", outcome.v2_path).Key("exit_code").Int(outcome.exit_code);
  json.Field("errors", static_cast<uint64_t>(outcome.Count(Severity::kError)));
  json.Field("warnings", static_cast<uint64_t>(outcome.Count(Severity::kWarning)));
  json.Field("infos", static_cast<uint64_t>(outcome.Count(Severity::kInfo)));
  json.Field("objects_checked", ObjectsChecked(outcome));
  json.Field("repositories", c.repositories).Field("blobs", c.blobs);
  json.Field("blob_bytes", c.blob_bytes).Field("manifests", c.manifests);
  json.Field("links", c.links).Field("orphan_blobs", c.orphan_blobs);
  json.Field("orphan_bytes", c.orphan_bytes);
  json.Field("verify_data", outcome.verified_data);
  json.Field("subset", outcome.verified_data ? outcome.subset.ToString() : std::string("none"));
  json.Field("blobs_selected", v.selected).Field("blobs_hashed", v.hashed);
  json.Field("blobs_skipped", v.skipped).Field("bytes_hashed", v.bytes_hashed);
  json.Key("hash_seconds").Double(v.seconds);
  json.Key("quarantined").BeginArray();
  for (const std::string& path : outcome.quarantined) json.String(path);
  json.EndArray();
  json.Key("timings").BeginObject();
  for (const auto& [phase, seconds] : outcome.timings) json.Key(phase + "_seconds").Double(seconds);
  json.EndObject();
  if (outcome.requests) WriteRequestTally(json, *outcome.requests);
  json.Key("seconds").Double(outcome.seconds).EndObject();
  return out + json.str() + "\n";
}

}  // namespace regsweep::audit
