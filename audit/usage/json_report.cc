// The JSON report (docs/usage.md).
#include "audit/usage/report.h"
#include "core/json_writer.h"
#include "core/request_tally.h"

namespace regsweep::usage {

std::string JsonReport(const UsageOutcome& outcome, const ReportOptions& options) {
  JsonWriter json;
  json.BeginObject().Field("command", "usage");
  if (!outcome.fatal.empty()) {
    json.Field("error", outcome.fatal).Key("exit_code").Int(outcome.exit_code).EndObject();
    return json.str() + "\n";
  }
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  json.Field("root", outcome.v2_path).Field("incomplete", outcome.usage.images_hidden);
  json.Key("totals").BeginObject();
  json.Field("blobs", t.blobs).Field("blob_bytes", t.blob_bytes);
  json.Field("allocated_bytes", t.allocated_bytes);
  json.Field("referenced_blobs", t.referenced_blobs).Field("referenced_bytes", t.referenced_bytes);
  json.Field("unreferenced_blobs", t.unreferenced_blobs);
  json.Field("unreferenced_bytes", t.unreferenced_bytes);
  json.Field("unused_by_manifests_blobs", t.unused_by_manifests_blobs);
  json.Field("unused_by_manifests_bytes", t.unused_by_manifests_bytes);
  json.Field("manifests", t.manifests).Field("tags", t.tags);
  json.Field("repositories", t.repositories).Field("uploads", t.uploads);
  json.Field("upload_bytes", t.upload_bytes).Field("image_bytes", t.image_bytes);
  json.Key("dedup_ratio").Double(t.dedup_ratio);
  json.EndObject();

  json.Key("repositories").BeginArray();
  for (const RepositoryUsage& row : usage.repositories) {
    json.BeginObject().Field("name", row.name).Field("tags", row.tags);
    json.Field("manifests", row.manifests).Field("logical_bytes", row.logical_bytes);
    json.Field("exclusive_bytes", row.exclusive_bytes).Field("shared_bytes", row.shared_bytes);
    json.Field("kept_whole", row.kept_whole);
    json.Key("shares_most_with").BeginArray();
    for (const SharedPair& pair : SharesOf(usage, row.name, 5)) {
      json.BeginObject().Field("repository", pair.second).Field("bytes", pair.bytes).EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray();

  json.Key("shared_pairs").BeginArray();
  for (const SharedPair& pair : usage.shared_pairs) {
    json.BeginObject().Field("first", pair.first).Field("second", pair.second);
    json.Field("bytes", pair.bytes).EndObject();
  }
  json.EndArray();

  if (options.tags) {
    json.Key("tags").BeginArray();
    for (const TagUsage& row : usage.tags) {
      json.BeginObject().Field("repository", row.repository).Field("tag", row.tag);
      json.Field("manifest", row.manifest.ToString()).Field("size_bytes", row.size_bytes);
      json.Field("exclusive_bytes", row.exclusive_bytes);
      json.Field("same_manifest_tags", static_cast<uint64_t>(row.same_manifest_tags));
      json.Field("kept_whole", row.kept_whole).EndObject();
    }
    json.EndArray();
  }

  json.Key("top_blobs").BeginArray();
  for (const BlobUsage& blob : usage.top_blobs) {
    json.BeginObject().Field("digest", blob.digest.ToString()).Field("size", blob.size);
    json.Key("repositories").BeginArray();
    for (const std::string& name : blob.repositories) json.String(name);
    json.EndArray().Key("used_by").BeginArray();
    for (const std::string& name : blob.tags) json.String(name);
    json.EndArray().EndObject();
  }
  json.EndArray();

  json.Key("problems").BeginArray();
  for (const Finding& f : outcome.problems) {
    json.BeginObject();
    WriteFindingFields(json, f);
    json.EndObject();
  }
  json.EndArray();
  json.Key("timings").BeginObject();
  for (const auto& [phase, seconds] : outcome.timings) json.Key(phase + "_seconds").Double(seconds);
  json.EndObject();
  if (outcome.requests) WriteRequestTally(json, *outcome.requests);
  json.Key("exit_code").Int(outcome.exit_code);
  json.EndObject();
  return json.str() + "\n";
}

}  // namespace regsweep::usage
