// Opening a registry: finds the v2 folder from what the operator named (the driver's
// rootdirectory or the v2 folder itself), resolves it, and opens it. Every command starts here.
#ifndef REGSWEEP_CORE_REGISTRY_ROOT_H_
#define REGSWEEP_CORE_REGISTRY_ROOT_H_

#include <optional>
#include <string>

#include "core/tree_reader.h"

namespace regsweep {

struct RegistryRoot {
  std::string v2_path;  // absolute, symlinks resolved
  Folder v2;            // the open v2 folder
};

// nullopt with *error naming the path and the reason when there is no registry at `root`.
std::optional<RegistryRoot> OpenRegistryRoot(const std::string& root, std::string* error);

// realpath(3), or `path` unchanged when it cannot be resolved.
std::string ResolvePath(const std::string& path);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_REGISTRY_ROOT_H_
