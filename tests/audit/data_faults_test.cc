// Faults during `audit --verify-data --quarantine`, injected at the seams: a blob stream that
// fails (at its open, or part way through its bytes; core/tree_reader.h) makes that blob
// `blob_unreadable` and never `blob_digest_mismatch`, so it is never quarantined; a quarantine
// move the storage refuses (core/storage.h) is reported and changes nothing else.
//
// TBB runs on one thread here so that "the k-th read" is the same read in every run.
#include <tbb/global_control.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/storage.h"
#include "core/tree_reader.h"
#include "tests/audit/audit_fixture.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/faulty_tree_reader.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;
using regsweep::testing::FaultyStorage;
using regsweep::testing::FaultyTreeReader;

// The parameter: whether the scan examines the blobs' data first (as with a progress display)
// or leaves that to the hashing open.
class AuditFaultTest : public testing::AuditTest, public ::testing::WithParamInterface<bool> {
 protected:
  AuditFaultTest() {
    const auto image = builder_.PushImage("apps/web", {"layer-one", "layer-two", "layer-three"});
    builder_.Tag("apps/web", "1", image.digest);
    builder_.AddBlob(std::string(size_t{3} << 20, 'L'));  // hashed from mappings
    corrupt_ =
        distribution::BlobData(HashBytes(DigestAlgorithm::kSha256, std::string("layer-two")));
    // One byte flipped in place, keeping the size.
    std::fstream file((builder_.v2() / corrupt_).string(),
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(2);
    file.put('X');
  }

  AuditOptions VerifyAndQuarantine(TreeReader* reader) const {
    AuditOptions options;
    options.verify_data = true;
    options.quarantine_dir = (dir_.path() / "quarantine").string();
    options.reader_override = reader;
    if (GetParam()) options.on_progress = [](const HashProgress&) {};
    return options;
  }
  // Puts a quarantined blob back, so that every run starts from the same tree.
  void Restore(const AuditOutcome& outcome) {
    for (const std::string& path : outcome.quarantined) {
      fs::rename(dir_.path() / "quarantine" / path, builder_.v2() / path);
    }
  }
  // The number of OpenStream calls an undisturbed run makes, and their positions among all its
  // reads (1-based).
  std::vector<int> StreamOpens() {
    FaultyTreeReader counting;
    Restore(Audit(VerifyAndQuarantine(&counting)));
    const std::vector<std::string> calls = counting.calls();
    std::vector<int> opens;
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].rfind("open_stream ", 0) == 0) opens.push_back(static_cast<int>(i + 1));
    }
    return opens;
  }

  // Runs the audit with `reader`; checks that exactly one blob's data is unreadable (reported by
  // the data check, or, when its hashing open was its first examination, as the scan would) and
  // that it is neither reported corrupt nor moved. Returns its path ("" when the check failed).
  std::string ExpectOneUnreadableNeverCorrupt(FaultyTreeReader& reader, const std::string& what) {
    const auto before = testing::SnapshotTree(builder_.root());
    const AuditOutcome outcome = Audit(VerifyAndQuarantine(&reader));
    Restore(outcome);
    EXPECT_EQ(before, testing::SnapshotTree(builder_.root())) << what;
    std::vector<std::string> unreadable;
    for (const Finding& f : outcome.findings) {
      if (f.kind == "blob_unreadable" ||
          (f.kind == "unreadable" && f.path.rfind("blobs/", 0) == 0)) {
        unreadable.push_back(f.path);
      }
    }
    EXPECT_EQ(unreadable.size(), 1u) << what << Describe(outcome);
    if (unreadable.size() != 1) return "";
    const std::string& broken = unreadable[0];
    for (const Finding& f : outcome.findings) {
      if (f.kind == "blob_digest_mismatch" || f.kind == "blob_read_unstable") {
        EXPECT_NE(f.path, broken) << what << ": " << f.ToLine();
      }
    }
    EXPECT_EQ(std::count(outcome.quarantined.begin(), outcome.quarantined.end(), broken), 0)
        << what;
    // The blob that is really corrupt is still found and moved, unless its read was the one
    // that failed.
    const bool corrupt_found = Find(outcome, "blob_digest_mismatch", corrupt_) != nullptr;
    EXPECT_EQ(corrupt_found, broken != corrupt_) << what << Describe(outcome);
    EXPECT_EQ(outcome.quarantined,
              corrupt_found ? std::vector<std::string>{corrupt_} : std::vector<std::string>{})
        << what;
    EXPECT_EQ(outcome.exit_code, 1) << what;
    return broken;
  }

  tbb::global_control one_thread_{tbb::global_control::max_allowed_parallelism, 1};
  std::string corrupt_;  // the data path of the corrupt blob
};

