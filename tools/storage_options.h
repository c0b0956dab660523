// The flags every command shares for where the registry is: ROOT (a folder, or
// s3://BUCKET/PREFIX), --config (the registry's own config.yml, which may name it instead) and
// --max-requests-per-second (an object store's rate limit). core/backend.h opens what they name.
#ifndef REGSWEEP_TOOLS_STORAGE_OPTIONS_H_
#define REGSWEEP_TOOLS_STORAGE_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "core/backend.h"

namespace regsweep::tools {

// Registers ROOT into *root and the storage flags into *settings; one of ROOT and --config
// must be given.
void AddStorageOptions(CLI::App* cmd, std::string* root, BackendSettings* settings);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_STORAGE_OPTIONS_H_
