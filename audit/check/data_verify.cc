// Parallel blob hashing with one re-read of mismatches, state-file skips and progress.
#include "audit/check/data_verify.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "core/blob_scan.h"
#include "core/layout.h"
#include "core/periodic_thread.h"
#include "core/shard_folders.h"
#include "core/tree_reader.h"

namespace regsweep::audit {
namespace {

using Clock = std::chrono::steady_clock;

// Blobs of unknown size larger than this are hashed after the others, largest first.
constexpr uint64_t kDeferAbove = uint64_t{16} << 20;

// Reports progress from its own thread until stopped.
class ProgressTicker {
 public:
  ProgressTicker(const std::function<void(const HashProgress&)>& report, HashProgress totals,
                 const std::atomic<uint64_t>& blobs, const std::atomic<uint64_t>& bytes)
      : report_(report), totals_(totals), blobs_(blobs), bytes_(bytes) {
    if (report_) {
      ticker_.emplace(std::chrono::milliseconds(500), [this] { report_(Snapshot()); });
    }
  }
  ~ProgressTicker() {
    ticker_.reset();
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
  const std::function<void(const HashProgress&)>& report_;
  const HashProgress totals_;
  const std::atomic<uint64_t>& blobs_;
  const std::atomic<uint64_t>& bytes_;
  const Clock::time_point start_ = Clock::now();
  std::optional<PeriodicThread> ticker_;  // last: stopped before the rest goes
};

bool Unchanged(const GoodVerification& good, const BlobFacts& facts) {
  return good.inode == facts.inode && good.size == facts.size && good.mtime_ns == facts.mtime_ns;
}

std::string ReadProblem(const BlobRead& read) {
  std::string text(ReadStatusText(read.status));
  if (read.status == ReadStatus::kIoError) text += ": " + read.io.Text();
  return text;
}

// What the hashing threads gather, each its own.
struct ThreadResults {
  Findings findings;
  std::vector<Digest> corrupt;
  std::vector<uint32_t> deferred;  // blob indexes
};

// What a hashing open found of a blob's record, kept apart while the graph may read the record.
constexpr uint8_t kDataKnown = 1;
constexpr uint8_t kHasData = 2;

uint8_t RecordBits(const BlobRecord& blob) {
  return static_cast<uint8_t>((blob.data_known ? kDataKnown : 0) | (blob.has_data ? kHasData : 0));
}

// What the hashing open of a blob the scan did not examine found, as a stat would have. A read
// that failed after the open found a regular file leaves the data present (and unreadable).
void RecordOpenedData(const Layout& layout, const BlobRead& read, BlobRecord* blob,
                      BlobFacts* facts, FindingSink& sink) {
  FileStat data;
  IoStatus status;
  data.exists =
      read.opened || read.status == ReadStatus::kNotRegular || read.status == ReadStatus::kSymlink;
  data.type = read.opened                           ? EntryType::kRegular
              : read.status == ReadStatus::kSymlink ? EntryType::kSymlink
                                                    : EntryType::kOther;
  data.size = read.size;
  data.allocated = read.allocated;
  data.mtime_ns = read.mtime_ns;
  data.inode = read.inode;
  if (!data.exists && read.status != ReadStatus::kNotFound) {
    status = read.io.ok() ? IoStatus::FromErrno(EIO) : read.io;
  }
  RecordBlobData(layout, data, status, blob, facts, sink);
}

enum class Handled : uint8_t {
  kHashed,    // read (or found unreadable) and judged
  kNoData,    // a blob the scan did not examine turned out to hold no data to hash
  kDeferred,  // larger than defer_above: added to results.deferred
};

// Hashes one blob (through `reader`) and reports what is wrong with it. A blob the scan did not
// examine must have room for its facts (Inventory::MakeRoomForFacts): the open records them,
// and what it finds of the blob's record goes to the record, or, with `record_bits`, there.
Handled VerifyOne(uint32_t index, Inventory* inventory, TreeReader& reader,
                  const ShardFolders& shards, uint64_t defer_above, const VerifyOptions& options,
                  std::atomic<uint64_t>* progress, ThreadResults& results, uint8_t* record_bits) {
  BlobRecord copy;
  BlobRecord* blob = &inventory->blobs[index];
  if (record_bits != nullptr) {
    copy = *blob;
    blob = &copy;
  }
  const Layout& layout = shards.layout();
  auto finding = [&](Severity severity, const char* kind, std::string reason) {
    results.findings.push_back(Finding{severity, kind, layout.BlobData(blob->digest), std::string(),
                                       blob->digest.ToString(), std::move(reason)});
  };
  const Folder& folder = shards.Of(blob->digest);
  if (!folder.valid()) {
    finding(Severity::kError, "blob_unreadable",
            "its folder " + layout.BlobFolder(blob->digest) + " cannot be opened");
    return Handled::kHashed;
  }
  const std::string data = shards.DataIn(blob->digest);
  const BlobRead first = options.hash(reader, folder, data, blob->digest, defer_above, progress);
  if (!blob->data_known) {
    FindingSink sink(&results.findings);
    RecordOpenedData(layout, first, blob, &inventory->MutableFacts(*blob), sink);
    if (record_bits != nullptr) *record_bits = RecordBits(*blob);
    if (!blob->has_data) return Handled::kNoData;
  }
  if (first.status != ReadStatus::kOk) {
    finding(Severity::kError, "blob_unreadable", "blob data is " + ReadProblem(first));
    return Handled::kHashed;
  }
  if (first.deferred) {
    results.deferred.push_back(index);
    return Handled::kDeferred;
  }
  if (first.hash == blob->digest) {
    if (options.state != nullptr) {
      options.state->RecordGood(
          blob->digest, GoodVerification{first.inode, first.size, first.mtime_ns, options.now_ns});
    }
    return Handled::kHashed;
  }
  const BlobRead second = options.hash(reader, folder, data, blob->digest, kNeverDefer, progress);
  if (second.status == ReadStatus::kOk && second.hash == blob->digest) {
    finding(Severity::kWarning, "blob_read_unstable",
            "first read hashed to " + first.hash.ToString() + " (" + std::to_string(first.bytes) +
                " bytes); the second read matched the digest: check the disk and its cabling");
    return Handled::kHashed;
  }
  // Its good record, if any, is doubtful now: the blob is verified again on the next run.
  if (options.state != nullptr) options.state->RecordBad(blob->digest);
  if (second.status != ReadStatus::kOk) {
    // One read that did not match and one that failed confirm nothing: unreadable, never
    // corrupt (so never quarantined).
    finding(Severity::kError, "blob_unreadable",
            "the second read failed (" + ReadProblem(second) + "); the first hashed to " +
                first.hash.ToString() + " (" + std::to_string(first.bytes) +
                " bytes), not to its digest, which a second read must confirm");
    return Handled::kHashed;
  }
  results.corrupt.push_back(blob->digest);
  std::string reason = "content hashes to " + first.hash.ToString() + " (" +
                       std::to_string(first.bytes) + " bytes), not to its digest";
  if (!(second.hash == first.hash)) {
    reason += "; a second read hashed to yet another " + second.hash.ToString();
  } else {
    reason += "; confirmed by a second read";
  }
  finding(Severity::kError, "blob_digest_mismatch", std::move(reason));
  return Handled::kHashed;
}

}  // namespace

struct DataVerifier::Work {
  explicit Work(const VerifyOptions& options)
      : reader(options.reader != nullptr ? *options.reader : DefaultTreeReader()),
        shards(*options.layout) {}

