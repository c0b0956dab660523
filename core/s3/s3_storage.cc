// Batched deletions over listed keys, and the lock object.
#include "core/s3/s3_storage.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <unordered_map>

namespace regsweep::s3 {
namespace {

constexpr size_t kKeysPerDelete = 1000;  // the most DeleteObjects accepts

// A path below the v2 folder is a chain of non-empty names, none "." or "..": S3 keys are
// taken literally, but a store or proxy that normalises them must never be handed a path that
// could mean something above the registry.
bool ValidPath(std::string_view path) {
  if (path.empty()) return false;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view name = path.substr(start, slash - start);
    if (name.empty() || name == "." || name == "..") return false;
    start = slash + 1;
  }
  return true;
}

StorageStatus Failed(int error, const std::string& what, const std::string& path,
                     const std::string& why) {
  return StorageStatus{error, what + " " + path + ": " + why};
}

int ErrnoOf(const Result& result) { return result.status.code == IoCode::kDenied ? EACCES : EIO; }

// What the lock object holds from its creation until its run writes its name there: a claim
// unique to that creation. A conditional PUT the store carried out but whose answer was lost
// (a dropped connection, a 500 after the write) is sent again, by the client's retry or by
// libcurl itself on a fresh connection, and that second PUT is answered 412: the claim is how
// the run knows the object it then finds is its own, not another run's. Read as empty (a claim
// names no run yet), as the empty object written before claims were.
constexpr std::string_view kClaimMark = "regsweep-claim ";

std::string NewClaim() {
  std::random_device random;
  std::string claim(kClaimMark);
  for (int i = 0; i < 4; ++i) {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(random()));
    claim += hex;
  }
  claim += '\n';
  return claim;
}

class S3LockFile final : public LockFile {
 public:
  S3LockFile(Client& client, std::string key) : client_(client), key_(std::move(key)) {}
  // The object as stored: a claim too.
  bool ReadRaw(std::string* body) {
    ObjectInfo info;
    return client_.Get(key_, 512, body, &info).ok();
  }
  std::string Read() override {
    std::string body;
    if (!ReadRaw(&body) || body.compare(0, kClaimMark.size(), kClaimMark) == 0) {
      return std::string();
    }
    return body;
  }
  StorageStatus Replace(const std::string& content) override {
    const Result result = client_.Put(key_, content);
    if (result.ok()) return StorageStatus::Ok();
    return Failed(ErrnoOf(result), "write", key_, result.Text());
  }
  StorageStatus Remove() override {
    const Result result = client_.Delete(key_);
    if (result.ok()) return StorageStatus::Ok();
    return Failed(ErrnoOf(result), "remove", key_, result.Text());
  }

 private:
  Client& client_;
  const std::string key_;
};

}  // namespace

StorageStatus S3Storage::KeysOf(const std::string& relative, std::vector<std::string>* keys) {
  if (!ValidPath(relative)) return Failed(EINVAL, "remove", relative, "not a path in the tree");
  const std::string key = reader_.v2_prefix() + relative;
  IoStatus status;
  if (reader_.ListedKeysAt(key, keys, &status)) {
    if (!status.ok()) return Failed(EIO, "list", relative, status.Text());
    return StorageStatus::Ok();
  }
  // Above the listed subtrees: the object, or whatever a listing below it finds.
  const FileStat stat = reader_.Stat(reader_.Root(), relative, &status);
  if (!status.ok()) return Failed(EIO, "stat", relative, status.Text());
  if (!stat.exists) return StorageStatus::Ok();  // already gone
  if (stat.type == EntryType::kRegular) {
    keys->push_back(key);
    return StorageStatus::Ok();
  }
  std::string token;
  do {
    ListPage page;
    const Result result = client_.ListObjects(key + '/', "", token, &page);
    if (!result.ok()) return Failed(ErrnoOf(result), "list", relative, result.Text());
    for (ObjectInfo& object : page.objects) keys->push_back(std::move(object.key));
    token = page.truncated ? page.next_token : std::string();
  } while (!token.empty());
  return StorageStatus::Ok();
}

std::string S3Storage::LockPath(const std::string& /*root*/, const std::string& name) const {
  return "s3://" + client_.endpoint().bucket + "/" + reader_.v2_prefix() + name + " at " +
         client_.endpoint().url;
}

StorageStatus S3Storage::RemoveTree(const std::string& relative) {
  return RemoveTrees({relative}, {}).front();
}

