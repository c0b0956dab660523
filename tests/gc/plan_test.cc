// Tests for planning: crash-safe order, grace period, links, uploads, pruning.
#include "gc/plan.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/io_depth.h"
#include "core/latency_tree_reader.h"
#include "tests/testing/faulty_tree_reader.h"
#include "tests/testing/pipeline.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::Pipeline;
using testing::RegistryBuilder;
using testing::TempDir;

constexpr int64_t kHour = 3600LL * 1000000000;
constexpr int64_t kNow = 1750000000LL * 1000000000;  // a fixed clock
constexpr int64_t kOld = 1700000000;                 // seconds: months before kNow

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

bool PlanHas(const Plan& plan, ActionKind kind, const Digest& digest,
             const std::string& repository = "") {
  for (const Action& a : plan.actions) {
    if (a.kind == kind && a.digest == digest && plan.Repository(a) == repository) return true;
  }
  return false;
}

GcPolicy Policy(bool delete_untagged, int64_t min_age_ns = kHour) {
  GcPolicy policy;
  policy.delete_untagged = delete_untagged;
  policy.min_age_ns = min_age_ns;
  policy.now_ns = kNow;
  return policy;
}

class PlanTest : public ::testing::Test {
 protected:
  PlanTest() : builder_(dir_.path()) {}
  TempDir dir_;
  RegistryBuilder builder_;
};

TEST_F(PlanTest, ActionsComeInCrashSafeOrder) {
  const Blob v1 = builder_.PushImage("a", {"one"});
  const Blob v2 = builder_.PushImage("a", {"two"});
  builder_.Tag("a", "v1", v1.digest);
  builder_.Tag("a", "v2", v2.digest);
  builder_.Tag("a", "v2", v1.digest);  // v2 moved: its index keeps v2's old entry
  builder_.AddUpload("a", "u1", "2020-01-01T00:00:00Z", "partial");
  builder_.SetAllMtimes(kOld);
  GcPolicy policy = Policy(true);
  policy.untag = {TagRef{"a", "v1"}};
  Pipeline p(builder_, policy);
  std::vector<ActionKind> kinds;
  for (const Action& a : p.plan().actions) kinds.push_back(a.kind);
  EXPECT_TRUE(std::is_sorted(kinds.begin(), kinds.end())) << "phases must not interleave";
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteRevision, v2.digest, "a"));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteTagIndexEntry, v2.digest, "a"));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteLayerLink, Sha("two"), "a"));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteBlob, Sha("two")));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteBlob, v2.digest));
  EXPECT_FALSE(p.Plans(ActionKind::kDeleteBlob, v1.digest));
  EXPECT_EQ(p.plan().deleted.tags, 1u);
  EXPECT_EQ(p.plan().deleted.uploads, 1u);
  EXPECT_EQ(p.plan().deleted.upload_bytes, 7u);
  EXPECT_EQ(p.plan().actions.front().kind, ActionKind::kDeleteTag);
  EXPECT_EQ(p.plan().Path(p.plan().actions.front()), "repositories/a/_manifests/tags/v1");
}

TEST_F(PlanTest, GracePeriodSparesRecentBlobsAndLinks) {
  const Blob old_image = builder_.PushImage("a", {"old"});
  builder_.SetAllMtimes(kOld);
  // Pushed during the run: a blob written a minute ago, and an old blob re-linked a minute ago.
  const Blob fresh_blob = builder_.AddBlob("fresh");
  const Blob relinked = builder_.AddBlob("relinked");
  builder_.SetAllMtimes(kOld);
  builder_.LinkLayer("b", relinked.digest);
  const struct timespec recent[2] = {{kNow / 1000000000 - 60, 0}, {kNow / 1000000000 - 60, 0}};
  utimensat(AT_FDCWD, (builder_.v2() / distribution::BlobData(fresh_blob.digest)).c_str(), recent,
            0);
  utimensat(AT_FDCWD,
            (builder_.v2() / distribution::LayerLinkDir("b", relinked.digest) / "link").c_str(),
            recent, 0);

  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteBlob, old_image.digest));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteBlob, Sha("old")));
  EXPECT_FALSE(p.Plans(ActionKind::kDeleteBlob, fresh_blob.digest));
  EXPECT_FALSE(p.Plans(ActionKind::kDeleteBlob, relinked.digest));
  EXPECT_FALSE(p.Plans(ActionKind::kDeleteLayerLink, relinked.digest, "b"));
  EXPECT_EQ(p.plan().spared_bytes, fresh_blob.size + relinked.size);
  EXPECT_GE(p.plan().spared_count, 2u);

  Pipeline no_grace(builder_, Policy(true, 0));
  EXPECT_TRUE(no_grace.Plans(ActionKind::kDeleteBlob, fresh_blob.digest));
  EXPECT_TRUE(no_grace.Plans(ActionKind::kDeleteLayerLink, relinked.digest, "b"));
  EXPECT_EQ(no_grace.plan().spared_count, 0u);
}

TEST_F(PlanTest, LayerLinksGoOnlyWithTheirBlob) {
  const Blob image = builder_.PushImage("a", {"shared"});
  builder_.Tag("a", "v1", image.digest);
  builder_.LinkLayer("b", Sha("shared"));        // linked in b, used by nothing in b: blob stays
  builder_.LinkLayer("b", Sha("never-stored"));  // dangling
  builder_.SetAllMtimes(kOld);
  Pipeline p(builder_, Policy(true));
  EXPECT_FALSE(p.Plans(ActionKind::kDeleteLayerLink, Sha("shared"), "b"));
  EXPECT_TRUE(p.Plans(ActionKind::kDeleteLayerLink, Sha("never-stored"), "b"));
}

