// The storage seam: the only way regsweep changes a registry tree.
//
// Every mutation goes through a Storage, addressed by a path relative to the v2 folder. The
// POSIX implementation resolves every path beneath the root without following symbolic links,
// so no path, however built, can reach outside the tree. Tests substitute an implementation
// that records calls or fails the k-th one; a dry run simply never calls it. The run lock's
// files are reached through the same object (core/lock_files.h), which the POSIX storage also
// provides.
#ifndef REGSWEEP_CORE_STORAGE_H_
#define REGSWEEP_CORE_STORAGE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/lock_files.h"
#include "core/storage_status.h"
#include "core/tree_reader.h"

namespace regsweep {

class Storage {
 public:
  virtual ~Storage() = default;
  // Removes a file or folder and everything below it; symbolic links inside are removed, never
  // followed. Removing what is already gone succeeds (so reruns finish interrupted work).
  virtual StorageStatus RemoveTree(const std::string& relative) = 0;
  // Removes every path of `batch` as RemoveTree does, as many at once as the backend allows,
  // and returns the outcome of each (statuses[i] is batch[i]'s). The paths of one batch never
  // lie below one another, and their order does not matter. `removed` (may be empty) is called
  // once per path done, from any thread. This default hands each path to RemoveTree, in
  // parallel within the caller's I/O depth (core/io_depth.h); an object store overrides it to
  // delete up to a thousand keys per request.
  virtual std::vector<StorageStatus> RemoveTrees(const std::vector<std::string>& batch,
                                                 const std::function<void()>& removed);
  // Removes a folder only if it is empty; ENOTEMPTY is reported, ENOENT succeeds.
  virtual StorageStatus RemoveEmptyDir(const std::string& relative) = 0;
  // lstat beneath the root; *error is 0 when the entry exists or is simply absent.
  virtual FileStat Stat(const std::string& relative, int* error) = 0;
  // Moves the file or folder `relative` out of the tree to `to` below `destination`, a folder
  // opened on the same storage (on the local filesystem: OpenRootFolder, on the same filesystem),
  // creating the folders on the way to `to` as needed. Never replaces what is at `to` (EEXIST),
  // never follows a symbolic link on either side; a source that is gone is a failure (ENOENT).
  // The destination is an open folder rather than a second Storage because a move needs both
  // ends on one backend (one filesystem for a rename; one bucket or store for a copy and
  // delete) and the destination is only ever written into, never read or removed.
  virtual StorageStatus Rename(const std::string& relative, const Folder& destination,
                               const std::string& to) = 0;
};

// Storage on the local filesystem, rooted at an open v2 folder (not owned: it must outlive the
// storage, except for lock files taken, which keep what they need).
class PosixStorage : public Storage, public LockFiles {
 public:
  explicit PosixStorage(const Folder& v2) : v2fd_(v2.fd()) {}
  StorageStatus RemoveTree(const std::string& relative) override;
  StorageStatus RemoveEmptyDir(const std::string& relative) override;
  FileStat Stat(const std::string& relative, int* error) override;
  // renameat2(RENAME_NOREPLACE): EXDEV when `destination` is on another filesystem.
  StorageStatus Rename(const std::string& relative, const Folder& destination,
                       const std::string& to) override;
  // flock(2) on a file in the v2 folder (core/posix_lock_file.h).
  LockAttempt TryLock(const std::string& name) override;
  std::unique_ptr<LockFile> OpenIfHeld(const std::string& name) override;

 private:
  int v2fd_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_STORAGE_H_