  TreeReader& reader;
  ShardFolders shards;  // blobs are read below their folders, each opened once
  Clock::time_point start = Clock::now();
  std::atomic<uint64_t> blobs_done{0};
  std::atomic<uint64_t> bytes_done{0};
  tbb::enumerable_thread_specific<ThreadResults> results;
  std::vector<uint32_t> early;  // blob indexes, ascending
  // What the hashing open of early[i] found of its record (RecordBits), applied by Finish.
  std::vector<uint8_t> early_records;
  uint64_t early_hashed = 0;
};

DataVerifier::DataVerifier(Inventory* inventory, const Folder& v2, VerifyOptions options)
    : inventory_(inventory),
      v2_(v2),
      options_(std::move(options)),
      work_(std::make_unique<Work>(options_)) {}

DataVerifier::~DataVerifier() = default;

// One blob per task: with the largest first, any coarser split hands all the large blobs to one
// thread while the other runs out of work.
uint64_t DataVerifier::HashInParallel(const std::vector<uint32_t>& order, uint64_t defer_above,
                                      std::vector<uint8_t>* records) {
  Work& work = *work_;
  std::atomic<uint64_t> hashed{0};
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, order.size(), 1),
      [&](const tbb::blocked_range<size_t>& range) {
        ThreadResults& mine = work.results.local();
        for (size_t i = range.begin(); i != range.end(); ++i) {
          const Handled handled =
              VerifyOne(order[i], inventory_, work.reader, work.shards, defer_above, options_,
                        &work.bytes_done, mine, records != nullptr ? &(*records)[i] : nullptr);
          if (handled == Handled::kHashed) ++hashed;
          if (handled != Handled::kDeferred) ++work.blobs_done;
        }
      },
      tbb::simple_partitioner());
  return hashed.load();
}

