// One registry's storage, as every command reaches it: the folder every path is relative to
// (the v2 folder), and the three seams below it, how the tree is read (TreeReader, blob streams
// included), changed (Storage) and locked (LockFiles).
//
// OpenBackend chooses the backend from what the operator named as ROOT (or the registry's
// config.yml named by --config) and is the only place that does: the local filesystem (core/
// registry_root finds the v2 folder) or an S3-compatible object store (`s3://BUCKET/PREFIX`,
// core/s3/s3_backend.h), behind the same seams, so gc/, audit/ and the commands only ever talk
// to these interfaces (core/registry_run owns the backend of a run). ninja's DiskInterface and
// LevelDB's Env are the models: one object, a real implementation, and test implementations that
// wrap its parts (fail the k-th call, add latency).
#ifndef REGSWEEP_CORE_BACKEND_H_
#define REGSWEEP_CORE_BACKEND_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/layout.h"
#include "core/lock_files.h"
#include "core/request_tally.h"
#include "core/storage.h"
#include "core/tree_reader.h"

namespace regsweep {

class Backend {
 public:
  virtual ~Backend() = default;
  // Where the registry is, for messages and saved plans (on disk: the v2 folder's real path).
  virtual const std::string& location() const = 0;
  // The v2 folder, opened by reader().
  virtual const Folder& root() const = 0;
  virtual TreeReader& reader() = 0;
  virtual Storage& storage() = 0;
  virtual LockFiles& locks() = 0;
  // Where the registry keeps what (core/layout.h): distribution's layout unless the backend
  // found another.
  virtual const Layout& layout() const { return DefaultLayout(); }
  // What the run has asked of a storage billed by the request (an object store) so far;
  // nothing for one that is not (the local filesystem).
  virtual std::optional<RequestTally> requests() const { return std::nullopt; }
};

// How to reach the registry beyond ROOT itself (the commands' storage flags).
struct BackendSettings {
  // --config: the registry's config.yml; its storage section says where the registry is
  // (then ROOT may be empty) and, for S3, how to reach it.
  std::string config;
  // An object store's requests in flight at most (its connections): the run's --io-depth.
  unsigned max_in_flight = 64;
  // --max-requests-per-second for an object store; 0: no limit.
  double max_requests_per_second = 0;
};

// The backend of the registry at `root` (its rootdirectory or v2 folder, or
// `s3://BUCKET/PREFIX`) or, when `root` is empty, the one settings.config names; nullptr with
// *error naming the place and the reason when there is none.
std::unique_ptr<Backend> OpenBackend(const std::string& root, const BackendSettings& settings,
                                     std::string* error);
// As above with default settings (a root on the local filesystem, in tests).
inline std::unique_ptr<Backend> OpenBackend(const std::string& root, std::string* error) {
  return OpenBackend(root, BackendSettings(), error);
}

}  // namespace regsweep

#endif  // REGSWEEP_CORE_BACKEND_H_
