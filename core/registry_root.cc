// Finding and opening the v2 folder.
#include "core/registry_root.h"

#include <limits.h>
#include <stdlib.h>

#include "core/distribution_layout.h"

namespace regsweep {

std::string ResolvePath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::optional<RegistryRoot> OpenRegistryRoot(const std::string& root, std::string* error) {
  const auto v2 = distribution::FindV2Folder(root);
  if (!v2) {
    *error = "no registry at " + root +
             ": expected docker/registry/v2/{blobs,repositories} or a v2 folder";
    return std::nullopt;
  }
  RegistryRoot registry;
  registry.v2_path = ResolvePath(*v2);
  IoStatus status;
  registry.v2 = OpenRootFolder(registry.v2_path, &status);
  if (!registry.v2.valid()) {
    *error = "cannot open " + registry.v2_path + ": " + status.Text();
    return std::nullopt;
  }
  return registry;
}

}  // namespace regsweep
