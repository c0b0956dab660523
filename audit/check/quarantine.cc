// Moving corrupt blob data into the quarantine folder.
#include "audit/check/quarantine.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/fs.h"
#include "core/layout.h"

namespace regsweep::audit {
namespace {

StorageStatus Failure(const std::string& what) {
  const int error = errno;
  return StorageStatus{error, what + ": " + std::strerror(error)};
}

// Creates (as needed) and opens `relative` below `base`, one component at a time.
UniqueFd MakeDirs(int base, const std::string& relative) {
  UniqueFd current(fcntl(base, F_DUPFD_CLOEXEC, 0));
  size_t start = 0;
  while (current.valid() && start < relative.size()) {
    const size_t slash = relative.find('/', start);
    const std::string component =
        relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (mkdirat(current.get(), component.c_str(), 0755) != 0 && errno != EEXIST) return UniqueFd();
    current = OpenDirBeneath(current.get(), component);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return current;
}

}  // namespace

StorageStatus QuarantineBlob(int v2fd, int quarantine_fd, const Digest& digest) {
  const std::string folder = layout::BlobDir(digest);
  UniqueFd source = OpenDirBeneath(v2fd, folder);
  if (!source.valid()) return Failure("cannot open " + folder);
  UniqueFd target = MakeDirs(quarantine_fd, folder);
  if (!target.valid()) return Failure("cannot create " + folder + " in the quarantine folder");
  if (renameat2(source.get(), "data", target.get(), "data", RENAME_NOREPLACE) != 0) {
    const bool other_filesystem = errno == EXDEV;
    StorageStatus status = Failure("cannot move " + folder + "/data");
    if (other_filesystem) status.message += " (the quarantine folder must be on its filesystem)";
    return status;
  }
  return StorageStatus::Ok();
}

}  // namespace regsweep::audit
