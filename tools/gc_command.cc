// `regsweep gc`: flags for a garbage collection, and printing its reports.

#include <fstream>
#include <iostream>
#include <memory>

#include "core/atomic_file.h"
#include "core/duration.h"
#include "core/fs.h"
#include "core/io_depth.h"
#include "core/names.h"
#include "gc/gc_run.h"
#include "gc/metrics.h"
#include "gc/report.h"
#include "tools/commands.h"
#include "tools/progress_display.h"
#include "tools/storage_options.h"
#include "tools/thread_options.h"

namespace regsweep::tools {
namespace {

// Validates a duration flag.
std::string DurationCheck(const std::string& text) {
  return ParseDuration(text) ? std::string() : "not a duration (examples: 0, 90s, 30m, 1h, 7d)";
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

struct GcFlags {
  GcOptions gc;
  std::string min_age = "1h";
  std::string upload_max_age = "168h";
  std::vector<std::string> untag;
  std::vector<std::string> untag_regex;
  std::string json_out;
  std::string prometheus_out;
  bool quiet = false;
  bool verbose = false;
  unsigned jobs = AllCores();
};

int RunGcCommand(GcFlags& flags) {
  GcOptions& gc = flags.gc;
  gc.policy.min_age_ns = *ParseDuration(flags.min_age);
  gc.policy.upload_max_age_ns = *ParseDuration(flags.upload_max_age);
  for (const std::string& text : flags.untag) {
    TagRef ref;
    std::string why;
    if (!ParseTagRef(text, &ref, &why)) {
      std::cerr << "regsweep gc: --untag " << text << ": " << why << "\n";
      return 2;
    }
    gc.policy.untag.push_back(ref);
  }
  for (const std::string& text : flags.untag_regex) {
    TagPattern pattern;
    std::string why;
    if (!ParseTagPattern(text, &pattern, &why)) {
      std::cerr << "regsweep gc: --untag-regex " << text << ": " << why << "\n";
      return 2;
    }
    gc.policy.untag_patterns.push_back(pattern);
  }
  for (const std::string& name : gc.policy.delete_repositories) {
    std::string why;
    if (!IsValidRepositoryName(name, &why)) {
      std::cerr << "regsweep gc: --delete-repo " << name << ": " << why << "\n";
      return 2;
    }
  }
  if (!gc.apply_plan.empty() && gc.dry_run) {
    std::cerr << "regsweep gc: --apply carries a plan out; it cannot be combined with --dry-run\n";
    return 2;
  }
  ProgressDisplay display("regsweep gc", flags.quiet);
  gc.progress = display.progress();
  const int64_t started_ns = NowNs();
  GcOutcome outcome;
  RunWithThreads(flags.jobs, gc.io_depth, [&] { outcome = RunGc(gc); });
  display.Finish();
  const double seconds = static_cast<double>(NowNs() - started_ns) / 1e9;
  // The summary goes to stdout unless the JSON report does; failures always reach stderr.
  const bool summary_to_stdout = !flags.quiet && flags.json_out != "-" && outcome.fatal.empty();
  if (summary_to_stdout) {
    std::cout << GcTextReport(outcome, flags.verbose);
  } else if (outcome.exit_code != 0) {
    std::cerr << GcTextReport(outcome, false);
  }
  if (!flags.json_out.empty() && !WriteReport(flags.json_out, GcJsonReport(outcome))) {
    std::cerr << "regsweep gc: cannot write " << flags.json_out << "\n";
    return 2;
  }
  std::string error;
  if (!flags.prometheus_out.empty() &&
      !WriteFileAtomically(flags.prometheus_out,
                           GcMetrics(outcome, started_ns / 1000000000, seconds), &error)) {
    std::cerr << "regsweep gc: " << error << "\n";
    return 2;
  }
  return outcome.exit_code;
}

}  // namespace

CommandAction AddGcCommand(CLI::App& app) {
  auto flags = std::make_shared<GcFlags>();
  GcOptions& gc = flags->gc;
  CLI::App* cmd = app.add_subcommand(
      "gc", "Collect what no tag (or, by default, no manifest revision) reaches");
  AddStorageOptions(cmd, &gc.root, &gc.storage);
  cmd->add_flag("-d,--dry-run", gc.dry_run, "delete nothing; report what a run would delete");
  cmd->add_flag("-m,--delete-untagged", gc.policy.delete_untagged,
                "roots are tags only: delete manifests no tag reaches (index children and "
                "referrers of kept manifests stay)");
  cmd->add_option("--untag", flags->untag, "treat REPO:TAG as deleted, and delete it (repeatable)");
  cmd->add_option("--untag-regex", flags->untag_regex,
                  "untag every tag whose repository and tag fully match REPO_REGEX:TAG_REGEX "
                  "(repeatable)");
  cmd->add_option("--delete-repo", gc.policy.delete_repositories,
                  "delete the repository: its tags, manifests, layer links, uploads and folder "
                  "(repeatable)");
  cmd->add_option("--min-age", flags->min_age,
                  "never delete what was modified more recently (0 turns it off)")
      ->check(DurationCheck)
      ->capture_default_str();
  cmd->add_option("--upload-max-age", flags->upload_max_age, "delete uploads started longer ago")
      ->check(DurationCheck)
      ->capture_default_str();
  auto* policy = cmd->add_option("--policy", gc.retention_policy,
                                 "untag what the retention policy FILE (YAML) drops, then collect "
                                 "(see docs/retention.md)");
  cmd->add_option("--access-log", gc.access_logs,
                  "the registry's log FILE (plain or gzip; repeatable) that pulled_within and "
                  "most_recently_pulled read pulls from")
      ->needs(policy);
  cmd->add_flag("--prune-empty-repos", gc.policy.prune_empty_repositories,
                "remove repositories left with no tags, manifests, layers or uploads");
  cmd->add_option("--plan", gc.plan_out, "write the plan (JSON) to this file");
  cmd->add_option("--apply", gc.apply_plan,
                  "carry out a saved plan, re-checked against the tree as it is now")
      ->excludes(policy);
  cmd->add_option("--json", flags->json_out, "write the JSON report to FILE (- for stdout)");
  cmd->add_option("--prometheus", flags->prometheus_out,
                  "write the run's metrics to FILE for node_exporter's textfile collector "
                  "(atomically; also when the run fails)");
  cmd->add_flag("--break-lock", gc.break_lock,
                "clear a stale lock left by a run that died (never a live one)");
  cmd->add_flag("-q,--quiet", flags->quiet, "print only problems");
  cmd->add_flag("-v,--verbose", flags->verbose, "list every deletion");
  AddThreadOptions(cmd, &flags->jobs, &gc.io_depth);
  return [cmd, flags]() { return cmd->parsed() ? RunGcCommand(*flags) : -1; };
}

}  // namespace regsweep::tools