std::vector<StorageStatus> S3Storage::RemoveTrees(const std::vector<std::string>& batch,
                                                  const std::function<void()>& removed) {
  std::vector<StorageStatus> statuses(batch.size());
  std::vector<std::vector<std::string>> keys(batch.size());
  tbb::parallel_for(size_t{0}, batch.size(),
                    [&](size_t i) { statuses[i] = KeysOf(batch[i], &keys[i]); });
  // Every key with the path it belongs to, cut into requests of kKeysPerDelete.
  std::vector<std::string> all;
  std::vector<size_t> owner;
  std::unique_ptr<std::atomic<size_t>[]> left(new std::atomic<size_t>[batch.size()]);
  for (size_t i = 0; i < batch.size(); ++i) {
    left[i] = statuses[i].ok() ? keys[i].size() : 0;
    if (!statuses[i].ok()) continue;
    for (std::string& key : keys[i]) {
      all.push_back(std::move(key));
      owner.push_back(i);
    }
    if (keys[i].empty() && removed) removed();
  }
  std::mutex statuses_mutex;  // the batches write statuses[] from many threads
  const size_t requests = (all.size() + kKeysPerDelete - 1) / kKeysPerDelete;
  tbb::parallel_for(size_t{0}, requests, [&](size_t r) {
    const size_t begin = r * kKeysPerDelete;
    const size_t end = std::min(all.size(), begin + kKeysPerDelete);
    const std::vector<std::string> chunk(all.begin() + static_cast<std::ptrdiff_t>(begin),
                                         all.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<DeleteError> failed;
    const Result result = client_.DeleteObjects(chunk, &failed);
    {
      const std::lock_guard<std::mutex> lock(statuses_mutex);
      if (!result.ok()) {
        for (size_t k = begin; k < end; ++k) {
          if (statuses[owner[k]].ok()) {
            statuses[owner[k]] = Failed(ErrnoOf(result), "delete", batch[owner[k]], result.Text());
          }
        }
      }
      if (!failed.empty()) {
        std::unordered_map<std::string_view, size_t> index;
        for (size_t k = begin; k < end; ++k) index.emplace(all[k], owner[k]);
        for (const DeleteError& error : failed) {
          const auto it = index.find(error.key);
          if (it == index.end() || !statuses[it->second].ok()) continue;
          statuses[it->second] = Failed(error.code == "AccessDenied" ? EACCES : EIO, "delete",
                                        error.key, error.code + ": " + error.message);
        }
      }
    }
    for (size_t k = begin; k < end; ++k) {
      if (left[owner[k]].fetch_sub(1) == 1 && removed) removed();
    }
  });
  return statuses;
}

StorageStatus S3Storage::RemoveEmptyDir(const std::string& relative) {
  if (!ValidPath(relative)) return Failed(EINVAL, "remove", relative, "not a path in the tree");
  return StorageStatus::Ok();
}

FileStat S3Storage::Stat(const std::string& relative, int* error) {
  IoStatus status;
  const FileStat stat = reader_.Stat(reader_.Root(), relative, &status);
  *error = status.ok() ? 0 : (status.code == IoCode::kDenied ? EACCES : EIO);
  return stat;
}

StorageStatus S3Storage::Rename(const std::string& relative, const Folder& /*destination*/,
                                const std::string& /*to*/) {
  return Failed(ENOTSUP, "move", relative, "an object store cannot move a tree");
}

LockAttempt S3Storage::TryLock(const std::string& name) {
  LockAttempt attempt;
  const std::string key = reader_.v2_prefix() + name;
  auto file = std::make_unique<S3LockFile>(client_, key);
  // Created only if absent: on a store with conditional writes, of two runs starting together
  // exactly one gets 200; the other gets 412 and sees the lock held, unless what holds it is
  // this run's own claim, written by an attempt whose answer was lost.
  const std::string claim = NewClaim();
  const Result put = client_.PutIfAbsent(key, claim);
  std::string found;
  const bool ours = put.ok() || (put.http_status == 412 && file->ReadRaw(&found) && found == claim);
  attempt.file = std::move(file);
  if (ours) {
    attempt.result = LockAttempt::Result::kTaken;
    return attempt;
  }
  if (put.http_status == 412) {
    attempt.result = LockAttempt::Result::kBusy;
    return attempt;
  }
  attempt.file.reset();
  attempt.status = Failed(ErrnoOf(put), "lock", key, put.Text());
  return attempt;
}

std::unique_ptr<LockFile> S3Storage::OpenIfHeld(const std::string& name) {
  const std::string key = reader_.v2_prefix() + name;
  ObjectInfo info;
  if (!client_.Head(key, &info).ok()) return nullptr;
  return std::make_unique<S3LockFile>(client_, key);
}

}  // namespace regsweep::s3