void DataVerifier::PickEarly() {
  if (options_.subset.mode != DataSubset::Mode::kAll || options_.state != nullptr ||
      options_.on_progress) {
    return;
  }
  const std::vector<BlobRecord>& blobs = inventory_->blobs;
  // The manifests the graph loads first.
  std::vector<uint8_t> loaded_first(blobs.size(), 0);
  auto note = [&](const Digest& digest) {
    if (const BlobRecord* blob = inventory_->FindBlob(digest))
      loaded_first[blob - blobs.data()] = 1;
  };
  for (const RepositoryRecord& record : inventory_->repositories) {
    for (const RevisionRecord& revision : record.revisions) {
      note(revision.digest);
      if (revision.other_target) note(*revision.other_target);
    }
    for (const TagRecord& tag : record.tags) {
      if (tag.current_state == LinkState::kOk) note(tag.current);
    }
  }
  for (uint32_t i = 0; i < blobs.size(); ++i) {
    if (loaded_first[i] == 0 && !blobs[i].data_known) work_->early.push_back(i);
  }
  inventory_->MakeRoomForFacts(work_->early);
  work_->early_records.assign(work_->early.size(), 0);
}

void DataVerifier::HashEarly() {
  if (work_->early.empty()) return;
  work_->start = Clock::now();
  for (const uint32_t index : work_->early) work_->shards.Want(inventory_->blobs[index].digest);
  // A folder that cannot be opened leaves its blobs unread (VerifyOne says why).
  work_->shards.OpenWanted(work_->reader, v2_);
  work_->early_hashed = HashInParallel(work_->early, kDeferAbove, &work_->early_records);
}

