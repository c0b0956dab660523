// `regsweep audit`: flags for an integrity audit, progress on a terminal, and its reports.

#include <fstream>
#include <iostream>
#include <memory>

#include "audit/check/audit_run.h"
#include "audit/check/metrics.h"
#include "audit/check/report.h"
#include "core/atomic_file.h"
#include "core/duration.h"
#include "core/fs.h"
#include "core/io_depth.h"
#include "tools/commands.h"
#include "tools/progress_display.h"
#include "tools/storage_options.h"
#include "tools/thread_options.h"

namespace regsweep::tools {
namespace {

struct AuditFlags {
  audit::AuditOptions audit;
  std::string subset;
  std::string max_age;
  std::string json_out;
  std::string prometheus_out;
  bool quiet = false;
  bool verbose = false;
  unsigned jobs = AllCores();
};

bool WriteJson(const std::string& target, const std::string& text) {
  if (target == "-") {
    std::cout << text << std::flush;
    return static_cast<bool>(std::cout);
  }
  std::ofstream file(target, std::ios::trunc);
  file << text;
  return static_cast<bool>(file);
}

int RunAuditCommand(AuditFlags& flags) {
  audit::AuditOptions& options = flags.audit;
  if (!flags.subset.empty()) {
    std::string why;
    const auto subset = audit::ParseDataSubset(flags.subset, &why);
    if (!subset) {
      std::cerr << "regsweep audit: --verify-data-subset " << flags.subset << ": " << why << "\n";
      return 2;
    }
    options.subset = *subset;
    options.verify_data = true;
  }
  if (!flags.max_age.empty()) options.max_age_ns = *ParseDuration(flags.max_age);
  ProgressDisplay display("regsweep audit", flags.quiet);
  options.progress = display.progress();
  const int64_t started_ns = NowNs();
  audit::AuditOutcome outcome;
  RunWithThreads(flags.jobs, options.io_depth, [&] { outcome = audit::RunAudit(options); });
  display.Finish();
  if (!outcome.fatal.empty()) {
    std::cerr << audit::AuditTextReport(outcome, 0);
  } else if (!flags.quiet && flags.json_out != "-") {
    std::cout << audit::AuditTextReport(outcome, flags.verbose ? 0 : 5);
  } else if (outcome.exit_code != 0) {
    std::cerr << audit::AuditTextReport(outcome, 5);
  }
  if (!flags.json_out.empty() && !WriteJson(flags.json_out, audit::AuditJsonLines(outcome))) {
    std::cerr << "regsweep audit: cannot write " << flags.json_out << "\n";
    return 2;
  }
  std::string error;
  if (!flags.prometheus_out.empty() &&
      !WriteFileAtomically(flags.prometheus_out,
                           audit::AuditMetrics(outcome, started_ns / 1000000000), &error)) {
    std::cerr << "regsweep audit: " << error << "\n";
    return 2;
  }
  return outcome.exit_code;
}

}  // namespace

CommandAction AddAuditCommand(CLI::App& app) {
  auto flags = std::make_shared<AuditFlags>();
  audit::AuditOptions& options = flags->audit;
  CLI::App* cmd = app.add_subcommand(
      "audit", "Check a registry's structure and, on request, its data (read-only)");
  AddStorageOptions(cmd, &options.root, &options.storage);
  cmd->add_flag("--verify-data", options.verify_data,
                "hash every blob (sha256/sha512) and compare it with its digest");
  cmd->add_option("--verify-data-subset", flags->subset,
                  "hash only bucket n of t (n/t: first digest byte mod t = n-1) or a random P% "
                  "(implies --verify-data)");
  cmd->add_option("--state", options.state_path,
                  "state file of verified blobs (inode, size, mtime, time), kept across runs");
  cmd->add_option("--max-age", flags->max_age,
                  "with --state: skip blobs verified within this duration and unchanged since")
      ->check([](const std::string& text) {
        return ParseDuration(text) ? std::string()
                                   : "not a duration (examples: 0, 90s, 30m, 1h, 7d)";
      });
  cmd->add_option("--quarantine", options.quarantine_dir,
                  "move the data of corrupt blobs into this folder (same filesystem), keeping "
                  "their path; never deletes");
  cmd->add_flag("--strict", options.strict, "exit 1 on warnings too");
  cmd->add_flag("--tag-strays", options.tag_strays,
                "also list every tag's folder and index for entries the registry never writes "
                "(two listings per tag)");
  cmd->add_option("--json", flags->json_out,
                  "write one JSON object per finding and a summary to FILE (- for stdout)");
  cmd->add_option("--prometheus", flags->prometheus_out,
                  "write the run's metrics to FILE for node_exporter's textfile collector "
                  "(atomically; also when the run fails)");
  cmd->add_flag("-q,--quiet", flags->quiet, "print only problems");
  cmd->add_flag("-v,--verbose", flags->verbose, "list every finding, not the first 5 per kind");
  AddThreadOptions(cmd, &flags->jobs, &options.io_depth);
  return [cmd, flags]() { return cmd->parsed() ? RunAuditCommand(*flags) : -1; };
}

}  // namespace regsweep::tools
