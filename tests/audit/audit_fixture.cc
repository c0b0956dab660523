// Tree snapshots for the audit tests.
#include "tests/audit/audit_fixture.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/hash.h"

namespace regsweep::audit::testing {

namespace fs = boost::filesystem;

std::map<std::string, std::string> SnapshotTree(const fs::path& root) {
  std::map<std::string, std::string> snapshot;
  for (fs::recursive_directory_iterator it(root), end; it != end; ++it) {
    const fs::path& path = it->path();
    const std::string relative = path.string().substr(root.string().size());
    const fs::file_status status = fs::symlink_status(path);
    if (fs::is_symlink(status)) {
      snapshot[relative] = "symlink " + fs::read_symlink(path).string();
      it.disable_recursion_pending();
    } else if (fs::is_directory(status)) {
      snapshot[relative] = "dir";
    } else if (fs::is_regular_file(status)) {
      std::ifstream file(path.string(), std::ios::binary);
      std::stringstream content;
      content << file.rdbuf();
      snapshot[relative] = "file " + HashBytes(DigestAlgorithm::kSha256, content.str()).Hex();
    } else {
      snapshot[relative] = "other";
    }
  }
  return snapshot;
}

}  // namespace regsweep::audit::testing
