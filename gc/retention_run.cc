// Retention in a gc run: inputs from the scan and the graph, decisions in parallel, and the
// decisions as untags.
#include "gc/retention_run.h"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "core/closure.h"
#include "core/distribution_layout.h"
#include "core/duration.h"
#include "gc/retention/policy_file.h"
#include "gc/what_if.h"

namespace regsweep {
namespace {

// The longest pulled_within window of the policy (0 when none).
int64_t LongestPullWindow(const RetentionPolicy& policy) {
  int64_t longest = 0;
  for (const RepositoryPolicy& repository : policy.policies) {
    for (const KeepEntry& entry : repository.keep) {
      if (entry.condition == KeepCondition::kPulledWithin) {
        longest = std::max(longest, entry.within_ns);
      }
    }
  }
  return longest;
}

// The tags a decision may drop: those the registry serves (a current link that reads well) and
// whose names mark honours. The others are never untagged.
bool IsDecidable(const TagRecord& tag) {
  return tag.valid_name && tag.current_state == LinkState::kOk;
}

// What repository `r` is decided by. `with_history`: stat each index link of each tag for the
// time the tag was last set to that digest (a failed stat leaves the entry out: a pull by tag
// then counts for the current digest, which keeps more, never less).
RepositoryInput MakeInput(const Graph& graph, uint32_t r, const RetentionRequest& request,
                          bool with_history, TreeReader& reader, const Folder& v2,
                          Findings* problems) {
  const RepositoryNode& node = graph.repositories()[r];
  const RepositoryRecord& record = *node.record;
  RepositoryInput input;
  input.name = record.name;
  for (const TagRecord& tag : record.tags) {
    if (!IsDecidable(tag)) continue;
    TagInput tag_input;
    tag_input.tag = tag.name;
    tag_input.digest = tag.current;
    tag_input.push_time_ns = tag.mtime_ns;
    if (with_history) {
      for (const Digest& entry : tag.index_entries) {
        const std::string link =
            distribution::TagIndexEntryDir(record.name, tag.name, entry) + "/link";
        IoStatus status;
        const FileStat stat = reader.Stat(v2, link, &status);
        if (!status.ok()) {
          problems->push_back(Finding{
              Severity::kWarning, "retention_history_unread", link, record.name, "",
              "cannot stat (" + status.Text() + "): pulls of the tag count for its current image"});
        }
        if (stat.exists) tag_input.history.push_back(TagHistoryEntry{entry, stat.mtime_ns});
      }
    }
    input.tags.push_back(std::move(tag_input));
  }
  // Decisions come out in this order: by name, whatever order the folder listed them in.
  std::sort(input.tags.begin(), input.tags.end(),
            [](const TagInput& a, const TagInput& b) { return a.tag < b.tag; });
  for (const auto& [id, revision] : node.revisions) {
    if (graph.node(id).status != ManifestStatus::kOk) continue;
    const ManifestNode& manifest = graph.manifest(id);
    const Digest& digest = graph.node(id).digest;
    if (manifest.subject) {
      input.referrers.push_back(ReferrerLink{digest, graph.node(*manifest.subject).digest});
    }
    for (const NodeId child : manifest.children) {
      input.index_children.push_back(IndexChild{digest, graph.node(child).digest});
    }
  }
  input.pulls = request.pulls.ForRepository(record.name);
  return input;
}

}  // namespace

bool LoadRetentionRequest(const std::string& policy_path, const std::vector<std::string>& log_paths,
                          RetentionRequest* out, std::string* error) {
  out->policy_path = policy_path;
  if (!LoadRetentionPolicyFile(policy_path, &out->policy, error)) return false;
  if (out->policy.UsesPulls() && log_paths.empty()) {
    *error = policy_path +
             ": pulled_within and most_recently_pulled need the registry's logs "
             "(--access-log FILE...); without them every image would count as never pulled";
    return false;
  }
  return log_paths.empty() || ReadAccessLogs(log_paths, &out->pulls, &out->log_stats, error);
}

RetentionReport DecideRegistryRetention(const RetentionRequest& request, const Graph& graph,
                                        TreeReader& reader, const Folder& v2, int64_t now_ns) {
  RetentionReport report;
  report.policy_path = request.policy_path;
  const int64_t window = LongestPullWindow(request.policy);
  if (window > 0 && request.log_stats.files > 0 &&
      request.log_stats.first_request_ns > now_ns - window) {
    const std::string since =
        request.log_stats.pulls == 0
            ? "hold no request at all"
            : "begin " + FormatDuration(now_ns - request.log_stats.first_request_ns) + " ago";
    report.problems.push_back(Finding{
        Severity::kWarning, "access_log_short", "", "", "",
        "the access logs " + since + ", less than the longest pulled_within (" +
            FormatDuration(window) + "): an image pulled before them counts as never pulled"});
  }
  std::vector<uint32_t> matched;
  for (uint32_t r = 0; r < graph.repositories().size(); ++r) {
    const RepositoryRecord& record = *graph.repositories()[r].record;
    if (!request.policy.Find(record.name)) continue;
    if (record.incomplete || !record.valid_name) {
      report.problems.push_back(
          Finding{Severity::kWarning, "retention_skipped", distribution::RepositoryDir(record.name),
                  record.name, "",
                  "retention policy not applied: " +
                      std::string(record.valid_name ? "part of the repository could not be read"
                                                    : "its name is not a valid repository name") +
                      "; every tag kept"});
      continue;
    }
    matched.push_back(r);
  }
  const bool with_history = request.policy.UsesPulls();
  report.repositories.resize(matched.size());
  std::vector<Findings> problems(matched.size());
  tbb::parallel_for(size_t{0}, matched.size(), [&](size_t i) {
    const RepositoryInput input =
        MakeInput(graph, matched[i], request, with_history, reader, v2, &problems[i]);
    RepositoryRetention& result = report.repositories[i];
    result.repository = matched[i];
    result.decision = DecideRetention(request.policy, input, now_ns);
    result.frees_bytes.assign(result.decision.tags.size(), 0);
  });
  for (size_t i = 0; i < matched.size(); ++i) {
    const RepositoryDecision& decision = report.repositories[i].decision;
    report.problems.insert(report.problems.end(), problems[i].begin(), problems[i].end());
    if (decision.protected_would_empty) {
      report.problems.push_back(Finding{
          Severity::kWarning, "retention_would_empty",
          distribution::RepositoryDir(decision.repository), decision.repository, "",
          "the policy at line " + std::to_string(request.policy.policies[*decision.policy].line) +
              " would drop every tag: none dropped (allow_empty: true allows it)"});
    }
  }
  return report;
}

void AddDecisionsToPolicy(const RetentionReport& report, GcPolicy* policy) {
  for (const RepositoryRetention& repository : report.repositories) {
    const RepositoryDecision& decision = repository.decision;
    for (const std::string& tag : decision.DroppedTags()) {
      policy->untag.push_back(TagRef{decision.repository, tag});
    }
    if (decision.delete_untagged) {
      policy->delete_untagged_repositories.push_back(decision.repository);
    }
  }
  std::sort(policy->delete_untagged_repositories.begin(),
            policy->delete_untagged_repositories.end());
}

void CountFreedBytes(const Graph& graph, const Plan& plan, RetentionReport* report) {
  const std::vector<uint8_t> deleted = BlobsThePlanDeletes(graph, plan);
  ClosureWalker walker(graph);
  std::vector<NodeId> nodes;
  for (RepositoryRetention& repository : report->repositories) {
    const std::vector<TagDecision>& tags = repository.decision.tags;
    for (size_t t = 0; t < tags.size(); ++t) {
      const auto start = graph.Find(tags[t].digest);
      if (tags[t].keep || !start) continue;
      walker.WalkManifest(repository.repository, *start, &nodes);
      uint64_t bytes = 0;
      for (const NodeId id : nodes) {
        const BlobRecord* blob = graph.Blob(id);
        if (deleted[id] != 0 && blob != nullptr) bytes += graph.inventory().Facts(*blob).size;
      }
      repository.frees_bytes[t] = bytes;
    }
  }
}

}  // namespace regsweep
