// The gc pipeline.
#include "gc/gc_run.h"

#include <fcntl.h>
#include <tbb/parallel_for.h>

#include <optional>

#include "core/atomic_file.h"
#include "core/blob_scan.h"
#include "core/distribution_layout.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/io_depth.h"
#include "core/mark.h"
#include "core/progress.h"
#include "core/registry_root.h"
#include "core/registry_run.h"
#include "core/scan.h"
#include "gc/plan_file.h"

namespace regsweep {
namespace {

// Keeps the actions of `fresh` that the saved plan also holds; names the saved ones dropped.
void RestrictToSavedPlan(const SavedPlan& saved, Plan* fresh,
                         std::vector<std::string>* no_longer_eligible) {
  std::unordered_set<std::string> remaining = saved.action_keys;
  std::vector<Action> kept;
  PlanCounts counts;
  for (Action& action : fresh->actions) {
    if (remaining.erase(fresh->Key(action)) == 0) continue;
    kept.push_back(std::move(action));
  }
  fresh->actions = std::move(kept);
  for (const Action& action : fresh->actions) {
    switch (action.kind) {
      case ActionKind::kDeleteTag:
        ++counts.tags;
        break;
      case ActionKind::kDeleteRevision:
        ++counts.manifests;
        break;
      case ActionKind::kDeleteLayerLink:
        ++counts.layer_links;
        break;
      case ActionKind::kDeleteBlob:
        ++counts.blobs;
        counts.blob_bytes += action.size;
        break;
      case ActionKind::kDeleteUpload:
        ++counts.uploads;
        counts.upload_bytes += action.size;
        break;
      default:
        break;
    }
  }
  fresh->deleted = counts;
  no_longer_eligible->assign(remaining.begin(), remaining.end());
  std::sort(no_longer_eligible->begin(), no_longer_eligible->end());
}

void Append(Findings* to, const Findings& from) { to->insert(to->end(), from.begin(), from.end()); }

// The blobs whose data decides something once marking is done: those that may be deleted (their
// size is freed, their age checked against the grace period), the manifests that could not be
// read (why is reported), and for a what-if the blobs the dropped images used (`released`: their
// sizes are reported, freed or kept).
std::vector<uint32_t> BlobsToExamine(const Graph& graph, const MarkResult& marks,
                                     const std::unordered_set<NodeId>& released) {
  std::vector<uint32_t> which;
  for (NodeId id = 0; id < graph.nodes().size(); ++id) {
    const Node& node = graph.node(id);
    if (node.blob < 0) continue;
    const bool unreadable_manifest =
        node.status != ManifestStatus::kNotLoaded && node.status != ManifestStatus::kOk;
    if (!marks.live[id] || unreadable_manifest || released.count(id) != 0) {
      which.push_back(static_cast<uint32_t>(node.blob));
    }
  }
  return which;
}

}  // namespace

uint64_t GcOutcome::FreedBytes() const {
  uint64_t bytes = 0;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (plan.actions[i].kind == ActionKind::kDeleteBlob && Done(i)) bytes += plan.actions[i].size;
  }
  return bytes;
}

PlanCounts GcOutcome::DoneCounts() const {
  PlanCounts done;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (!Done(i)) continue;
    const Action& a = plan.actions[i];
    done.tags += a.kind == ActionKind::kDeleteTag;
    done.manifests += a.kind == ActionKind::kDeleteRevision;
    done.layer_links += a.kind == ActionKind::kDeleteLayerLink;
    if (a.kind == ActionKind::kDeleteBlob) {
      ++done.blobs;
      done.blob_bytes += a.size;
    }
    if (a.kind == ActionKind::kDeleteUpload) {
      ++done.uploads;
      done.upload_bytes += a.size;
    }
  }
  return done;
}

