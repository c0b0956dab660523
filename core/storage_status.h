// The outcome of one change to a tree through the storage seam (core/storage.h,
// core/lock_files.h): errno (0 for success) and a message naming the path.
#ifndef REGSWEEP_CORE_STORAGE_STATUS_H_
#define REGSWEEP_CORE_STORAGE_STATUS_H_

#include <string>

namespace regsweep {

struct StorageStatus {
  int error = 0;
  std::string message;
  bool ok() const { return error == 0; }
  static StorageStatus Ok() { return {}; }
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_STORAGE_STATUS_H_
