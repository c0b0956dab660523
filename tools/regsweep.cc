// regsweep: the command-line entry point. Parses flags with CLI11 and calls the library;
// no logic of its own beyond choosing where reports go.
#include <tbb/global_control.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "core/duration.h"
#include "gc/gc_run.h"
#include "gc/report.h"

namespace {

using regsweep::GcOptions;

// Validates and converts a duration flag.
std::string DurationCheck(const std::string& text) {
  return regsweep::ParseDuration(text) ? std::string()
                                       : "not a duration (examples: 0, 90s, 30m, 1h, 7d)";
}

bool WriteReport(const std::string& target, const std::string& text) {
  if (target == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream file(target, std::ios::trunc);
  file << text;
  return static_cast<bool>(file);
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  CLI::App app{
      "regsweep: offline garbage collector and integrity auditor for container "
      "registries (distribution filesystem layout)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("regsweep 0.1.0"));

  GcOptions gc;
  std::string min_age = "1h";
  std::string upload_max_age = "168h";
  std::vector<std::string> untag;
  std::string json_out;
  bool quiet = false;
  bool verbose = false;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());

  CLI::App* gc_cmd = app.add_subcommand(
      "gc", "Collect what no tag (or, by default, no manifest revision) reaches");
  gc_cmd
      ->add_option("ROOT", gc.root,
                   "registry root directory (holding docker/registry/v2) or the v2 folder")
      ->required();
  gc_cmd->add_flag("-d,--dry-run", gc.dry_run, "delete nothing; report what a run would delete");
  gc_cmd->add_flag("-m,--delete-untagged", gc.policy.delete_untagged,
                   "roots are tags only: delete manifests no tag reaches (index children and "
                   "referrers of kept manifests stay)");
  gc_cmd->add_option("--untag", untag, "treat REPO:TAG as deleted, and delete it (repeatable)");
  gc_cmd
      ->add_option("--min-age", min_age,
                   "never delete what was modified more recently (0 turns it off)")
      ->check(DurationCheck)
      ->capture_default_str();
  gc_cmd->add_option("--upload-max-age", upload_max_age, "delete uploads started longer ago")
      ->check(DurationCheck)
      ->capture_default_str();
  gc_cmd->add_flag("--prune-empty-repos", gc.policy.prune_empty_repositories,
                   "remove repositories left with no tags, manifests, layers or uploads");
  gc_cmd->add_option("--plan", gc.plan_out, "write the plan (JSON) to this file");
  gc_cmd->add_option("--apply", gc.apply_plan,
                     "carry out a saved plan, re-checked against the tree as it is now");
  gc_cmd->add_option("--json", json_out, "write the JSON report to FILE (- for stdout)");
  gc_cmd->add_flag("--break-lock", gc.break_lock,
                   "clear a stale lock left by a run that died (never a live one)");
  gc_cmd->add_flag("-q,--quiet", quiet, "print only problems");
  gc_cmd->add_flag("-v,--verbose", verbose, "list every deletion");
  gc_cmd->add_option("-j,--jobs", jobs, "parallel threads (default: all cores)")
      ->check(CLI::Range(1u, 1024u));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, jobs);
  gc.policy.min_age_ns = *regsweep::ParseDuration(min_age);
  gc.policy.upload_max_age_ns = *regsweep::ParseDuration(upload_max_age);
  for (const std::string& text : untag) {
    regsweep::TagRef ref;
    std::string why;
    if (!regsweep::ParseTagRef(text, &ref, &why)) {
      std::cerr << "regsweep gc: --untag " << text << ": " << why << "\n";
      return 2;
    }
    gc.policy.untag.push_back(ref);
  }
  if (!gc.apply_plan.empty() && gc.dry_run) {
    std::cerr << "regsweep gc: --apply carries a plan out; it cannot be combined with --dry-run\n";
    return 2;
  }
  if (isatty(STDERR_FILENO) && !quiet) {
    gc.on_phase = [](const char* phase) { std::cerr << "regsweep gc: " << phase << "...\n"; };
  }

  const regsweep::GcOutcome outcome = regsweep::RunGc(gc);
  // The summary goes to stdout unless the JSON report does; failures always reach stderr.
  const bool summary_to_stdout = !quiet && json_out != "-" && outcome.fatal.empty();
  if (summary_to_stdout) {
    std::cout << regsweep::GcTextReport(outcome, verbose);
  } else if (outcome.exit_code != 0) {
    std::cerr << regsweep::GcTextReport(outcome, false);
  }
  if (!json_out.empty() && !WriteReport(json_out, regsweep::GcJsonReport(outcome))) {
    std::cerr << "regsweep gc: cannot write " << json_out << "\n";
    return 2;
  }
  return outcome.exit_code;
}

int main(int argc, char** argv) {
  try {
    return RunCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "regsweep: internal error: " << e.what() << "\n";
    return 2;
  }
}
