// The state file of incremental data verification (`audit --state FILE`).
//
// Per blob it keeps the inode, size and mtime the blob had when it last hashed to its digest,
// and when that was. Every result is appended as one line as soon as it is known, so killing
// the audit loses at most the hashes in flight; Compact() rewrites the file with one line per
// blob at the end of a run. A corrupt blob gets a `bad` line, which cancels its good record so
// that it is re-verified on every later run.
//
//   # regsweep audit state v1
//   good <digest> <inode> <size> <mtime_ns> <verified_ns>
//   bad <digest>
#ifndef REGSWEEP_AUDIT_CHECK_VERIFY_STATE_H_
#define REGSWEEP_AUDIT_CHECK_VERIFY_STATE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/digest.h"
#include "core/fs.h"

namespace regsweep::audit {

struct GoodVerification {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t verified_ns = 0;
};

class VerifyState {
 public:
  // Loads `path` (a missing file is an empty state) and opens it for appending. Returns nullopt
  // and sets *error when the file cannot be read or written.
  static std::unique_ptr<VerifyState> Open(const std::string& path, std::string* error);

  // The last good verification of `digest`, or nullptr.
  const GoodVerification* Find(const Digest& digest) const;
  // Thread-safe; appended to the file at once.
  void RecordGood(const Digest& digest, const GoodVerification& good);
  void RecordBad(const Digest& digest);
  // Rewrites the file with one line per good blob (atomically, through a rename).
  bool Compact(std::string* error);
  size_t size() const { return good_.size(); }

 private:
  VerifyState(std::string path, UniqueFd append_fd);
  void Append(const std::string& line);

  std::string path_;
  UniqueFd append_fd_;
  std::mutex mutex_;
  std::unordered_map<Digest, GoodVerification, DigestHash> good_;
};

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_VERIFY_STATE_H_
