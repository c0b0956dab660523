// OpenBackend, and the local filesystem's backend.
#include "core/backend.h"

#include <optional>
#include <utility>

#include "core/registry_root.h"
#include "core/s3/s3_backend.h"
#include "core/s3/s3_location.h"

namespace regsweep {
namespace {

class PosixBackend final : public Backend {
 public:
  explicit PosixBackend(RegistryRoot root) : root_(std::move(root)), storage_(root_.v2) {}

  const std::string& location() const override { return root_.v2_path; }
  const Folder& root() const override { return root_.v2; }
  TreeReader& reader() override { return reader_; }
  Storage& storage() override { return storage_; }
  LockFiles& locks() override { return storage_; }
  const Layout& layout() const override { return *root_.layout; }

 private:
  RegistryRoot root_;  // before storage_, which refers to its folder
  PosixTreeReader reader_;
  PosixStorage storage_;
};

}  // namespace

std::unique_ptr<Backend> OpenBackend(const std::string& root, const BackendSettings& settings,
                                     std::string* error) {
  const s3::EnvLookup env = s3::ProcessEnvironment();
  std::string where = root;
  s3::Location location;
  if (!settings.config.empty()) {
    s3::RegistryStorage storage;
    if (!s3::LoadRegistryConfig(settings.config, env, &storage, error)) return nullptr;
    if (storage.kind == s3::RegistryStorage::Kind::kS3) {
      if (!root.empty()) {
        *error = "give ROOT or --config, not both: " + settings.config + " names the registry";
        return nullptr;
      }
      return s3::OpenS3Backend(storage.s3, settings, error);
    }
    if (where.empty()) where = storage.filesystem_root;
  }
  if (s3::IsS3Root(where)) {
    if (!s3::ParseS3Root(where, &location, error) ||
        !s3::FillFromEnvironment(env, &location, error)) {
      return nullptr;
    }
    return s3::OpenS3Backend(location, settings, error);
  }
  std::optional<RegistryRoot> registry = OpenRegistryRoot(where, error);
  if (!registry) return nullptr;
  return std::make_unique<PosixBackend>(std::move(*registry));
}

}  // namespace regsweep
