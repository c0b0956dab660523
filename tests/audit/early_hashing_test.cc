// Tests for hashing blob data while the graph is built (DataVerifier's early hashing, run by
// RegistryRun::Read beside Graph::Build): which blobs go early, that what a hashing open finds
// of a blob's record waits for Finish, and that a whole audit says the same with it as without.
#include <fcntl.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "audit/check/data_verify.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/scan.h"
#include "tests/audit/audit_fixture.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;
using regsweep::testing::Blob;

class EarlyHashingTest : public testing::AuditTest {
 protected:
  static AuditOptions Verify() {
    AuditOptions options;
    options.verify_data = true;
    return options;
  }
  static Digest Sha(const std::string& content) {
    return HashBytes(DigestAlgorithm::kSha256, content);
  }
  static std::vector<std::string> PhaseNames(const AuditOutcome& outcome) {
    std::vector<std::string> names;
    for (const auto& [name, seconds] : outcome.timings) names.push_back(name);
    return names;
  }
};

// The blobs a revision or a tag names are the manifests the graph loads first; every other blob
// is hashed early. Until Finish, the records stay as the scan left them (the graph may be
// reading them); Finish applies what the opens found and hashes the rest.
TEST_F(EarlyHashingTest, BlobsNoRevisionOrTagNamesGoEarlyAndTheirRecordsWaitForFinish) {
  const Blob image = builder_.PushImage("apps/web", {"layer-one", "layer-two"});
  builder_.Tag("apps/web", "1", image.digest);
  const Blob orphan = builder_.AddBlob("an orphan");
  const Digest missing = builder_.AddBlob("its data removed").digest;
  fs::remove(builder_.v2() / distribution::BlobData(missing));

  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  ScanOptions scan;
  scan.stat_blob_data = false;  // as audit scans when hashing examines the data
  Inventory inventory = ScanRegistry(v2, scan);
  ASSERT_EQ(inventory.blobs.size(), 6u);  // manifest, config, two layers, orphan, missing

  VerifyOptions options;
  options.hash = RecordingHash();
  DataVerifier verifier(&inventory, v2, options);
  verifier.PickEarly();
  verifier.HashEarly();
  const std::multiset<Digest> early = hashed_;  // HashEarly has returned
  EXPECT_EQ(early.count(image.digest), 0u) << "a revision names it: the graph loads it";
  EXPECT_EQ(early.count(Sha("layer-one")), 1u);
  EXPECT_EQ(early.count(Sha("layer-two")), 1u);
  EXPECT_EQ(early.count(orphan.digest), 1u);
  EXPECT_EQ(early.count(missing), 1u);
  EXPECT_EQ(early.size(), 5u) << "the config as well";
  for (const BlobRecord& blob : inventory.blobs) {
    EXPECT_FALSE(blob.data_known) << blob.digest.ToString() << ": changed before Finish";
  }

  const VerifyResult result = verifier.Finish();
  EXPECT_EQ(hashed_.count(image.digest), 1u) << "hashed by Finish";
  EXPECT_EQ(result.hashed, 5u);
  EXPECT_EQ(result.selected, 5u) << "the blob without data was never a candidate";
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings.front().kind, "missing_blob_data");
  EXPECT_EQ(result.findings.front().path, distribution::BlobData(missing));
  for (const BlobRecord& blob : inventory.blobs) {
    EXPECT_TRUE(blob.data_known) << blob.digest.ToString();
    EXPECT_EQ(blob.has_data, blob.digest != missing) << blob.digest.ToString();
    if (blob.digest == orphan.digest) {
      EXPECT_EQ(inventory.Facts(blob).size, orphan.size);
    }
  }
}

// Hashing is not early when the blobs picked or their sizes must be known first.
TEST_F(EarlyHashingTest, NothingGoesEarlyForASubsetAStateFileOrProgress) {
  builder_.PushImage("apps/web", {"layer-one"});
  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  ScanOptions scan;
  scan.stat_blob_data = false;
  Inventory inventory = ScanRegistry(v2, scan);
  std::string error;
  auto state = VerifyState::Open((dir_.path() / "state").string(), &error);
  ASSERT_NE(state, nullptr) << error;
  for (int variant = 0; variant < 3; ++variant) {
    VerifyOptions options;
    options.hash = RecordingHash();
    if (variant == 0) options.subset = DataSubset{DataSubset::Mode::kBucket, 1, 2};
    if (variant == 1) options.state = state.get();
    if (variant == 2) options.on_progress = [](const HashProgress&) {};
    DataVerifier verifier(&inventory, v2, options);
    verifier.PickEarly();
    verifier.HashEarly();
    EXPECT_TRUE(hashed_.empty()) << "variant " << variant;
  }
}

// A manifest only an index names is loaded by the graph and may also be hashed early: it is
// read by both, hashed once, counted once, and the audit says what it says without hashing.
TEST_F(EarlyHashingTest, AManifestOnlyAnIndexNamesIsLoadedAndHashedOnce) {
  const Blob amd64 = builder_.PushImage("apps/web", {"layer-amd64"});
  const Blob arm64 = builder_.PushImage("apps/web", {"layer-arm64"});
  const Blob index = builder_.PushIndex("apps/web", {amd64, arm64});
  builder_.Tag("apps/web", "1", index.digest);
  fs::remove_all(builder_.v2() / distribution::RevisionDir("apps/web", arm64.digest));

  AuditOptions options = Verify();
  options.hash = RecordingHash();
  const AuditOutcome verified = AuditReadOnly(options);
  const AuditOutcome structure = AuditReadOnly();
  EXPECT_EQ(hashed_.count(arm64.digest), 1u) << "hashed early, not again";
  EXPECT_EQ(hashed_.count(amd64.digest), 0u) << "verified by the graph";
  EXPECT_EQ(verified.counts.manifests, 3u) << "the graph loaded the child";
  EXPECT_EQ(verified.counts.manifests, structure.counts.manifests);
  EXPECT_EQ(verified.verify.hashed, verified.counts.blobs);
  EXPECT_EQ(verified.verify.selected, verified.counts.blobs);
  EXPECT_EQ(verified.verify.bytes_hashed, verified.counts.blob_bytes);
  EXPECT_EQ(verified.counts.blob_bytes, structure.counts.blob_bytes);
  std::vector<std::string> with;
  std::vector<std::string> without;
  for (const Finding& f : verified.findings) with.push_back(f.ToLine());
  for (const Finding& f : structure.findings) without.push_back(f.ToLine());
  EXPECT_EQ(with, without);
}

// Early hashing goes on past the manifests; the rest of its time is the verify phase's, so
// every phase is timed once, in order, with it and without it.
TEST_F(EarlyHashingTest, EveryPhaseIsTimedOnceInOrder) {
  builder_.Tag("apps/web", "1", builder_.PushImage("apps/web", {"layer-one"}).digest);
  const std::vector<std::string> phases = {"scan", "manifests", "verify", "checks"};
  EXPECT_EQ(PhaseNames(AuditReadOnly(Verify())), phases);
  AuditOptions with_state = Verify();
  with_state.state_path = (dir_.path() / "state").string();
  EXPECT_EQ(PhaseNames(AuditReadOnly(with_state)), phases);
}

}  // namespace
}  // namespace regsweep::audit
