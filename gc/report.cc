// Text and JSON reports for gc.
#include "gc/report.h"

#include <algorithm>
#include <cstdio>

#include "core/duration.h"
#include "core/format.h"
#include "core/json_writer.h"
#include "core/layout.h"
#include "core/request_tally.h"
#include "gc/retention_report.h"

namespace regsweep {
namespace {

std::string Row(const char* what, const std::string& deleted, const std::string& kept) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-18s %-26s %s\n", what, deleted.c_str(), kept.c_str());
  return line;
}

std::string CountBytes(uint64_t count, uint64_t bytes) {
  return std::to_string(count) + " (" + FormatBytes(bytes) + ")";
}

std::string DescribeAction(const Plan& plan, const Action& action) {
  const std::string& repository = plan.Repository(action);
  switch (action.kind) {
    case ActionKind::kDeleteTag:
      return "tag        " + repository + ":" + action.name;
    case ActionKind::kDeleteTagIndexEntry:
      return "tag index  " + repository + ":" + action.name + " " + action.digest.ToString();
    case ActionKind::kDeleteRevision:
      return "manifest   " + repository + "@" + action.digest.ToString();
    case ActionKind::kDeleteLayerLink:
      return "layer link " + repository + " " + action.digest.ToString();
    case ActionKind::kDeleteBlob:
      return "blob       " + action.digest.ToString() + " " + FormatBytes(action.size);
    case ActionKind::kDeleteUpload:
      return "upload     " + repository + " " + action.name + " " + FormatBytes(action.size);
    case ActionKind::kPruneRepository:
      return "repository " + repository + " (empty)";
  }
  return "";
}

size_t CountSeverity(const Findings& findings, Severity severity) {
  size_t n = 0;
  for (const Finding& f : findings) n += f.severity == severity ? 1 : 0;
  return n;
}

// The blobs the dropped images used: how many go, and why each of the others stays.
std::string WhatIfText(const WhatIf& what_if, bool dry, bool list_all) {
  constexpr size_t kShown = 20;
  const uint64_t kept_blobs = what_if.released_blobs - what_if.freed_blobs;
  std::string out = "the dropped images used " +
                    CountBytes(what_if.released_blobs, what_if.released_bytes) +
                    " of blobs: " + CountBytes(what_if.freed_blobs, what_if.freed_bytes) +
                    (dry ? " would be freed, " : " freed, ") +
                    CountBytes(kept_blobs, what_if.released_bytes - what_if.freed_bytes) +
                    (dry ? " would stay" : " stayed") + (kept_blobs != 0 ? ":\n" : "\n");
  for (size_t i = 0; i < what_if.kept.size() && (list_all || i < kShown); ++i) {
    const KeptBlob& blob = what_if.kept[i];
    const std::string size = FormatBytes(blob.size);
    out += "  " + blob.digest.ToString() + "  " +
           std::string(10 - std::min<size_t>(10, size.size()), ' ') + size +
           "  kept: " + DescribeKept(blob) + "\n";
  }
  if (!list_all && what_if.kept.size() > kShown) {
    out += "  ... and " + std::to_string(what_if.kept.size() - kShown) + " more (-v lists all)\n";
  }
  return out;
}

}  // namespace

