// Tests for --verify-data: corrupt blobs are found and confirmed by a second read, subsets
// partition the blobs, the state file skips what it should, and --quarantine moves (never
// deletes) corrupt data.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "audit/check/data_subset.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "tests/audit/audit_fixture.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;

class AuditDataTest : public testing::AuditTest {
 protected:
  AuditDataTest() {
    const auto image = builder_.PushImage("apps/web", {"layer-one", "layer-two", "layer-three"});
    builder_.Tag("apps/web", "1", image.digest);
  }

  static Digest Sha(const std::string& content) {
    return HashBytes(DigestAlgorithm::kSha256, content);
  }
  fs::path DataPath(const Digest& digest) const {
    return builder_.v2() / distribution::BlobData(digest);
  }
  // Flips one byte in place, keeping the size.
  void FlipByte(const Digest& digest) {
    std::fstream file(DataPath(digest).string(), std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    file.seekg(2);
    file.get(c);
    file.seekp(2);
    file.put(static_cast<char>(c ^ 0x20));
  }
  static AuditOptions Verify() {
    AuditOptions options;
    options.verify_data = true;
    return options;
  }
};

TEST_F(AuditDataTest, CleanDataVerifies) {
  const AuditOutcome outcome = AuditReadOnly(Verify());
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_EQ(outcome.verify.hashed, outcome.counts.blobs);
  EXPECT_EQ(outcome.verify.bytes_hashed, outcome.counts.blob_bytes);
}

TEST_F(AuditDataTest, FlippedByteInALayerIsConfirmedAndReported) {
  const Digest layer = Sha("layer-two");
  FlipByte(layer);
  EXPECT_TRUE(Clean(AuditReadOnly())) << "structure alone cannot see a flipped byte";
  const AuditOutcome outcome = AuditReadOnly(Verify());
  const Finding* finding = Find(outcome, "blob_digest_mismatch", distribution::BlobData(layer));
  ASSERT_NE(finding, nullptr) << Describe(outcome);
  EXPECT_EQ(finding->severity, Severity::kError);
  EXPECT_EQ(finding->digest, layer.ToString());
  EXPECT_NE(finding->reason.find("confirmed by a second read"), std::string::npos);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.verify.corrupt, std::vector<Digest>{layer});
}

TEST_F(AuditDataTest, MismatchIsReadAgainBeforeItIsReported) {
  const Digest layer = Sha("layer-one");
  int reads = 0;
  AuditOptions options = Verify();
  // The storage returns bad bytes for the first read of one blob only.
  options.hash = [&](TreeReader& reader, const Folder& shard, const std::string& data,
                     const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
    BlobRead read = HashBlobData(reader, shard, data, name, defer_above, progress);
    if (name == layer && reads++ == 0) read.hash = Sha("garbage");
    return read;
  };
  const AuditOutcome outcome = AuditReadOnly(options);
  EXPECT_EQ(reads, 2);
  const Finding* finding = Find(outcome, "blob_read_unstable", distribution::BlobData(layer));
  ASSERT_NE(finding, nullptr) << Describe(outcome);
  EXPECT_EQ(finding->severity, Severity::kWarning);
  EXPECT_NE(finding->reason.find("second read matched"), std::string::npos);
  EXPECT_EQ(outcome.Count(Severity::kError), 0u);
  EXPECT_EQ(outcome.exit_code, 0);
}

// Blobs are hashed largest first; while the largest is still being hashed, every other blob
// must get hashed by the other thread, however the blobs were split between the threads (a
// coarse split once left a large layer tree hashed on one core only).
TEST_F(AuditDataTest, NoBlobWaitsBehindALargeOne) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs two threads";
  builder_.AddBlob(std::string(64 << 10, 'L'));  // the largest blob
  for (int i = 0; i < 40; ++i) builder_.AddBlob("small blob " + std::to_string(i));
  const Digest largest = Sha(std::string(64 << 10, 'L'));
  std::mutex mutex;
  std::condition_variable progressed;
  size_t others_hashed = 0;
  size_t others_total = 0;
  bool others_done_in_time = false;
  AuditOptions options = Verify();
  options.hash = [&](TreeReader& reader, const Folder& shard, const std::string& data,
                     const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
    if (name == largest) {
      // Holds its thread until all other blobs are hashed, or gives up after 30 s.
      std::unique_lock<std::mutex> lock(mutex);
      others_done_in_time = progressed.wait_for(lock, std::chrono::seconds(30), [&] {
        return others_total != 0 && others_hashed == others_total;
      });
      return HashBlobData(reader, shard, data, name, defer_above, progress);
    }
    BlobRead read = HashBlobData(reader, shard, data, name, defer_above, progress);
    std::lock_guard<std::mutex> lock(mutex);
    ++others_hashed;
    progressed.notify_all();
    return read;
  };
  // Every blob but the largest and the tagged image's manifest (which the graph verified).
  for (const auto& shard : fs::directory_iterator(builder_.v2() / "blobs/sha256")) {
    others_total += static_cast<size_t>(
        std::distance(fs::directory_iterator(shard.path()), fs::directory_iterator()));
  }
  others_total -= 2;
  // With a progress display the scan learns every size first, so the largest blob goes first.
  options.on_progress = [](const HashProgress&) {};
  const AuditOutcome outcome = AuditReadOnly(options);
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_TRUE(others_done_in_time) << others_hashed << " of " << others_total
                                   << " other blobs hashed while the largest was held";
}

