// Lock files on the local filesystem, for PosixStorage's LockFiles (core/lock_files.h).
//
// A claim is an flock(2) on the open file: exclusive for the holder, and the kernel drops it
// when the holder's process dies, however it dies. A taken file keeps its own descriptor of the
// folder it lives in, so it can remove its name at the end whatever happened to the storage
// object that took it.
#ifndef REGSWEEP_CORE_POSIX_LOCK_FILE_H_
#define REGSWEEP_CORE_POSIX_LOCK_FILE_H_

#include <memory>
#include <string>

#include "core/lock_files.h"

namespace regsweep {

// LockFiles::TryLock for the file `name` in the open folder `dirfd`: opened (created 0644 when
// missing) without following a symbolic link, then flock(LOCK_EX | LOCK_NB); kBusy when that
// flock fails; kLost when `name` no longer names the file that was locked.
LockAttempt TryLockIn(int dirfd, const std::string& name);

// LockFiles::OpenIfHeld for the file `name` in the open folder `dirfd`: held when a shared
// flock, tried without waiting (and dropped at once when granted), would block.
std::unique_ptr<LockFile> OpenIfHeldIn(int dirfd, const std::string& name);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_POSIX_LOCK_FILE_H_
