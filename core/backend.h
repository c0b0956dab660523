// One registry's storage, as every command reaches it: the folder every path is relative to
// (the v2 folder), and the three seams below it, how the tree is read (TreeReader, blob streams
// included), changed (Storage) and locked (LockFiles).
//
// OpenBackend chooses the backend from what the operator named as ROOT and is the only place
// that does: the local filesystem today (core/registry_root finds the v2 folder); an object
// store (`s3://BUCKET/PREFIX`) goes here next, behind the same seams, with no change to gc/,
// audit/ or the commands, which only ever talk to these interfaces (core/registry_run owns the
// backend of a run). ninja's DiskInterface and LevelDB's Env are the models: one object, a real
// implementation, and test implementations that wrap its parts (fail the k-th call, add
// latency).
#ifndef REGSWEEP_CORE_BACKEND_H_
#define REGSWEEP_CORE_BACKEND_H_

#include <memory>
#include <string>

#include "core/lock_files.h"
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
};

// The backend of the registry at `root` (its rootdirectory or v2 folder); nullptr with *error
// naming the place and the reason when there is none.
std::unique_ptr<Backend> OpenBackend(const std::string& root, std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_BACKEND_H_
