// The run lock's rules (exclusive, stale-lock detection, the probe read-only commands use) over
// the storage seam's lock files.
#include "core/run_lock.h"

#include <unistd.h>

#include <cstring>
#include <utility>

#include "core/format.h"
#include "core/fs.h"

namespace regsweep {
namespace {

// What a lock file says, on one line.
std::string Describe(LockFile& file) {
  std::string content = file.Read();
  while (!content.empty() && (content.back() == '\n' || content.back() == '\0')) {
    content.pop_back();
  }
  for (char& c : content) {
    if (c == '\n') c = ' ';
  }
  return content;
}

std::string OwnerLine() {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  return "pid=" + std::to_string(getpid()) + " host=" + host +
         " started=" + FormatUtcTime(NowNs()) + "\n";
}

}  // namespace

std::string RunLock::LeftLockAdvice(const LockFiles& locks) {
  if (locks.ClaimEndsWithHolder()) return std::string();
  return ". Here a lock left by a run that was killed looks held for ever, and --break-lock "
         "cannot clear it: once sure that no run is active, delete that object by hand";
}

std::optional<RunLock> RunLock::Acquire(LockFiles& locks, const std::string& v2_path,
                                        bool break_stale, std::string* error, std::string* notice) {
  const std::string path = locks.LockPath(v2_path, kLockFileName);
  for (int attempt = 0; attempt < 5; ++attempt) {
    LockAttempt taken = locks.TryLock(kLockFileName);
    switch (taken.result) {
      case LockAttempt::Result::kFailed:
        *error = "cannot open lock file " + path + ": " + std::strerror(taken.status.error);
        return std::nullopt;
      case LockAttempt::Result::kBusy:
        *error = "registry is locked by another regsweep run (" + Describe(*taken.file) +
                 "): " + path + LeftLockAdvice(locks);
        return std::nullopt;
      case LockAttempt::Result::kLost:
        continue;
      case LockAttempt::Result::kTaken:
        break;
    }
    const std::string previous = Describe(*taken.file);
    if (!previous.empty()) {
      if (!break_stale) {
        *error = "stale lock " + path + " left by a run that did not finish (" + previous +
                 ", no longer running); run again with --break-lock to clear it";
        return std::nullopt;
      }
      *notice = "cleared stale lock " + path + " (" + previous + ")";
    }
    if (const StorageStatus written = taken.file->Replace(OwnerLine()); !written.ok()) {
      *error = "cannot write lock file " + path + ": " + std::strerror(written.error);
      return std::nullopt;
    }
    return RunLock(std::move(taken.file));
  }
  *error = "could not take the lock " + path + " (it keeps changing)";
  return std::nullopt;
}

std::optional<std::string> RunLock::LiveHolder(LockFiles& locks) {
  const std::unique_ptr<LockFile> held = locks.OpenIfHeld(kLockFileName);
  if (held == nullptr) return std::nullopt;
  const std::string owner = Describe(*held);
  return owner.empty() ? std::string("a run that has not written its name yet") : owner;
}

RunLock::~RunLock() {
  if (file_ != nullptr) file_->Remove();
}

}  // namespace regsweep