std::string GcTextReport(const GcOutcome& outcome, bool list_actions) {
  if (!outcome.fatal.empty()) return "regsweep gc: " + outcome.fatal + "\n";
  std::string out;
  const bool dry = outcome.dry_run;
  out += std::string("regsweep gc") + (dry ? " (dry run)" : "") +
         (outcome.applied_plan ? " (applying a saved plan)" : "") + ": " + outcome.v2_path + "\n";
  for (const std::string& notice : outcome.notices) out += "note: " + notice + "\n";
  // An OCI image layout has neither link files nor uploads, and its manifests are blobs like
  // any other (the blob row counts them); its tags are the entries of index.json.
  const bool links = outcome.plan.layout->HasLinkFiles();
  const char* tags = links ? "tags" : "index.json entries";
  const char* revisions = links ? "revisions" : "manifests in blobs/";
  out += "scanned " + std::to_string(outcome.repositories) + " repositories, " +
         std::to_string(outcome.blobs) + " blobs, " + std::to_string(outcome.manifests) +
         " manifests; roots: " + tags +
         (outcome.policy.delete_untagged ? " only (--delete-untagged)"
                                         : std::string(" and ") + revisions) +
         (!outcome.policy.delete_untagged && !outcome.policy.delete_untagged_repositories.empty()
              ? " (tags only in " +
                    std::to_string(outcome.policy.delete_untagged_repositories.size()) +
                    " repositories, by the retention policy)"
              : "") +
         "\n";
  if (list_actions) {
    for (size_t i = 0; i < outcome.plan.actions.size(); ++i) {
      if (!outcome.Done(i)) continue;
      out += std::string(dry ? "would delete " : "deleted ") +
             DescribeAction(outcome.plan, outcome.plan.actions[i]) + "\n";
    }
  }
  // Count what was really carried out (all of the plan for a dry run).
  const PlanCounts done = outcome.DoneCounts();
  const PlanCounts& kept = outcome.plan.kept;
  out += Row("", dry ? "to delete" : "deleted", "kept");
  if (links) {
    out += Row("manifests", std::to_string(done.manifests), std::to_string(kept.manifests));
  }
  out += Row("blobs", CountBytes(done.blobs, done.blob_bytes),
             outcome.plan.kept_blob_bytes_known
                 ? CountBytes(kept.blobs, kept.blob_bytes)
                 : std::to_string(kept.blobs) + " (sizes: regsweep usage)");
  if (links) {
    out += Row("layer links", std::to_string(done.layer_links), std::to_string(kept.layer_links));
  }
  out +=
      Row(links ? "tags" : "index entries", std::to_string(done.tags), std::to_string(kept.tags));
  if (links) {
    out += Row("uploads", CountBytes(done.uploads, done.upload_bytes),
               CountBytes(kept.uploads, kept.upload_bytes));
  }
  if (outcome.policy.min_age_ns > 0) {
    out += "spared by --min-age " + FormatDuration(outcome.policy.min_age_ns) + ": " +
           std::to_string(outcome.plan.spared_count) + " objects (" +
           FormatBytes(outcome.plan.spared_bytes) + " of blobs)\n";
  }
  if (outcome.applied_plan && !outcome.no_longer_eligible.empty()) {
    out += std::to_string(outcome.no_longer_eligible.size()) +
           " planned actions are no longer eligible and were skipped\n";
  }
  out += std::string(dry ? "would free " : "freed ") + FormatBytes(outcome.FreedBytes()) +
         " of blob data\n";
  out += RetentionText(outcome);
  if (outcome.policy.DropsImages()) out += WhatIfText(outcome.what_if, dry, list_actions);
  out += "time:";
  for (const auto& [phase, seconds] : outcome.timings) {
    out += " " + phase + " " + FormatSeconds(seconds);
  }
  out += "\n";
  if (outcome.requests) out += RequestTallyText(*outcome.requests);
  if (outcome.sweep.stopped_early) {
    out += "the sweep stopped after a failed phase; nothing later in the order was deleted\n";
  }
  const size_t errors = CountSeverity(outcome.problems, Severity::kError);
  const size_t warnings = CountSeverity(outcome.problems, Severity::kWarning);
  if (errors + warnings > 0) {
    out += "problems: " + std::to_string(errors) + " errors, " + std::to_string(warnings) +
           " warnings\n";
    for (const Finding& finding : outcome.problems) {
      if (finding.severity != Severity::kInfo) out += "  " + finding.ToLine() + "\n";
    }
  }
  return out;
}