TEST_F(AuditDataTest, ProgressIsReportedFromItsOwnThreadWhileHashing) {
  // The first blob's hash waits for a progress report, so the reporting thread always runs
  // alongside the hashing threads (which scripts/tsan.sh checks for races).
  std::mutex mutex;
  std::condition_variable reported;
  std::vector<std::pair<HashProgress, std::thread::id>> reports;
  std::atomic<bool> first{true};
  AuditOptions options = Verify();
  options.on_progress = [&](const HashProgress& progress) {
    std::lock_guard<std::mutex> lock(mutex);
    reports.emplace_back(progress, std::this_thread::get_id());
    reported.notify_all();
  };
  options.hash = [&](TreeReader& reader, const Folder& shard, const std::string& data,
                     const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
    if (first.exchange(false)) {
      std::unique_lock<std::mutex> lock(mutex);
      reported.wait_for(lock, std::chrono::seconds(30), [&] { return !reports.empty(); });
    }
    return HashBlobData(reader, shard, data, name, defer_above, progress);
  };
  const AuditOutcome outcome = AuditReadOnly(options);
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  ASSERT_GE(reports.size(), 2u) << "one report while hashing, one at the end";
  EXPECT_NE(reports.front().second, std::this_thread::get_id());
  EXPECT_LT(reports.front().first.blobs_done, reports.front().first.blobs_total);
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].first.blobs_done, reports[i - 1].first.blobs_done);
    EXPECT_GE(reports[i].first.bytes_done, reports[i - 1].first.bytes_done);
  }
  const HashProgress& last = reports.back().first;
  EXPECT_EQ(reports.back().second, std::this_thread::get_id());
  EXPECT_EQ(last.blobs_done, outcome.verify.hashed);
  EXPECT_EQ(last.blobs_done, last.blobs_total);
  EXPECT_EQ(last.bytes_done, last.bytes_total);
}

TEST(AuditDataSubsetTest, BucketsPartitionTheBlobs) {
  std::vector<BlobRecord> blobs;
  for (int i = 0; i < 600; ++i) {
    BlobRecord blob;
    blob.digest = HashBytes(DigestAlgorithm::kSha256, "blob " + std::to_string(i));
    blob.has_data = true;
    blobs.push_back(blob);
  }
  for (const uint32_t t : {1u, 2u, 3u, 7u, 16u, 255u, 256u}) {
    std::multiset<size_t> seen;
    for (uint32_t n = 1; n <= t; ++n) {
      std::string why;
      const auto subset = ParseDataSubset(std::to_string(n) + "/" + std::to_string(t), &why);
      ASSERT_TRUE(subset) << why;
      for (const size_t index : SelectBlobs(blobs, *subset, 1)) {
        EXPECT_TRUE(InBucket(blobs[index].digest, n, t));
        seen.insert(index);
      }
    }
    ASSERT_EQ(seen.size(), blobs.size()) << "t=" << t;
    for (size_t i = 0; i < blobs.size(); ++i) EXPECT_EQ(seen.count(i), 1u) << "t=" << t;
  }
  std::string why;
  EXPECT_EQ(SelectBlobs(blobs, *ParseDataSubset("10%", &why), 7).size(), 60u);
  EXPECT_EQ(SelectBlobs(blobs, *ParseDataSubset("0.01%", &why), 7).size(), 1u);
  EXPECT_EQ(SelectBlobs(blobs, *ParseDataSubset("100%", &why), 7).size(), 600u);
  for (const char* bad : {"0/3", "4/3", "1/257", "0%", "101%", "x", "1/", "%"}) {
    EXPECT_FALSE(ParseDataSubset(bad, &why)) << bad;
  }
}

