// The run lock's part of the storage seam: lock files that a run holds while it changes a tree.
//
// core/run_lock decides what the lock means (who holds it, stale or live, what it says); a
// LockFiles provides only the few operations it needs: open a lock file, creating it when
// missing, and take it exclusively without waiting; tell whether a live holder has it; read,
// rewrite and remove it. A holder's claim ends when its process dies, however it dies (on the
// local filesystem, flock(2): core/posix_lock_file.h), and the file stays behind: that is how a
// run that did not finish is recognised. PosixStorage provides it over the v2 folder.
#ifndef REGSWEEP_CORE_LOCK_FILES_H_
#define REGSWEEP_CORE_LOCK_FILES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/storage_status.h"

namespace regsweep {

// One open lock file. Destroying it gives up the claim if it holds one (the file stays unless
// Remove was called).
class LockFile {
 public:
  virtual ~LockFile() = default;
  // What the file holds (at most its first 512 bytes); empty when it is empty or unreadable.
  virtual std::string Read() = 0;
  // Replaces what the file holds with `content`.
  virtual StorageStatus Replace(const std::string& content) = 0;
  // Removes the file's name while this handle still holds the claim, so that no one can take
  // the lock between the removal and the release.
  virtual StorageStatus Remove() = 0;
};

// The outcome of LockFiles::TryLock.
struct LockAttempt {
  enum class Result : uint8_t {
    kTaken,   // `file` holds the lock
    kBusy,    // a live holder has it; `file` is open, for reading what it says
    kLost,    // the name was removed or replaced between the open and the claim (its previous
              // holder finished): nothing is held; try again
    kFailed,  // the file could not be opened or claimed: `status` says why
  };
  Result result = Result::kFailed;
  std::unique_ptr<LockFile> file;
  StorageStatus status;
};

class LockFiles {
 public:
  virtual ~LockFiles() = default;
  // Opens the lock file `name` (in the root folder), creating it empty when missing and never
  // following a symbolic link, and takes it exclusively without waiting.
  virtual LockAttempt TryLock(const std::string& name) = 0;
  // The lock file `name`, open for reading, when a live holder has it now; nullptr when it does
  // not exist or no one holds it. Creates nothing and keeps no claim.
  virtual std::unique_ptr<LockFile> OpenIfHeld(const std::string& name) = 0;
  // Where the lock file `name` is, for messages; `root` is the backend's location(). The local
  // filesystem's "<root>/<name>" by default.
  virtual std::string LockPath(const std::string& root, const std::string& name) const {
    return root + "/" + name;
  }
  // False when a claim outlives its holder (an object store: a lock object left by a killed run
  // cannot be told from a live run's), so that only removing it by hand clears it.
  virtual bool ClaimEndsWithHolder() const { return true; }
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_LOCK_FILES_H_