// Every blob stream in turn fails after handing over half its bytes: a part of a blob is never
// hashed as if it were the whole, and a failed second read does not confirm a mismatch.
TEST_P(AuditFaultTest, AStreamThatBreaksPartWayMakesItsBlobUnreadableNeverCorrupt) {
  const auto streams = static_cast<int>(StreamOpens().size());
  ASSERT_GE(streams, 6) << "three layers, the config, the large blob, the corrupt one twice";
  std::multiset<std::string> broken;
  for (int k = 1; k <= streams; ++k) {
    FaultyTreeReader reader(k, FaultyTreeReader::Mode::kBreakStream, EIO);
    broken.insert(ExpectOneUnreadableNeverCorrupt(reader, "stream " + std::to_string(k)));
  }
  EXPECT_EQ(broken.count(corrupt_), 2u) << "its first and its second read broke";
  EXPECT_EQ(std::set<std::string>(broken.begin(), broken.end()).size() + 1,
            static_cast<size_t>(streams))
      << "every other stream is another blob";
}

// Every open of a blob stream in turn fails with EIO.
TEST_P(AuditFaultTest, AStreamThatCannotBeOpenedMakesItsBlobUnreadableNeverCorrupt) {
  const std::vector<int> opens = StreamOpens();
  ASSERT_GE(opens.size(), 6u);
  std::multiset<std::string> broken;
  for (const int k : opens) {
    FaultyTreeReader reader(k, FaultyTreeReader::Mode::kFail, EIO);
    broken.insert(ExpectOneUnreadableNeverCorrupt(reader, "read " + std::to_string(k)));
  }
  EXPECT_EQ(broken.count(corrupt_), 2u) << "its first and its second open failed";
}

TEST_P(AuditFaultTest, AFailedQuarantineMoveIsReportedAndChangesNothingElse) {
  AuditOptions plain = VerifyAndQuarantine(nullptr);
  plain.quarantine_dir.clear();
  const AuditOutcome unmoved = AuditReadOnly(plain);
  ASSERT_NE(Find(unmoved, "blob_digest_mismatch", corrupt_), nullptr);

  IoStatus status;
  const Folder v2 = OpenRootFolder(builder_.v2().string(), &status);
  PosixStorage real(v2);
  FaultyStorage storage(real, /*fail_at=*/1, EIO);
  AuditOptions options = VerifyAndQuarantine(nullptr);
  options.storage_override = &storage;
  const AuditOutcome outcome = AuditReadOnly(options);  // the tree is unchanged
  EXPECT_EQ(storage.calls(), std::vector<std::string>{"rename " + corrupt_});
  const Finding* failed = Find(outcome, "quarantine_failed", corrupt_);
  ASSERT_NE(failed, nullptr) << Describe(outcome);
  EXPECT_EQ(failed->severity, Severity::kError);
  EXPECT_NE(failed->reason.find("injected failure"), std::string::npos) << failed->reason;
  EXPECT_TRUE(outcome.quarantined.empty());
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_.path() / "quarantine" / corrupt_));
  // Every other finding is what the audit without --quarantine reported.
  std::vector<std::string> expected;
  std::vector<std::string> got;
  for (const Finding& f : unmoved.findings) expected.push_back(f.ToLine());
  for (const Finding& f : outcome.findings) {
    if (&f != failed) got.push_back(f.ToLine());
  }
  EXPECT_EQ(got, expected);

  // The same move through the real storage succeeds.
  const AuditOutcome moved = Audit(VerifyAndQuarantine(nullptr));
  EXPECT_EQ(moved.quarantined, std::vector<std::string>{corrupt_});
  EXPECT_TRUE(fs::exists(dir_.path() / "quarantine" / corrupt_));
  EXPECT_FALSE(fs::exists(builder_.v2() / corrupt_));
}

INSTANTIATE_TEST_SUITE_P(ScanOrHashingExaminesData, AuditFaultTest, ::testing::Bool(),
                         [](const auto& param_info) {
                           return param_info.param ? "ScanStatsData" : "HashingOpenExaminesData";
                         });

}  // namespace
}  // namespace regsweep::audit