TEST_F(PlanTest, UploadsByAge) {
  builder_.AddUpload("a", "old", "2020-01-01T00:00:00Z", "x");
  builder_.AddUpload("a", "new", "2025-06-15T00:00:00Z", "y");  // a day before kNow
  builder_.SetAllMtimes(kOld);
  Pipeline p(builder_, Policy(true));
  ASSERT_EQ(p.plan().deleted.uploads, 1u);
  EXPECT_EQ(p.plan().actions.back().name, "old");
  EXPECT_EQ(p.plan().kept.uploads, 1u);
}

TEST_F(PlanTest, NothingInATaintedRepositoryIsDeleted) {
  const Blob image = builder_.PushImage("a", {"x"});
  const Blob tagged = builder_.PushImage("a", {"y"});
  builder_.Tag("a", "v1", tagged.digest);
  builder_.LinkLayer("a", Sha("never-stored"));
  builder_.AddUpload("a", "old-upload", "2020-01-01T00:00:00Z", "x");
  builder_.WriteFile(distribution::BlobData(image.digest), "not json");
  builder_.SetAllMtimes(kOld);
  GcPolicy policy = Policy(true);
  policy.untag = {TagRef{"a", "v1"}};
  Pipeline p(builder_, policy);
  EXPECT_EQ(p.plan().kept.tags, 1u);
  EXPECT_EQ(p.plan().kept.uploads, 1u);
  for (const Action& a : p.plan().actions) {
    EXPECT_NE(p.plan().Repository(a), "a") << p.plan().Key(a);
    EXPECT_NE(a.kind, ActionKind::kDeleteBlob) << p.plan().Key(a);
  }
}

TEST_F(PlanTest, PruneOnlyRepositoriesLeftEmpty) {
  const Blob keep = builder_.PushImage("keep", {"k"});
  builder_.Tag("keep", "v1", keep.digest);
  builder_.PushImage("gone", {"g"});
  builder_.PushImage("gone/nested", {"n"});
  builder_.SetAllMtimes(kOld);
  GcPolicy policy = Policy(true);
  policy.prune_empty_repositories = true;
  Pipeline p(builder_, policy);
  std::vector<std::string> pruned;
  for (const Action& a : p.plan().actions) {
    if (a.kind == ActionKind::kPruneRepository) pruned.push_back(p.plan().Repository(a));
  }
  EXPECT_EQ(pruned, (std::vector<std::string>{"gone", "gone/nested"}));
}

TEST_F(PlanTest, ActionKeysRoundTripNames) {
  for (int i = 0; i < kActionKindCount; ++i) {
    ActionKind kind;
    ASSERT_TRUE(ParseActionKind(ActionKindName(static_cast<ActionKind>(i)), &kind));
    EXPECT_EQ(static_cast<int>(kind), i);
  }
  EXPECT_FALSE(ParseActionKind("delete_everything", nullptr));
}

// The grace period's stats (gc/link_ages.h) are issued together, not one candidate after
// another: on slow storage a plan that drops many blobs would otherwise wait once per link.
TEST_F(PlanTest, GracePeriodStatsAreInFlightTogether) {
  std::vector<Blob> blobs;
  for (int i = 0; i < 48; ++i) {
    blobs.push_back(builder_.AddBlob("unused " + std::to_string(i)));
    builder_.LinkLayer("a", blobs.back().digest);
  }
  builder_.SetAllMtimes(kOld);
  const Pipeline p(builder_, Policy(true));
  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  // Long enough that the stats overlap even on a loaded machine (sanitizers, ctest -j): the
  // requests of one wave start within a few milliseconds of each other.
  LatencyTreeReader slow(DefaultTreeReader(), std::chrono::milliseconds(25));
  Plan plan;
  RunWithIoDepth(16, [&] { plan = MakePlan(p.graph(), p.marks(), Policy(true), slow, v2); });
  for (const Blob& blob : blobs) {
    EXPECT_TRUE(PlanHas(plan, ActionKind::kDeleteLayerLink, blob.digest, "a"));
    EXPECT_TRUE(PlanHas(plan, ActionKind::kDeleteBlob, blob.digest));
  }
  EXPECT_GE(slow.requests(), blobs.size());  // every link statted once at least
  EXPECT_GT(slow.peak_in_flight(), 4);
}

// A link whose age cannot be read keeps what it protects and says so, whichever pass reads it.
TEST_F(PlanTest, AnUnreadableLinkAgeKeepsItsBlob) {
  const Blob unused = builder_.AddBlob("unused");
  builder_.LinkLayer("a", unused.digest);
  builder_.SetAllMtimes(kOld);
  const Pipeline p(builder_, Policy(true));
  ASSERT_TRUE(p.Plans(ActionKind::kDeleteBlob, unused.digest));
  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  testing::FaultyTreeReader failing(1, testing::FaultyTreeReader::Mode::kFail, EIO);
  const Plan plan = MakePlan(p.graph(), p.marks(), Policy(true), failing, v2);
  EXPECT_FALSE(PlanHas(plan, ActionKind::kDeleteBlob, unused.digest));
  EXPECT_FALSE(PlanHas(plan, ActionKind::kDeleteLayerLink, unused.digest, "a"));
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_NE(plan.problems[0].reason.find("cannot stat for the grace period"), std::string::npos);
}

}  // namespace
}  // namespace regsweep
