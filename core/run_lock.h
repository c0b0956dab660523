// The run lock: one regsweep at a time may change a registry, and the read-only commands do not
// start while one is changing it.
//
// The lock is the file `regsweep.lock` in the v2 folder, holding the owner's pid, host and
// start time, and held (on the local filesystem with flock(2)) for the life of the run. The
// claim ends when its process dies, so a file that exists but is not held was left by a run
// that did not finish: it is reported as stale, naming that run, and only `--break-lock` clears
// it (the interrupted run is finished by the new one; the sweep order makes that safe).
//
// What the lock means lives here; the file operations come from the storage seam
// (core/lock_files.h, provided by PosixStorage), so the lock follows the tree onto any backend.
#ifndef REGSWEEP_CORE_RUN_LOCK_H_
#define REGSWEEP_CORE_RUN_LOCK_H_

#include <memory>
#include <optional>
#include <string>

#include "core/lock_files.h"

namespace regsweep {

inline constexpr const char* kLockFileName = "regsweep.lock";

class RunLock {
 public:
  // Takes the lock through `locks` (the v2 folder's storage; `v2_path` is for messages). On
  // failure returns nullopt and explains in *error (held by a live run, or stale without
  // `break_stale`); *notice names a stale lock that was cleared.
  static std::optional<RunLock> Acquire(LockFiles& locks, const std::string& v2_path,
                                        bool break_stale, std::string* error, std::string* notice);
  // The holder's description ("pid=... host=... started=...") when a live run holds the lock
  // that `locks` reaches, nullopt when none does. Neither creates the file nor keeps a lock: for
  // read-only commands, which must not run against a tree a collection is changing.
  static std::optional<std::string> LiveHolder(LockFiles& locks);
  // What to add to a message about a lock that looks held: nothing where a claim ends with its
  // holder; otherwise (an object store) that --break-lock cannot clear it and how to.
  static std::string LeftLockAdvice(const LockFiles& locks);
  RunLock(RunLock&&) = default;
  RunLock& operator=(RunLock&&) = default;
  // Removes the lock file, then gives up the claim.
  ~RunLock();

 private:
  explicit RunLock(std::unique_ptr<LockFile> file) : file_(std::move(file)) {}
  std::unique_ptr<LockFile> file_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_RUN_LOCK_H_
