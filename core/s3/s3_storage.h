// The write seam over an S3 bucket: deletions in batches of up to 1000 keys, and the run lock
// as an object.
//
// A path (below the v2 folder) names every key below it. The keys come from the reader's
// whole listings (core/s3/s3_tree_reader.h), so removing the folders of a phase costs one
// DeleteObjects request per 1000 keys and no listing; a path outside the listed subtrees is
// listed first. Deleting what is already gone succeeds, so a rerun finishes interrupted work.
// The batches of one phase run in parallel within the caller's --io-depth; a key the store
// fails to delete fails its path (with the store's code and message), and the sweep stops
// after that phase as on disk.
//
// An object store has no empty folders (removing one is a success with no request) and no
// rename (quarantine is refused). The run lock is the object `regsweep.lock` in the v2 folder,
// created with If-None-Match: * so that of two runs exactly one takes it (on stores with
// conditional writes: AWS S3 since 2024, Ceph RGW, MinIO; a store without them overwrites, and
// two runs started at the same moment could both proceed). A run that finds it reports it
// held: with no process to watch, a store cannot tell a live holder from a run that died, so a
// lock left by a killed run stays until the operator removes it (docs/s3.md).
#ifndef REGSWEEP_CORE_S3_S3_STORAGE_H_
#define REGSWEEP_CORE_S3_S3_STORAGE_H_

#include <string>
#include <vector>

#include "core/lock_files.h"
#include "core/s3/s3_client.h"
#include "core/s3/s3_tree_reader.h"
#include "core/storage.h"

namespace regsweep::s3 {

class S3Storage final : public Storage, public LockFiles {
 public:
  // Changes the registry `reader` reads (both not owned).
  S3Storage(Client& client, S3TreeReader& reader) : client_(client), reader_(reader) {}

  StorageStatus RemoveTree(const std::string& relative) override;
  std::vector<StorageStatus> RemoveTrees(const std::vector<std::string>& batch,
                                         const std::function<void()>& removed) override;
  // No request: a folder is gone once the keys below it are.
  StorageStatus RemoveEmptyDir(const std::string& relative) override;
  FileStat Stat(const std::string& relative, int* error) override;
  // Refused (ENOTSUP): an object store cannot move a tree.
  StorageStatus Rename(const std::string& relative, const Folder& destination,
                       const std::string& to) override;

  LockAttempt TryLock(const std::string& name) override;
  std::unique_ptr<LockFile> OpenIfHeld(const std::string& name) override;
  // "s3://BUCKET/<v2 prefix>NAME at ENDPOINT".
  std::string LockPath(const std::string& root, const std::string& name) const override;
  bool ClaimEndsWithHolder() const override { return false; }

 private:
  // Every key below `relative` into *keys: from the reader's listing, or listed now.
  StorageStatus KeysOf(const std::string& relative, std::vector<std::string>* keys);

  Client& client_;
  S3TreeReader& reader_;
};

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_STORAGE_H_