GcOutcome RunGc(const GcOptions& options) {
  GcOutcome outcome;
  outcome.dry_run = options.dry_run;
  outcome.policy = options.policy;
  auto fatal = [&](std::string message) {
    outcome.fatal = std::move(message);
    outcome.exit_code = 2;
    return std::move(outcome);
  };
  RetentionRequest retention;
  if (!options.retention_policy.empty()) {
    if (!options.apply_plan.empty()) {
      return fatal(
          "--policy and --apply cannot be combined: a saved plan already holds the "
          "tags its policy dropped");
    }
    std::string error;
    if (!LoadRetentionRequest(options.retention_policy, options.access_logs, &retention, &error)) {
      return fatal(error);
    }
    outcome.used_retention = true;
    outcome.access_log_stats = retention.log_stats;
  } else if (!options.access_logs.empty()) {
    return fatal("--access-log is read only with --policy");
  }
  RunAccess access;
  access.exclusive = !outcome.dry_run;
  access.break_stale_lock = options.break_lock;
  access.wait_advice = "collect it";
  std::string error;
  std::string notice;
  std::optional<RegistryRun> run =
      RegistryRun::Open(options.root, options.Backend(), access, &error, &notice);
  if (!run) return fatal(error);
  if (!notice.empty()) outcome.notices.push_back(notice);
  outcome.v2_path = run->v2_path();
  const Folder& v2 = run->v2();
  if (!run->backend().layout().HasLinkFiles() &&
      (outcome.used_retention || !options.policy.untag.empty() ||
       !options.policy.untag_patterns.empty() || !options.policy.delete_repositories.empty())) {
    return fatal(
        outcome.v2_path + " is an OCI image layout: its tags are entries of index.json, " +
        "which regsweep never rewrites, so --untag, --untag-regex, --delete-repo and " +
        "--policy cannot drop one. Remove the entries from index.json (`umoci rm`, or edit " +
        "it), then collect");
  }

  SavedPlan saved;
  if (!options.apply_plan.empty()) {
    if (!LoadPlanFile(options.apply_plan, &saved, &error)) return fatal(error);
    if (ResolvePath(saved.root) != outcome.v2_path) {
      return fatal("plan " + options.apply_plan + " was made for " + saved.root + ", not " +
                   outcome.v2_path);
    }
    outcome.applied_plan = true;
    outcome.policy = saved.policy;
  }
  if (outcome.policy.now_ns == 0) outcome.policy.now_ns = NowNs();

  // The phases that wait on storage keep options.io_depth reads in flight; mark only computes.
  run->set_progress(options.progress);
  TreeReader& reader =
      options.reader_override != nullptr ? *options.reader_override : run->backend().reader();
  ScanOptions scan_options;
  scan_options.reader = &reader;
  scan_options.stat_blob_data = false;
  const std::unique_ptr<RegistryModel> model = run->Read(scan_options, options.io_depth);
  Inventory& inventory = model->inventory;
  const Graph& graph = model->graph;
  if (outcome.used_retention) {
    run->StartPhase("retention");
    RunWithIoDepth(options.io_depth, [&] {
      outcome.retention =
          DecideRegistryRetention(retention, graph, reader, v2, outcome.policy.now_ns);
    });
    AddDecisionsToPolicy(outcome.retention, &outcome.policy);
  }
  run->StartPhase("mark");
  const MarkResult marks = Mark(graph, outcome.policy);
  const std::unordered_set<NodeId> released =
      outcome.policy.DropsImages() ? Released(graph, marks) : std::unordered_set<NodeId>();
  run->StartPhase("plan", "blobs examined");
  RunWithIoDepth(options.io_depth, [&] {
    StatBlobData(v2, BlobsToExamine(graph, marks, released), &inventory, &reader, run->progress());
    outcome.plan = MakePlan(graph, marks, outcome.policy, reader, v2);
  });
  if (outcome.applied_plan) {
    RestrictToSavedPlan(saved, &outcome.plan, &outcome.no_longer_eligible);
  }
  if (outcome.policy.DropsImages()) {
    outcome.what_if = ExplainWhatIf(graph, marks, outcome.plan, released);
  }
  if (outcome.used_retention) CountFreedBytes(graph, outcome.plan, &outcome.retention);
  run->EndPhase();

  outcome.repositories = inventory.repositories.size();
  outcome.blobs = inventory.blobs.size();
  for (const Node& node : graph.nodes()) {
    if (node.status == ManifestStatus::kOk) ++outcome.manifests;
  }
  Append(&outcome.problems, inventory.findings);
  Append(&outcome.problems, outcome.retention.problems);
  Append(&outcome.problems, marks.problems);
  Append(&outcome.problems, outcome.plan.problems);

  if (!options.plan_out.empty()) {
    if (!WriteFileAtomically(options.plan_out,
                             PlanToJson(outcome.plan, outcome.policy, outcome.v2_path), &error)) {
      return fatal("cannot write plan: " + error);
    }
  }
  if (!outcome.dry_run) {
    Storage& storage =
        options.storage_override != nullptr ? *options.storage_override : run->backend().storage();
    run->StartPhase("sweep", "deletions", outcome.plan.actions.size());
    RunWithIoDepth(options.io_depth,
                   [&] { outcome.sweep = Sweep(outcome.plan, storage, run->progress()); });
    run->EndPhase();
    Append(&outcome.problems, outcome.sweep.failures);
  }
  outcome.timings = run->timings();
  outcome.requests = run->Finish();
  outcome.exit_code = HasErrors(outcome.problems) ? 1 : 0;
  return outcome;
}

}  // namespace regsweep
