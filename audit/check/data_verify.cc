// Parallel blob hashing with one re-read of mismatches, state-file skips and progress.
#include "audit/check/data_verify.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "core/layout.h"
#include "core/shard_folders.h"
#include "core/tree_reader.h"

namespace regsweep::audit {
namespace {

using Clock = std::chrono::steady_clock;

// Reports progress from its own thread until stopped.
class ProgressTicker {
 public:
  ProgressTicker(const std::function<void(const HashProgress&)>& report, HashProgress totals,
                 const std::atomic<uint64_t>& blobs, const std::atomic<uint64_t>& bytes)
      : report_(report), totals_(totals), blobs_(blobs), bytes_(bytes) {
    if (report_) thread_ = std::thread([this] { Run(); });
  }
  ~ProgressTicker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (report_) report_(Snapshot());
  }

 private:
  HashProgress Snapshot() const {
    HashProgress progress = totals_;
    progress.blobs_done = blobs_.load();
    progress.bytes_done = bytes_.load();
    progress.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return progress;
  }
  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
      report_(Snapshot());
    }
  }

  const std::function<void(const HashProgress&)>& report_;
  const HashProgress totals_;
  const std::atomic<uint64_t>& blobs_;
  const std::atomic<uint64_t>& bytes_;
  const Clock::time_point start_ = Clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

bool Unchanged(const GoodVerification& good, const BlobRecord& blob) {
  return good.inode == blob.inode && good.size == blob.size && good.mtime_ns == blob.mtime_ns;
}

std::string ReadProblem(const BlobRead& read) {
  std::string text(ReadStatusText(read.status));
  if (read.status == ReadStatus::kIoError) text += std::string(": ") + std::strerror(read.error);
  return text;
}

struct BlobVerdict {
  std::optional<Finding> finding;
  bool corrupt = false;
};

BlobVerdict VerifyOne(const BlobRecord& blob, int shard_fd, const VerifyOptions& options,
                      std::atomic<uint64_t>* progress) {
  BlobVerdict verdict;
  const std::string path = layout::BlobData(blob.digest);
  auto finding = [&](Severity severity, const char* kind, std::string reason) {
    verdict.finding =
        Finding{severity, kind, path, std::string(), blob.digest.ToString(), std::move(reason)};
  };
  if (shard_fd < 0) {
    finding(Severity::kError, "blob_unreadable",
            "its shard folder " + layout::BlobShardDir(blob.digest) + " cannot be opened");
    return verdict;
  }
  const BlobRead first = options.hash(shard_fd, blob.digest, progress);
  if (first.status != ReadStatus::kOk) {
    finding(Severity::kError, "blob_unreadable", "blob data is " + ReadProblem(first));
    return verdict;
  }
  if (first.hash == blob.digest) {
    if (options.state != nullptr) {
      options.state->RecordGood(
          blob.digest, GoodVerification{first.inode, first.size, first.mtime_ns, options.now_ns});
    }
    return verdict;
  }
  const BlobRead second = options.hash(shard_fd, blob.digest, progress);
  if (second.status == ReadStatus::kOk && second.hash == blob.digest) {
    finding(Severity::kWarning, "blob_read_unstable",
            "first read hashed to " + first.hash.ToString() + " (" + std::to_string(first.bytes) +
                " bytes); the second read matched the digest: check the disk and its cabling");
    return verdict;
  }
  verdict.corrupt = true;
  if (options.state != nullptr) options.state->RecordBad(blob.digest);
  std::string reason = "content hashes to " + first.hash.ToString() + " (" +
                       std::to_string(first.bytes) + " bytes), not to its digest";
  if (second.status != ReadStatus::kOk) {
    reason += "; the second read failed: " + ReadProblem(second);
  } else if (!(second.hash == first.hash)) {
    reason += "; a second read hashed to yet another " + second.hash.ToString();
  } else {
    reason += "; confirmed by a second read";
  }
  finding(Severity::kError, "blob_digest_mismatch", std::move(reason));
  return verdict;
}

}  // namespace

VerifyResult VerifyBlobData(const std::vector<BlobRecord>& blobs, int v2fd,
                            const VerifyOptions& options) {
  VerifyResult result;
  const auto start = Clock::now();
  std::vector<size_t> selected = SelectBlobs(blobs, options.subset, options.seed);
  result.selected = selected.size();
  std::vector<size_t> todo;
  HashProgress totals;
  for (const size_t index : selected) {
    const BlobRecord& blob = blobs[index];
    const GoodVerification* good =
        options.state != nullptr ? options.state->Find(blob.digest) : nullptr;
    if (good != nullptr && options.max_age_ns >= 0 && Unchanged(*good, blob) &&
        good->verified_ns >= options.now_ns - options.max_age_ns) {
      ++result.skipped;
      continue;
    }
    todo.push_back(index);
    totals.bytes_total += blob.size;
  }
  totals.blobs_total = todo.size();
  // Largest first, so that one big blob does not finish alone at the end.
  std::stable_sort(todo.begin(), todo.end(),
                   [&](size_t a, size_t b) { return blobs[a].size > blobs[b].size; });

  // Blobs are read below their shard folders, each opened once.
  auto shards = std::make_unique<ShardFolders>();
  for (const size_t index : todo) shards->Open(DefaultTreeReader(), v2fd, blobs[index].digest);

  std::atomic<uint64_t> blobs_done{0};
  std::atomic<uint64_t> bytes_done{0};
  tbb::enumerable_thread_specific<std::vector<BlobVerdict>> verdicts;
  {
    ProgressTicker ticker(options.on_progress, totals, blobs_done, bytes_done);
    // One task per blob (simple_partitioner, grain 1): with the largest first, any coarser
    // split hands all the large blobs to one thread while the other runs out of work.
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, todo.size(), 1),
        [&](const tbb::blocked_range<size_t>& range) {
          for (size_t i = range.begin(); i != range.end(); ++i) {
            const BlobRecord& blob = blobs[todo[i]];
            BlobVerdict verdict = VerifyOne(blob, shards->Fd(blob.digest), options, &bytes_done);
            ++blobs_done;
            if (verdict.finding) verdicts.local().push_back(std::move(verdict));
          }
        },
        tbb::simple_partitioner());
  }
  for (auto& part : verdicts) {
    for (BlobVerdict& verdict : part) {
      if (verdict.corrupt) result.corrupt.push_back(Digest::Parse(verdict.finding->digest).value());
      result.findings.push_back(std::move(*verdict.finding));
    }
  }
  std::sort(result.corrupt.begin(), result.corrupt.end());
  std::sort(result.findings.begin(), result.findings.end(),
            [](const Finding& a, const Finding& b) { return a.path < b.path; });
  result.hashed = todo.size();
  result.bytes_hashed = bytes_done.load();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace regsweep::audit
