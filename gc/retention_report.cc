// Text and JSON of the retention decisions.
#include "gc/retention_report.h"

#include "core/format.h"

namespace regsweep {
namespace {

std::string PullText(const TagDecision& tag) {
  return tag.pull_time_is_push_time ? "never pulled (push time used)"
                                    : "pulled " + FormatUtcTime(tag.pull_time_ns);
}

}  // namespace

std::string RetentionText(const GcOutcome& outcome) {
  if (!outcome.used_retention) return "";
  const RetentionReport& report = outcome.retention;
  size_t kept = 0;
  size_t dropped = 0;
  for (const RepositoryRetention& repository : report.repositories) {
    for (const TagDecision& tag : repository.decision.tags) (tag.keep ? kept : dropped) += 1;
  }
  std::string out = "retention policy " + report.policy_path + ": " +
                    std::to_string(report.repositories.size()) + " repositories decided, " +
                    std::to_string(kept) + " tags kept, " + std::to_string(dropped) +
                    (outcome.dry_run ? " to drop\n" : " dropped\n");
  const AccessLogStats& logs = outcome.access_log_stats;
  if (logs.files > 0) {
    out += "  access logs: " + std::to_string(logs.files) + " files, " +
           std::to_string(logs.lines) + " lines, " + std::to_string(logs.pulls) + " pulls";
    if (logs.pulls > 0) {
      out += " from " + FormatUtcTime(logs.first_request_ns) + " to " +
             FormatUtcTime(logs.last_request_ns);
    }
    out += "\n";
  }
  for (const RepositoryRetention& repository : report.repositories) {
    const RepositoryDecision& decision = repository.decision;
    out += "  " + decision.repository +
           (decision.delete_untagged ? " (untagged manifests collected)" : "") +
           (decision.protected_would_empty ? " (protected: the policy would drop every tag)" : "") +
           "\n";
    for (size_t t = 0; t < decision.tags.size(); ++t) {
      const TagDecision& tag = decision.tags[t];
      out += std::string(tag.keep ? "    keep " : "    drop ") + tag.tag + "  pushed " +
             FormatUtcTime(tag.push_time_ns);
      if (logs.files > 0) out += ", " + PullText(tag);
      if (!tag.keep) out += ", frees " + FormatBytes(repository.frees_bytes[t]);
      out += "  [" + tag.rule + "]\n";
    }
  }
  return out;
}

void WriteRetentionJson(const GcOutcome& outcome, JsonWriter& json) {
  if (!outcome.used_retention) return;
  const RetentionReport& report = outcome.retention;
  const AccessLogStats& logs = outcome.access_log_stats;
  json.Key("retention").BeginObject().Field("policy", report.policy_path);
  json.Key("access_logs").BeginObject();
  json.Field("files", logs.files).Field("lines", logs.lines).Field("pulls", logs.pulls);
  if (logs.pulls > 0) {
    json.Field("first_request", FormatUtcTime(logs.first_request_ns));
    json.Field("last_request", FormatUtcTime(logs.last_request_ns));
  }
  json.EndObject().Key("repositories").BeginArray();
  for (const RepositoryRetention& repository : report.repositories) {
    const RepositoryDecision& decision = repository.decision;
    json.BeginObject().Field("repository", decision.repository);
    json.Field("delete_untagged", decision.delete_untagged);
    json.Field("protected_would_empty", decision.protected_would_empty);
    json.Key("tags").BeginArray();
    for (size_t t = 0; t < decision.tags.size(); ++t) {
      const TagDecision& tag = decision.tags[t];
      json.BeginObject().Field("tag", tag.tag).Field("digest", tag.digest.ToString());
      json.Field("keep", tag.keep).Field("rule", tag.rule);
      json.Field("pushed", FormatUtcTime(tag.push_time_ns));
      json.Field("pulled",
                 tag.pull_time_is_push_time ? std::string() : FormatUtcTime(tag.pull_time_ns));
      json.Field("frees_bytes", repository.frees_bytes[t]).EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray().EndObject();
}

}  // namespace regsweep
