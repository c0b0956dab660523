// The Prometheus report, in node_exporter's textfile-collector format (gauges only).
#include "audit/usage/report.h"
#include "core/prometheus_text.h"

namespace regsweep::usage {
std::string PrometheusReport(const UsageOutcome& outcome, const ReportOptions& options,
                             int64_t now_seconds) {
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  PrometheusText m;
  m.Family("regsweep_blobs", "Blob files in the store, by state.");
  m.Sample("regsweep_blobs", PrometheusLabel("state", "referenced"), t.referenced_blobs);
  m.Sample("regsweep_blobs", PrometheusLabel("state", "unreferenced"), t.unreferenced_blobs);
  m.Family("regsweep_blob_bytes", "Bytes of blob data, by state.");
  m.Sample("regsweep_blob_bytes", PrometheusLabel("state", "referenced"), t.referenced_bytes);
  m.Sample("regsweep_blob_bytes", PrometheusLabel("state", "unreferenced"), t.unreferenced_bytes);
  m.Family("regsweep_blob_allocated_bytes", "Bytes the blob files occupy on disk (st_blocks).");
  m.Sample("regsweep_blob_allocated_bytes", "", t.allocated_bytes);
  m.Family("regsweep_reclaimable_bytes",
           "Bytes gc would free now, with -m (tags only) or without (manifests).");
  m.Sample("regsweep_reclaimable_bytes", PrometheusLabel("roots", "tags"), t.unreferenced_bytes);
  m.Sample("regsweep_reclaimable_bytes", PrometheusLabel("roots", "manifests"),
           t.unused_by_manifests_bytes);
  m.Family("regsweep_objects", "Manifests, tags, repositories and uploads.");
  m.Sample("regsweep_objects", PrometheusLabel("kind", "manifests"), t.manifests);
  m.Sample("regsweep_objects", PrometheusLabel("kind", "tags"), t.tags);
  m.Sample("regsweep_objects", PrometheusLabel("kind", "repositories"), t.repositories);
  m.Sample("regsweep_objects", PrometheusLabel("kind", "uploads"), t.uploads);
  m.Family("regsweep_upload_bytes", "Bytes of unfinished uploads.");
  m.Sample("regsweep_upload_bytes", "", t.upload_bytes);
  m.Family("regsweep_dedup_ratio", "Sum of every tagged image's size over the referenced bytes.");
  m.Sample("regsweep_dedup_ratio", "", t.dedup_ratio);

  m.Family("regsweep_repository_bytes", "Bytes a repository reaches, by kind.");
  for (const RepositoryUsage& row : usage.repositories) {
    const std::string repo = PrometheusLabel("repository", row.name);
    m.Sample("regsweep_repository_bytes", repo + "," + PrometheusLabel("kind", "logical"),
             row.logical_bytes);
    m.Sample("regsweep_repository_bytes", repo + "," + PrometheusLabel("kind", "exclusive"),
             row.exclusive_bytes);
    m.Sample("regsweep_repository_bytes", repo + "," + PrometheusLabel("kind", "shared"),
             row.shared_bytes);
  }
  m.Family("regsweep_repository_tags", "Tags of a repository.");
  for (const RepositoryUsage& row : usage.repositories) {
    m.Sample("regsweep_repository_tags", PrometheusLabel("repository", row.name), row.tags);
  }
  m.Family("regsweep_repository_manifests", "Manifest revisions of a repository.");
  for (const RepositoryUsage& row : usage.repositories) {
    m.Sample("regsweep_repository_manifests", PrometheusLabel("repository", row.name),
             row.manifests);
  }
  if (options.tags) {
    m.Family("regsweep_tag_bytes", "Image size of a tag, and what untagging it alone frees.");
    for (const TagUsage& row : usage.tags) {
      const std::string tag =
          PrometheusLabel("repository", row.repository) + "," + PrometheusLabel("tag", row.tag);
      m.Sample("regsweep_tag_bytes", tag + "," + PrometheusLabel("kind", "size"), row.size_bytes);
      m.Sample("regsweep_tag_bytes", tag + "," + PrometheusLabel("kind", "exclusive"),
               row.exclusive_bytes);
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