std::string GcJsonReport(const GcOutcome& outcome) {
  JsonWriter json;
  json.BeginObject().Field("command", "gc");
  if (!outcome.fatal.empty()) {
    json.Field("error", outcome.fatal).Key("exit_code").Int(outcome.exit_code).EndObject();
    return json.str() + "\n";
  }
  json.Field("root", outcome.v2_path).Field("layout", outcome.plan.layout->name());
  json.Field("dry_run", outcome.dry_run);
  json.Field("applied_plan", outcome.applied_plan);
  json.Field("delete_untagged", outcome.policy.delete_untagged);
  json.Key("delete_untagged_repositories").BeginArray();
  for (const std::string& name : outcome.policy.delete_untagged_repositories) json.String(name);
  json.EndArray();
  json.Key("min_age_seconds").Int(outcome.policy.min_age_ns / 1000000000);
  json.Field("freed_bytes", outcome.FreedBytes());
  json.Key("scanned").BeginObject();
  json.Field("repositories", static_cast<uint64_t>(outcome.repositories));
  json.Field("blobs", static_cast<uint64_t>(outcome.blobs));
  json.Field("manifests", static_cast<uint64_t>(outcome.manifests));
  json.EndObject();

  const char* const kLists[] = {"tags",  "tag_index_entries", "manifests",   "layer_links",
                                "blobs", "uploads",           "repositories"};
  json.Key("deleted").BeginObject();
  for (int kind = 0; kind < kActionKindCount; ++kind) {
    json.Key(kLists[kind]).BeginArray();
    for (size_t i = 0; i < outcome.plan.actions.size(); ++i) {
      const Action& a = outcome.plan.actions[i];
      if (static_cast<int>(a.kind) != kind || !outcome.Done(i)) continue;
      const std::string& repository = outcome.plan.Repository(a);
      switch (a.kind) {
        case ActionKind::kDeleteTag:
          json.BeginObject().Field("repository", repository).Field("tag", a.name).EndObject();
          break;
        case ActionKind::kDeleteTagIndexEntry:
          json.BeginObject().Field("repository", repository).Field("tag", a.name);
          json.Field("digest", a.digest.ToString()).EndObject();
          break;
        case ActionKind::kDeleteRevision:
        case ActionKind::kDeleteLayerLink:
          json.BeginObject().Field("repository", repository);
          json.Field("digest", a.digest.ToString()).EndObject();
          break;
        case ActionKind::kDeleteBlob:
          json.BeginObject().Field("digest", a.digest.ToString()).Field("size", a.size);
          json.EndObject();
          break;
        case ActionKind::kDeleteUpload:
          json.BeginObject().Field("repository", repository).Field("id", a.name);
          json.Field("size", a.size).EndObject();
          break;
        case ActionKind::kPruneRepository:
          json.String(repository);
          break;
      }
    }
    json.EndArray();
  }
  json.EndObject();

  const PlanCounts& kept = outcome.plan.kept;
  json.Key("kept").BeginObject();
  json.Field("manifests", kept.manifests).Field("blobs", kept.blobs);
  if (outcome.plan.kept_blob_bytes_known) json.Field("blob_bytes", kept.blob_bytes);
  json.Field("layer_links", kept.layer_links);
  json.Field("tags", kept.tags).Field("uploads", kept.uploads).EndObject();
  json.Key("spared").BeginObject().Field("count", outcome.plan.spared_count);
  json.Field("bytes", outcome.plan.spared_bytes).EndObject();
  json.Key("no_longer_eligible").BeginArray();
  for (const std::string& key : outcome.no_longer_eligible) json.String(key);
  json.EndArray();
  json.Key("problems").BeginArray();
  for (const Finding& f : outcome.problems) {
    json.BeginObject();
    WriteFindingFields(json, f);
    json.EndObject();
  }
  json.EndArray();
  if (outcome.policy.DropsImages()) {
    const WhatIf& what_if = outcome.what_if;
    json.Key("what_if").BeginObject();
    json.Field("released_blobs", what_if.released_blobs);
    json.Field("released_bytes", what_if.released_bytes);
    json.Field("freed_blobs", what_if.freed_blobs).Field("freed_bytes", what_if.freed_bytes);
    json.Key("kept").BeginArray();
    for (const KeptBlob& blob : what_if.kept) {
      json.BeginObject().Field("digest", blob.digest.ToString()).Field("size", blob.size);
      json.Key("kept_by").BeginArray();
      for (const std::string& name : blob.kept_by) json.String(name);
      json.EndArray().Field("kept_by_count", static_cast<uint64_t>(blob.kept_by_count));
      json.Field("reason", DescribeKept(blob)).EndObject();
    }
    json.EndArray().EndObject();
  }
  WriteRetentionJson(outcome, json);
  json.Field("stopped_early", outcome.sweep.stopped_early);
  json.Key("timings").BeginObject();
  for (const auto& [phase, seconds] : outcome.timings) json.Key(phase + "_seconds").Double(seconds);
  json.EndObject();
  if (outcome.requests) WriteRequestTally(json, *outcome.requests);
  json.Key("exit_code").Int(outcome.exit_code);
  json.EndObject();
  return json.str() + "\n";
}

}  // namespace regsweep
