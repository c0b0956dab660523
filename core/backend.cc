// OpenBackend, and the local filesystem's backend.
#include "core/backend.h"

#include <optional>
#include <utility>

#include "core/registry_root.h"

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

 private:
  RegistryRoot root_;  // before storage_, which refers to its folder
  PosixTreeReader reader_;
  PosixStorage storage_;
};

}  // namespace

std::unique_ptr<Backend> OpenBackend(const std::string& root, std::string* error) {
  std::optional<RegistryRoot> registry = OpenRegistryRoot(root, error);
  if (!registry) return nullptr;
  return std::make_unique<PosixBackend>(std::move(*registry));
}

}  // namespace regsweep