// When every blob is hashed (no state file, no progress estimate), the scan does not stat blob
// data: the hashing open examines it. What that open finds must be what the scan's stat would
// have found: the same findings, sizes and orphans, and a FIFO never blocks.
TEST_F(AuditDataTest, HashingExaminesBlobDataAsTheScanWould) {
  const Digest missing = builder_.AddBlob("data removed").digest;
  const Digest directory = builder_.AddBlob("data replaced by a folder").digest;
  const Digest fifo = builder_.AddBlob("data replaced by a fifo").digest;
  builder_.AddBlob("an orphan with data");
  fs::remove(DataPath(missing));
  fs::remove(DataPath(directory));
  fs::create_directory(DataPath(directory));
  fs::remove(DataPath(fifo));
  ASSERT_EQ(mkfifo(DataPath(fifo).c_str(), 0644), 0);

  AuditOptions options = Verify();
  options.hash = RecordingHash();
  const AuditOutcome hashed = AuditReadOnly(options);
  const AuditOutcome scanned = AuditReadOnly();
  EXPECT_EQ(hashed_.count(missing), 1u) << "the hashing open examined the blob's data";

  auto data_findings = [](const AuditOutcome& outcome) {
    std::set<std::string> lines;
    for (const Finding& f : outcome.findings) {
      if (f.kind != "blob_unreadable" && f.kind.find("digest") == std::string::npos) {
        lines.insert(f.ToLine());
      }
    }
    return lines;
  };
  EXPECT_EQ(data_findings(hashed), data_findings(scanned)) << Describe(hashed);
  ASSERT_NE(Find(hashed, "missing_blob_data", distribution::BlobData(missing)), nullptr);
  ASSERT_NE(Find(hashed, "bad_blob", distribution::BlobData(directory)), nullptr);
  ASSERT_NE(Find(hashed, "bad_blob", distribution::BlobData(fifo)), nullptr);
  EXPECT_EQ(Find(hashed, "blob_unreadable", distribution::BlobData(fifo)), nullptr);
  EXPECT_EQ(hashed.counts.blob_bytes, scanned.counts.blob_bytes);
  EXPECT_EQ(hashed.counts.orphan_blobs, scanned.counts.orphan_blobs);
  EXPECT_EQ(hashed.counts.orphan_bytes, scanned.counts.orphan_bytes);
  EXPECT_EQ(hashed.verify.hashed, hashed.counts.blobs - 3) << "three blobs hold no data";
  EXPECT_EQ(hashed.verify.selected, hashed.verify.hashed);
  EXPECT_EQ(hashed.verify.bytes_hashed, hashed.counts.blob_bytes);

  // With a progress estimate the sizes are needed first: the scan stats, and a blob without
  // data is never opened.
  hashed_.clear();
  options.on_progress = [](const HashProgress&) {};
  const AuditOutcome estimated = AuditReadOnly(options);
  EXPECT_EQ(hashed_.count(missing), 0u);
  EXPECT_EQ(data_findings(estimated), data_findings(scanned));
}

// The graph checks every manifest it loads against its digest; the data check trusts that and
// does not read those blobs again, unless a state file wants their inode and age. A manifest
// whose bytes do not match is not trusted: the data check reads it too.
TEST_F(AuditDataTest, ManifestsTheGraphVerifiedAreNotReadAgain) {
  const auto other = builder_.PushImage("apps/web", {"layer-four"});
  builder_.Tag("apps/web", "2", other.digest);
  const Digest tagged = builder_.PushImage("apps/web", {"layer-one"}).digest;  // the same image
  std::ofstream(DataPath(other.digest).string(), std::ios::app) << " ";  // no longer its digest
  AuditOptions options = Verify();
  options.hash = RecordingHash();
  const AuditOutcome outcome = AuditReadOnly(options);
  EXPECT_EQ(hashed_.count(tagged), 0u) << "verified by the graph";
  EXPECT_EQ(hashed_.count(Sha("layer-one")), 1u);
  EXPECT_EQ(hashed_.count(other.digest), 2u) << "a mismatch is read, and read again to confirm";
  EXPECT_NE(Find(outcome, "manifest_digest_mismatch", distribution::BlobData(other.digest)),
            nullptr)
      << Describe(outcome);
  EXPECT_NE(Find(outcome, "blob_digest_mismatch", distribution::BlobData(other.digest)), nullptr);
  EXPECT_EQ(outcome.verify.hashed, outcome.counts.blobs);
  EXPECT_EQ(outcome.verify.bytes_hashed,
            outcome.counts.blob_bytes + fs::file_size(DataPath(other.digest)))
      << "every blob once, the mismatch twice";

  hashed_.clear();
  options.state_path = (dir_.path() / "state").string();
  const AuditOutcome with_state = AuditReadOnly(options);
  EXPECT_EQ(hashed_.count(tagged), 1u) << "the state file records what a read found";
  EXPECT_EQ(with_state.verify.hashed, with_state.counts.blobs);
}

