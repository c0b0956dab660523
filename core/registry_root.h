// Opening a registry on the local filesystem: finds its root folder from what the operator named
// (distribution's rootdirectory or its v2 folder, or an OCI image layout's folder), resolves
// it, opens it, and says which layout it has. Every command on a local registry starts here.
#ifndef REGSWEEP_CORE_REGISTRY_ROOT_H_
#define REGSWEEP_CORE_REGISTRY_ROOT_H_

#include <optional>
#include <string>

#include "core/layout.h"
#include "core/tree_reader.h"

namespace regsweep {

struct RegistryRoot {
  std::string v2_path;  // the root folder (distribution's v2 folder): absolute, symlinks resolved
  Folder v2;            // the open root folder
  const Layout* layout = nullptr;  // what it holds
};

// nullopt with *error naming the path and the reason when there is no registry at `root`.
std::optional<RegistryRoot> OpenRegistryRoot(const std::string& root, std::string* error);

// realpath(3), or `path` unchanged when it cannot be resolved.
std::string ResolvePath(const std::string& path);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_REGISTRY_ROOT_H_
