// The subcommands of the regsweep binary. Each Add*Command registers its flags on the CLI11 app
// and returns the action to run once parsing succeeded (its exit code is the process's).
#ifndef REGSWEEP_TOOLS_COMMANDS_H_
#define REGSWEEP_TOOLS_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace regsweep::tools {

using CommandAction = std::function<int()>;

// `regsweep gc`: tools/gc_command.cc
CommandAction AddGcCommand(CLI::App& app);
// `regsweep audit`: tools/audit_command.cc
CommandAction AddAuditCommand(CLI::App& app);
// `regsweep usage`: tools/usage_command.cc
CommandAction AddUsageCommand(CLI::App& app);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_COMMANDS_H_
