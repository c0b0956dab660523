// Moving corrupt blob data into the quarantine folder, through the storage seam.
#include "audit/check/quarantine.h"

#include <cerrno>
#include <string>

namespace regsweep::audit {

StorageStatus QuarantineBlob(Storage& storage, const Folder& quarantine, const std::string& data) {
  StorageStatus status = storage.Rename(data, quarantine, data);
  if (status.error == EXDEV) {
    status.message += " (the quarantine folder must be on its filesystem)";
  }
  return status;
}

}  // namespace regsweep::audit
