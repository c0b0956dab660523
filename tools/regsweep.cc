// regsweep: the command-line entry point. Each subcommand lives in its own file under tools/
// (flags with CLI11, then a call into the library); this file only dispatches.
#include <CLI/CLI.hpp>
#include <iostream>
#include <vector>

#include "regsweep_version.h"
#include "tools/commands.h"

namespace {

int RunCommandLine(int argc, char** argv) {
  CLI::App app{
      "regsweep: offline garbage collector and integrity auditor for container "
      "registries (distribution filesystem layout)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("regsweep ") + REGSWEEP_VERSION + " (commit " +
                                        REGSWEEP_COMMIT + ")");
  const std::vector<regsweep::tools::CommandAction> commands = {
      regsweep::tools::AddGcCommand(app),
      regsweep::tools::AddAuditCommand(app),
      regsweep::tools::AddUsageCommand(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (const auto& command : commands) {
    const int code = command();
    if (code >= 0) return code;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return RunCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "regsweep: internal error: " << e.what() << "\n";
    return 2;
  }
}