VerifyResult DataVerifier::Finish(
    const std::vector<std::pair<uint32_t, uint64_t>>& already_verified) {
  VerifyResult result;
  Work& work = *work_;
  if (work.early.empty()) work.start = Clock::now();
  std::vector<BlobRecord>& blobs = inventory_->blobs;
  for (size_t i = 0; i < work.early.size(); ++i) {
    BlobRecord& blob = blobs[work.early[i]];
    blob.data_known = (work.early_records[i] & kDataKnown) != 0;
    blob.has_data = (work.early_records[i] & kHasData) != 0;
  }
  const std::vector<size_t> selected = SelectBlobs(blobs, options_.subset, options_.seed);
  std::vector<uint32_t> todo;     // sizes known
  std::vector<uint32_t> unknown;  // data not examined by the scan
  HashProgress totals;
  uint64_t verified_blobs = 0;
  uint64_t verified_bytes = 0;
  result.selected = selected.size();
  result.hashed = work.early_hashed;
  // `selected`, `early` and `already_verified` ascend by blob index: one walk over each.
  auto early = work.early.begin();
  auto verified = already_verified.begin();
  for (const size_t index : selected) {
    BlobRecord& blob = blobs[index];
    while (early != work.early.end() && *early < index) ++early;
    if (early != work.early.end() && *early == index) {
      // Hashed early, or put off (large) and hashed below with its known size; one that turned
      // out to hold no data was never a candidate.
      result.selected -= blob.has_data ? 0 : 1;
      continue;
    }
    while (verified != already_verified.end() && verified->first < index) ++verified;
    if (verified != already_verified.end() && verified->first == index) {
      if (!blob.data_known) {  // a regular file of that size, as the graph's read found
        blob.data_known = true;
        blob.has_data = true;
        inventory_->FactsToFill(static_cast<uint32_t>(index)).size = verified->second;
      }
      ++result.hashed;
      ++verified_blobs;
      verified_bytes += verified->second;
      continue;
    }
    if (!blob.data_known) {
      unknown.push_back(static_cast<uint32_t>(index));
      continue;
    }
    const BlobFacts& facts = inventory_->Facts(blob);
    const GoodVerification* good =
        options_.state != nullptr ? options_.state->Find(blob.digest) : nullptr;
    if (good != nullptr && options_.max_age_ns >= 0 && Unchanged(*good, facts) &&
        good->verified_ns >= options_.now_ns - options_.max_age_ns) {
      ++result.skipped;
      continue;
    }
    todo.push_back(static_cast<uint32_t>(index));
    totals.bytes_total += facts.size;
  }
  // The opens that hash the blobs the scan did not examine record their facts.
  inventory_->MakeRoomForFacts(unknown);
  // Blobs already verified, or hashed early, count as done from the start.
  totals.blobs_total = verified_blobs + todo.size() + unknown.size() + work.early.size();
  totals.bytes_total += verified_bytes;
  work.blobs_done += verified_blobs;
  work.bytes_done += verified_bytes;

  for (const std::vector<uint32_t>* part : {&todo, &unknown}) {
    for (const uint32_t index : *part) work.shards.Want(blobs[index].digest);
  }
  work.shards.OpenWanted(work.reader, v2_);
  {
    ProgressTicker ticker(options_.on_progress, totals, work.blobs_done, work.bytes_done);
    // Blobs of unknown size are hashed in digest order as their open reveals them; the large
    // ones (and those the early hashing put off) are put off to join the others, which are
    // hashed largest first.
    result.hashed += HashInParallel(unknown, kDeferAbove, /*records=*/nullptr);
    for (const ThreadResults& part : work.results) {
      todo.insert(todo.end(), part.deferred.begin(), part.deferred.end());
    }
    std::stable_sort(todo.begin(), todo.end(), [&](uint32_t a, uint32_t b) {
      return inventory_->Facts(blobs[a]).size > inventory_->Facts(blobs[b]).size;
    });
    result.hashed += HashInParallel(todo, kNeverDefer, /*records=*/nullptr);
  }
  // Blobs the subset picked that turned out to hold no data were never candidates.
  for (const uint32_t index : unknown) result.selected -= blobs[index].has_data ? 0 : 1;
  for (ThreadResults& part : work.results) {
    result.corrupt.insert(result.corrupt.end(), part.corrupt.begin(), part.corrupt.end());
    result.findings.insert(result.findings.end(), std::make_move_iterator(part.findings.begin()),
                           std::make_move_iterator(part.findings.end()));
  }
  std::sort(result.corrupt.begin(), result.corrupt.end());
  std::sort(result.findings.begin(), result.findings.end(),
            [](const Finding& a, const Finding& b) { return a.path < b.path; });
  result.bytes_hashed = work.bytes_done.load();
  result.seconds = std::chrono::duration<double>(Clock::now() - work.start).count();
  return result;
}

}  // namespace regsweep::audit
