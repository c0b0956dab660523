// The usage pipeline: open and read the registry (core/registry_run), account, select, sort.
#include "audit/usage/usage_run.h"

#include <memory>
#include <optional>
#include <regex>

#include "audit/usage/selection.h"
#include "core/graph.h"
#include "core/registry_run.h"
#include "core/scan.h"

namespace regsweep::usage {

UsageOutcome RunUsage(const UsageOptions& options) {
  UsageOutcome outcome;
  auto fatal = [&](std::string message) {
    outcome.fatal = std::move(message);
    outcome.exit_code = 2;
    return std::move(outcome);
  };
  std::regex pattern;
  try {
    pattern = std::regex(options.repository_regex.empty() ? ".*" : options.repository_regex);
  } catch (const std::regex_error& e) {
    return fatal("--repo " + options.repository_regex + ": " + e.what());
  }
  RunAccess access;
  access.wait_advice = "measure it";
  std::string open_error;
  std::optional<RegistryRun> run =
      RegistryRun::Open(options.root, options.Backend(), access, &open_error);
  if (!run) return fatal(open_error);
  outcome.v2_path = run->v2_path();
  run->set_progress(options.progress);
  // Scanning and reading manifests keep options.io_depth reads in flight.
  const std::unique_ptr<RegistryModel> model = run->Read(ScanOptions(), options.io_depth);
  const Inventory& inventory = model->inventory;
  const Graph& graph = model->graph;
  run->StartPhase("accounting");
  outcome.usage = ComputeUsage(graph, options.top_blobs);
  run->EndPhase();
  outcome.timings = run->timings();
  outcome.requests = run->Finish();
  KeepRepositories(pattern, &outcome.usage);
  if (!SortRows(options.sort.empty() ? "name" : options.sort, &outcome.usage)) {
    return fatal("--sort " + options.sort + ": unknown column");
  }
  outcome.problems = inventory.findings;
  // gc's refusal to sweep reads, for usage, as figures that leave part of the registry out.
  for (const Finding& problem : outcome.usage.problems) {
    if (problem.kind != "blob_sweep_refused") outcome.problems.push_back(problem);
  }
  for (const std::string& link : inventory.repository_symlinks) {
    outcome.problems.push_back(Finding{
        Severity::kError, "usage_incomplete", link, "", "",
        "symbolic link, never followed: the figures exclude the images behind it, and since "
        "they may use any blob, no byte counts as exclusive; move the folder back into the "
        "tree, or mount it there with a bind mount"});
  }
  for (const std::string& folder : inventory.unlisted_repository_folders) {
    outcome.problems.push_back(Finding{
        Severity::kError, "usage_incomplete", folder, "", "",
        "could not be listed: the figures exclude what it holds, and since that may use any "
        "blob, no byte counts as exclusive"});
  }
  outcome.exit_code = HasErrors(outcome.problems) ? 1 : 0;
  return outcome;
}

}  // namespace regsweep::usage