// Blobs whose size only their open reveals are hashed as they come, except the large ones,
// which are put off until every other blob is done (then hashed largest first).
TEST_F(AuditDataTest, LargeBlobsOfUnknownSizeAreHashedLast) {
  const std::string large(size_t{17} << 20, 'x');
  const Digest big = builder_.AddBlob(large).digest;
  for (int i = 0; i < 20; ++i) builder_.AddBlob("small " + std::to_string(i));
  std::mutex mutex;
  std::vector<std::pair<Digest, bool>> calls;  // name, deferred
  AuditOptions options = Verify();
  options.hash = [&](TreeReader& reader, const Folder& shard, const std::string& data,
                     const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
    BlobRead read = HashBlobData(reader, shard, data, name, defer_above, progress);
    std::lock_guard<std::mutex> lock(mutex);
    calls.emplace_back(name, read.deferred);
    return read;
  };
  const AuditOutcome outcome = AuditReadOnly(options);
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_EQ(outcome.verify.bytes_hashed, outcome.counts.blob_bytes);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(big, false)) << "the large blob is hashed last";
  EXPECT_EQ(std::count(calls.begin(), calls.end(), std::make_pair(big, true)), 1)
      << "its first open only examined it";
  std::set<Digest> names;
  for (const auto& call : calls) names.insert(call.first);
  EXPECT_EQ(calls.size(), names.size() + 1) << "only the large blob is opened twice";
}

TEST_F(AuditDataTest, SubsetRunsCoverEveryBlobOnce) {
  uint64_t hashed = 0;
  for (uint32_t n = 1; n <= 3; ++n) {
    AuditOptions options = Verify();
    options.subset.mode = DataSubset::Mode::kBucket;
    options.subset.bucket = n;
    options.subset.buckets = 3;
    hashed += AuditReadOnly(options).verify.hashed;
  }
  EXPECT_EQ(hashed, Audit().counts.blobs);
}

TEST_F(AuditDataTest, StateFileSkipsRecentUnchangedBlobsAndRereadsChangedOnes) {
  const std::string state = (dir_.path() / "state").string();
  AuditOptions options = Verify();
  options.state_path = state;
  options.max_age_ns = int64_t{3600} * 1000000000;
  const AuditOutcome first = Audit(options);
  EXPECT_TRUE(Clean(first)) << Describe(first);
  EXPECT_EQ(first.verify.skipped, 0u);
  const uint64_t blobs = first.verify.hashed;

  const AuditOutcome second = AuditReadOnly(options);
  EXPECT_EQ(second.verify.skipped, blobs);
  EXPECT_EQ(second.verify.hashed, 0u);

  // A changed mtime means the blob is verified again.
  const Digest layer = Sha("layer-three");
  const struct timespec times[2] = {{1500000000, 0}, {1500000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, DataPath(layer).c_str(), times, 0), 0);
  const AuditOutcome third = Audit(options);
  EXPECT_EQ(third.verify.hashed, 1u);
  EXPECT_EQ(third.verify.skipped, blobs - 1);

  // Past --max-age everything is verified again.
  options.now_ns = kNow + int64_t{7200} * 1000000000;
  EXPECT_EQ(Audit(options).verify.hashed, blobs);

  // A blob found corrupt is verified again on every run, even when its inode, size and
  // mtime are back to those of its last good verification.
  options.now_ns += 1;
  FlipByte(layer);
  for (int run = 0; run < 2; ++run) {
    const AuditOutcome outcome = Audit(options);
    EXPECT_NE(Find(outcome, "blob_digest_mismatch", distribution::BlobData(layer)), nullptr);
    EXPECT_EQ(outcome.verify.hashed, 1u) << "run " << run;
    ASSERT_EQ(utimensat(AT_FDCWD, DataPath(layer).c_str(), times, 0), 0);
  }
}

