// `regsweep usage`: flags for the space accounting, and writing its reports.

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include "audit/usage/report.h"
#include "audit/usage/selection.h"
#include "audit/usage/usage_run.h"
#include "core/atomic_file.h"
#include "core/io_depth.h"
#include "tools/commands.h"
#include "tools/progress_display.h"
#include "tools/storage_options.h"
#include "tools/thread_options.h"

namespace regsweep::tools {
namespace {

struct UsageFlags {
  usage::UsageOptions usage;
  usage::ReportOptions report;
  std::string json_out;
  std::string csv_out;
  std::string prometheus_out;
  std::string html_out;
  bool quiet = false;
  unsigned jobs = AllCores();
};

// "-" is stdout; a file is replaced atomically.
bool Write(const std::string& target, const std::string& text) {
  if (target == "-") {
    std::cout << text;
    return true;
  }
  std::string error;
  if (WriteFileAtomically(target, text, &error)) return true;
  std::cerr << "regsweep usage: " << error << "\n";
  return false;
}

int RunUsageCommand(const UsageFlags& flags) {
  usage::UsageOptions options = flags.usage;
  ProgressDisplay display("regsweep usage", flags.quiet);
  options.progress = display.progress();
  usage::UsageOutcome outcome;
  RunWithThreads(flags.jobs, options.io_depth, [&] { outcome = usage::RunUsage(options); });
  display.Finish();
  if (!outcome.fatal.empty()) {
    std::cerr << usage::TextReport(outcome, flags.report);
    if (!flags.json_out.empty()) Write(flags.json_out, usage::JsonReport(outcome, flags.report));
    return outcome.exit_code;
  }
  const bool text_to_stdout = !flags.quiet && flags.json_out != "-" && flags.csv_out != "-";
  if (text_to_stdout) std::cout << usage::TextReport(outcome, flags.report);
  bool written = true;
  if (!flags.json_out.empty()) {
    written &= Write(flags.json_out, usage::JsonReport(outcome, flags.report));
  }
  if (!flags.csv_out.empty()) {
    written &= Write(flags.csv_out, usage::CsvReport(outcome, flags.report));
  }
  if (!flags.prometheus_out.empty()) {
    written &= Write(flags.prometheus_out,
                     usage::PrometheusReport(outcome, flags.report, std::time(nullptr)));
  }
  if (!flags.html_out.empty()) {
    written &= Write(flags.html_out, usage::HtmlReport(outcome, flags.report));
  }
  return written ? outcome.exit_code : 2;
}

}  // namespace

CommandAction AddUsageCommand(CLI::App& app) {
  auto flags = std::make_shared<UsageFlags>();
  CLI::App* cmd = app.add_subcommand(
      "usage", "Account space: per repository and tag, what is shared and what deleting frees");
  AddStorageOptions(cmd, &flags->usage.root, &flags->usage.storage);
  cmd->add_flag("--tags", flags->report.tags,
                "per tag: image size and exclusive bytes (what untagging it alone frees)");
  cmd->add_option("--top", flags->usage.top_blobs,
                  "the N largest blobs with the repositories and tags using them");
  cmd->add_option("--repo", flags->usage.repository_regex,
                  "only rows of repositories fully matching this regular expression");
  std::string columns;
  for (const std::string& column : usage::SortColumns()) columns += " " + column;
  cmd->add_option("--sort", flags->usage.sort, "order rows by a column:" + columns)
      ->check(CLI::IsMember(usage::SortColumns()));
  cmd->add_option("--json", flags->json_out, "write the JSON report to FILE (- for stdout)");
  cmd->add_option("--csv", flags->csv_out, "write the CSV report to FILE (- for stdout)");
  cmd->add_option("--prometheus", flags->prometheus_out,
                  "write node_exporter textfile metrics to FILE (atomically)");
  cmd->add_option("--html", flags->html_out, "write a self-contained HTML page with charts");
  cmd->add_flag("-q,--quiet", flags->quiet, "print no text report");
  AddThreadOptions(cmd, &flags->jobs, &flags->usage.io_depth);
  return [cmd, flags]() { return cmd->parsed() ? RunUsageCommand(*flags) : -1; };
}

}  // namespace regsweep::tools
