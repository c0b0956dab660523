// The Prometheus report, in node_exporter's textfile-collector format (gauges only).
#include <cstdio>

#include "audit/usage/report.h"

namespace regsweep::usage {
namespace {

// Label values escape backslash, double quote and newline.
std::string LabelValue(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class Metrics {
 public:
  void Family(const char* name, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  }
  void Sample(const std::string& name, const std::string& labels, const std::string& value) {
    out_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + value + "\n";
  }
  void Sample(const std::string& name, const std::string& labels, uint64_t value) {
    Sample(name, labels, std::to_string(value));
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

std::string Label(const char* key, const std::string& value) {
  return std::string(key) + "=\"" + LabelValue(value) + "\"";
}

}  // namespace

std::string PrometheusReport(const UsageOutcome& outcome, const ReportOptions& options,
                             int64_t now_seconds) {
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  Metrics m;
  m.Family("regsweep_blobs", "Blob files in the store, by state.");
  m.Sample("regsweep_blobs", Label("state", "referenced"), t.referenced_blobs);
  m.Sample("regsweep_blobs", Label("state", "unreferenced"), t.unreferenced_blobs);
  m.Family("regsweep_blob_bytes", "Bytes of blob data, by state.");
  m.Sample("regsweep_blob_bytes", Label("state", "referenced"), t.referenced_bytes);
  m.Sample("regsweep_blob_bytes", Label("state", "unreferenced"), t.unreferenced_bytes);
  m.Family("regsweep_blob_allocated_bytes", "Bytes the blob files occupy on disk (st_blocks).");
  m.Sample("regsweep_blob_allocated_bytes", "", t.allocated_bytes);
  m.Family("regsweep_reclaimable_bytes",
           "Bytes gc would free now, with -m (tags only) or without (manifests).");
  m.Sample("regsweep_reclaimable_bytes", Label("roots", "tags"), t.unreferenced_bytes);
  m.Sample("regsweep_reclaimable_bytes", Label("roots", "manifests"), t.unused_by_manifests_bytes);
  m.Family("regsweep_objects", "Manifests, tags, repositories and uploads.");
  m.Sample("regsweep_objects", Label("kind", "manifests"), t.manifests);
  m.Sample("regsweep_objects", Label("kind", "tags"), t.tags);
  m.Sample("regsweep_objects", Label("kind", "repositories"), t.repositories);
  m.Sample("regsweep_objects", Label("kind", "uploads"), t.uploads);
  m.Family("regsweep_upload_bytes", "Bytes of unfinished uploads.");
  m.Sample("regsweep_upload_bytes", "", t.upload_bytes);
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.6g", t.dedup_ratio);
  m.Family("regsweep_dedup_ratio", "Sum of every tagged image's size over the referenced bytes.");
  m.Sample("regsweep_dedup_ratio", "", ratio);

  m.Family("regsweep_repository_bytes", "Bytes a repository reaches, by kind.");
  for (const RepositoryUsage& row : usage.repositories) {
    const std::string repo = Label("repository", row.name);
    m.Sample("regsweep_repository_bytes", repo + "," + Label("kind", "logical"), row.logical_bytes);
    m.Sample("regsweep_repository_bytes", repo + "," + Label("kind", "exclusive"),
             row.exclusive_bytes);
    m.Sample("regsweep_repository_bytes", repo + "," + Label("kind", "shared"), row.shared_bytes);
  }
  m.Family("regsweep_repository_tags", "Tags of a repository.");
  for (const RepositoryUsage& row : usage.repositories) {
    m.Sample("regsweep_repository_tags", Label("repository", row.name), row.tags);
  }
  m.Family("regsweep_repository_manifests", "Manifest revisions of a repository.");
  for (const RepositoryUsage& row : usage.repositories) {
    m.Sample("regsweep_repository_manifests", Label("repository", row.name), row.manifests);
  }
  if (options.tags) {
    m.Family("regsweep_tag_bytes", "Image size of a tag, and what untagging it alone frees.");
    for (const TagUsage& row : usage.tags) {
      const std::string tag = Label("repository", row.repository) + "," + Label("tag", row.tag);
      m.Sample("regsweep_tag_bytes", tag + "," + Label("kind", "size"), row.size_bytes);
      m.Sample("regsweep_tag_bytes", tag + "," + Label("kind", "exclusive"), row.exclusive_bytes);
    }
  }
  m.Family("regsweep_usage_errors", "Errors found (repositories kept whole, unreadable entries).");
  uint64_t errors = 0;
  for (const Finding& f : outcome.problems) errors += f.severity == Severity::kError;
  m.Sample("regsweep_usage_errors", "", errors);
  m.Family("regsweep_usage_timestamp_seconds", "When this report was made (Unix time).");
  m.Sample("regsweep_usage_timestamp_seconds", "", static_cast<uint64_t>(now_seconds));
  return m.str();
}

}  // namespace regsweep::usage