TEST_F(AuditDataTest, StateFileSurvivesAKilledRun) {
  const std::string state = (dir_.path() / "state").string();
  // What a run killed after two blobs leaves: its header, two lines and a partial third.
  const auto blob_one = Sha("layer-one");
  const auto blob_two = Sha("layer-two");
  struct stat one;
  struct stat two;
  ASSERT_EQ(stat(DataPath(blob_one).c_str(), &one), 0);
  ASSERT_EQ(stat(DataPath(blob_two).c_str(), &two), 0);
  auto line = [&](const Digest& digest, const struct stat& st) {
    return "good " + digest.ToString() + " " + std::to_string(st.st_ino) + " " +
           std::to_string(st.st_size) + " " +
           std::to_string(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                          st.st_mtim.tv_nsec) +
           " " + std::to_string(kNow) + "\n";
  };
  std::ofstream(state) << "# regsweep audit state v1\n"
                       << line(blob_one, one) << line(blob_two, two) << "good sha256:12";
  AuditOptions options = Verify();
  options.state_path = state;
  options.max_age_ns = int64_t{3600} * 1000000000;
  const AuditOutcome outcome = Audit(options);
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_EQ(outcome.verify.skipped, 2u);
}

TEST_F(AuditDataTest, QuarantineMovesCorruptDataAndNeverDeletes) {
  const Digest layer = Sha("layer-two");
  FlipByte(layer);
  std::ifstream corrupt_in(DataPath(layer).string(), std::ios::binary);
  const std::string corrupt((std::istreambuf_iterator<char>(corrupt_in)), {});
  auto before = testing::SnapshotTree(builder_.root());

  AuditOptions options = Verify();
  options.quarantine_dir = (dir_.path() / "quarantine").string();
  const AuditOutcome outcome = Audit(options);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.quarantined, std::vector<std::string>{distribution::BlobData(layer)});
  EXPECT_NE(Find(outcome, "blob_quarantined", distribution::BlobData(layer)), nullptr);

  const fs::path moved = dir_.path() / "quarantine" / distribution::BlobData(layer);
  std::ifstream moved_in(moved.string(), std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(moved_in)), {}), corrupt);
  // The only change to the tree: that one data file is gone.
  before.erase("/docker/registry/v2/" + distribution::BlobData(layer));
  EXPECT_EQ(before, testing::SnapshotTree(builder_.root()));

  // The registry now lacks the blob, which a structural audit reports.
  const AuditOutcome after = AuditReadOnly();
  EXPECT_NE(Find(after, "blob_missing", distribution::BlobData(layer)), nullptr) << Describe(after);
}

// A layer larger than 1 MiB is hashed from mappings (core/posix_blob_stream.h): the whole of
// it, and one changed byte far into it is found and confirmed.
TEST_F(AuditDataTest, LargeLayerIsHashedAndItsCorruptionConfirmed) {
  std::string large(size_t{5} << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 2654435761U) >> 13);
  const Digest layer = Sha(large);
  builder_.Tag("apps/big", "1", builder_.PushImage("apps/big", {large, "small"}).digest);
  const AuditOutcome clean = AuditReadOnly(Verify());
  EXPECT_TRUE(Clean(clean)) << Describe(clean);
  EXPECT_EQ(clean.verify.bytes_hashed, clean.counts.blob_bytes);

  // One byte changed past the first mapping window's first page.
  std::fstream file(DataPath(layer).string(), std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(large.size() - 7));
  file.put(static_cast<char>(large[large.size() - 7] ^ 1));
  file.close();
  const AuditOutcome outcome = AuditReadOnly(Verify());
  const Finding* finding = Find(outcome, "blob_digest_mismatch", distribution::BlobData(layer));
  ASSERT_NE(finding, nullptr) << Describe(outcome);
  EXPECT_NE(finding->reason.find("confirmed by a second read"), std::string::npos);
  EXPECT_NE(finding->reason.find("(" + std::to_string(large.size()) + " bytes)"), std::string::npos)
      << finding->reason;
}

TEST_F(AuditDataTest, FlagCombinationsThatCannotRun) {
  AuditOptions state_only;
  state_only.state_path = (dir_.path() / "state").string();
  EXPECT_EQ(Audit(state_only).exit_code, 2);
  AuditOptions max_age = Verify();
  max_age.max_age_ns = 1;
  EXPECT_EQ(Audit(max_age).exit_code, 2);
  AuditOptions inside = Verify();
  inside.quarantine_dir = (builder_.v2() / "blobs").string();
  EXPECT_EQ(Audit(inside).exit_code, 2);
}

}  // namespace
}  // namespace regsweep::audit
