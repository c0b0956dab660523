// Finding and opening a registry's root folder, and telling its layout.
#include "core/registry_root.h"

#include <limits.h>
#include <stdlib.h>

#include "core/distribution_layout.h"
#include "core/oci_layout.h"

namespace regsweep {

std::string ResolvePath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::optional<RegistryRoot> OpenRegistryRoot(const std::string& root, std::string* error) {
  RegistryRoot registry;
  std::optional<std::string> v2;
  if (IsOciLayoutFolder(root)) {
    v2 = root;
    registry.layout = &OciImageLayout();
  } else {
    v2 = distribution::FindV2Folder(root);
    registry.layout = &DefaultLayout();
  }
  if (!v2) {
    *error = "no registry at " + root +
             ": expected docker/registry/v2/{blobs,repositories}, a v2 folder, or an OCI image "
             "layout (a folder with an oci-layout file)";
    return std::nullopt;
  }
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
