// The run lock: one regsweep at a time may change a registry, and the read-only commands do not
// start while one is changing it.
//
// The lock is the file `regsweep.lock` in the v2 folder, holding the owner's pid, host and
// start time, and held with flock(2) for the life of the run. The kernel drops a flock when its
// process dies, so a file that exists but is not locked was left by a run that did not finish:
// it is reported as stale, naming that run, and only `--break-lock` clears it (the interrupted
// run is finished by the new one; the sweep order makes that safe).
#ifndef REGSWEEP_CORE_RUN_LOCK_H_
#define REGSWEEP_CORE_RUN_LOCK_H_

#include <optional>
#include <string>

#include "core/fs.h"

namespace regsweep {

inline constexpr const char* kLockFileName = "regsweep.lock";

class RunLock {
 public:
  // Takes the lock in the open v2 folder `v2fd` (`v2_path` is for messages). On failure returns
  // nullopt and explains in *error (held by a live run, or stale without `break_stale`).
  static std::optional<RunLock> Acquire(int v2fd, const std::string& v2_path, bool break_stale,
                                        std::string* error, std::string* notice);
  // The holder's description ("pid=... host=... started=...") when a live run holds the lock in
  // `v2fd`, nullopt when none does. Neither creates the file nor keeps a lock: for read-only
  // commands, which must not run against a tree a collection is changing.
  static std::optional<std::string> LiveHolder(int v2fd);
  RunLock(RunLock&&) = default;
  RunLock& operator=(RunLock&&) = default;
  ~RunLock();

 private:
  RunLock(int v2fd, UniqueFd fd) : v2fd_(v2fd), fd_(std::move(fd)) {}
  int v2fd_ = -1;
  UniqueFd fd_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_RUN_LOCK_H_
