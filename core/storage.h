// The storage seam: the only way regsweep changes a registry tree.
//
// Every mutation goes through a Storage, addressed by a path relative to the v2 folder. The
// POSIX implementation resolves every path beneath the root without following symbolic links,
// so no path, however built, can reach outside the tree. Tests substitute an implementation
// that records calls or fails the k-th one; a dry run simply never calls it.
#ifndef REGSWEEP_CORE_STORAGE_H_
#define REGSWEEP_CORE_STORAGE_H_

#include <memory>
#include <string>

#include "core/fs.h"

namespace regsweep {

// Outcome of one storage operation: errno (0 for success) and a message naming the path.
struct StorageStatus {
  int error = 0;
  std::string message;
  bool ok() const { return error == 0; }
  static StorageStatus Ok() { return {}; }
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Removes a file or folder and everything below it; symbolic links inside are removed, never
  // followed. Removing what is already gone succeeds (so reruns finish interrupted work).
  virtual StorageStatus RemoveTree(const std::string& relative) = 0;
  // Removes a folder only if it is empty; ENOTEMPTY is reported, ENOENT succeeds.
  virtual StorageStatus RemoveEmptyDir(const std::string& relative) = 0;
  // lstat beneath the root; *error is 0 when the entry exists or is simply absent.
  virtual FileStat Stat(const std::string& relative, int* error) = 0;
};

// Storage on the local filesystem, rooted at an open v2 folder.
class PosixStorage : public Storage {
 public:
  explicit PosixStorage(int v2fd) : v2fd_(v2fd) {}
  StorageStatus RemoveTree(const std::string& relative) override;
  StorageStatus RemoveEmptyDir(const std::string& relative) override;
  FileStat Stat(const std::string& relative, int* error) override;

 private:
  int v2fd_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_STORAGE_H_
