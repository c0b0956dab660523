// Tests for the retention decision: each rule of decide.h, the rule texts reports show, and the
// pull times from the real registry's logs.
#include "gc/retention/decide.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "gc/retention/access_log.h"
#include "gc/retention/pull_times.h"
#include "tests/retention/retention_testing.h"

namespace regsweep {
namespace {

using retention_testing::CosignTag;
using retention_testing::D;
using retention_testing::DaysAgo;
using retention_testing::Find;
using retention_testing::kDay;
using retention_testing::Kept;
using retention_testing::kNow;
using retention_testing::kSecond;
using retention_testing::Names;
using retention_testing::Policy;
using retention_testing::Tag;

RepositoryInput Repository(std::string name, std::vector<TagInput> tags) {
  RepositoryInput input;
  input.name = std::move(name);
  input.tags = std::move(tags);
  return input;
}

TEST(DecideTest, RepositoryNoPolicyMatchesIsUntouched) {
  const RetentionPolicy policy = Policy("policies:\n  - repositories: apps/.*\n    keep: []\n");
  const RepositoryDecision decision =
      DecideRetention(policy, Repository("team/app", {Tag("old", D(1), DaysAgo(900))}), kNow);
  EXPECT_FALSE(decision.policy);
  EXPECT_FALSE(decision.protected_would_empty);
  ASSERT_EQ(decision.tags.size(), 1u);
  EXPECT_TRUE(decision.tags[0].keep);
  EXPECT_EQ(decision.tags[0].rule, "untouched: no policy matches");
  EXPECT_TRUE(decision.DroppedTags().empty());
}

TEST(DecideTest, FirstMatchingPolicyApplies) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "apps/special"
    keep: [{tags: "a"}]
  - repositories: "apps/.*"
    delete_untagged: true
    keep: [{tags: "b"}]
)");
  const std::vector<TagInput> tags = {Tag("a", D(1), DaysAgo(1)), Tag("b", D(2), DaysAgo(1))};
  const RepositoryDecision special =
      DecideRetention(policy, Repository("apps/special", tags), kNow);
  EXPECT_EQ(special.policy, 0u);
  EXPECT_FALSE(special.delete_untagged);
  EXPECT_EQ(Kept(special), Names{"a"});
  const RepositoryDecision other = DecideRetention(policy, Repository("apps/other", tags), kNow);
  EXPECT_EQ(other.policy, 1u);
  EXPECT_TRUE(other.delete_untagged);
  EXPECT_EQ(Kept(other), Names{"b"});
  EXPECT_EQ(other.DroppedTags(), Names{"a"});
}

TEST(DecideTest, MostRecentByPushTimeWithTiesByName) {
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{most_recent: 2}]\n");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("a", {Tag("old", D(1), DaysAgo(10)), Tag("b", D(2), DaysAgo(1)),
                       Tag("a", D(3), DaysAgo(1)), Tag("newest", D(4), DaysAgo(0))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"a", "newest"}));  // "a" before "b" at the same push time
  EXPECT_EQ(Find(decision, "newest").rule, "keep[0]: most_recent 2 (push)");
  EXPECT_EQ(Find(decision, "newest").entry, 0);
  EXPECT_EQ(Find(decision, "b").rule, "drop: no keep entry keeps it");
  EXPECT_EQ(Find(decision, "b").entry, -1);
}

TEST(DecideTest, DecisionDoesNotDependOnInputOrder) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: a
    keep:
      - most_recent: 3
      - most_recent: 2
        order: semver
)");
  std::vector<TagInput> tags;
  for (unsigned i = 0; i < 20; ++i) {
    tags.push_back(
        Tag("1." + std::to_string(i % 7) + "." + std::to_string(i), D(i % 9), DaysAgo(i % 4)));
  }
  const Names expected = Kept(DecideRetention(policy, Repository("a", tags), kNow));
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(tags.begin(), tags.end(), random);
    EXPECT_EQ(Kept(DecideRetention(policy, Repository("a", tags), kNow)), expected);
  }
}

TEST(DecideTest, MostRecentCountsImagesNotTags) {
  // CI pushes main-<sha> and main-latest on the same image: 2 images, not 2 tags.
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{tags: \"main-.*\", most_recent: 2}]\n");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("a", {Tag("main-latest", D(3), DaysAgo(1)), Tag("main-ccc", D(3), DaysAgo(1)),
                       Tag("main-bbb", D(2), DaysAgo(2)), Tag("main-aaa", D(1), DaysAgo(3)),
                       Tag("v1", D(1), DaysAgo(30))}),
      kNow);
  // v1 shares main-aaa's image, which is the third: both go.
  EXPECT_EQ(Kept(decision), (Names{"main-bbb", "main-ccc", "main-latest"}));
}

TEST(DecideTest, TagsOnlyEntryKeepsEveryMatchingTag) {
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{tags: \"v[0-9]+(\\\\.[0-9]+)*\"}]\n");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("a", {Tag("v1", D(1), DaysAgo(400)), Tag("v1.2.3", D(2), DaysAgo(300)),
                       Tag("v1.2-rc", D(3), DaysAgo(1)), Tag("xv1", D(4), DaysAgo(1))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"v1", "v1.2.3"}));
  EXPECT_EQ(Find(decision, "v1").rule, "keep[0]: tags \"v[0-9]+(\\.[0-9]+)*\"");
}

TEST(DecideTest, PushedWithin) {
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{pushed_within: 7d}]\n");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("a", {Tag("edge", D(1), kNow - 7 * kDay), Tag("old", D(2), kNow - 7 * kDay - 1),
                       Tag("future", D(3), kNow + kDay)}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"edge", "future"}));
  EXPECT_EQ(Find(decision, "edge").rule, "keep[0]: pushed_within 7d");
}

TEST(DecideTest, FirstKeepingEntryIsTheRule) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: a
    keep:
      - tags: "release-.*"
      - pushed_within: 30d
)");
  const RepositoryDecision decision = DecideRetention(
      policy, Repository("a", {Tag("release-1", D(1), DaysAgo(1)), Tag("dev", D(2), DaysAgo(1))}),
      kNow);
  EXPECT_EQ(Find(decision, "release-1").rule, "keep[0]: tags \"release-.*\"");
  EXPECT_EQ(Find(decision, "release-1").entry, 0);
  EXPECT_EQ(Find(decision, "dev").rule, "keep[1]: pushed_within 30d");
  EXPECT_EQ(Find(decision, "dev").entry, 1);
}

TEST(DecideTest, SameImageKeepsEveryTag) {
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{tags: \"v.*\"}]\n");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("a", {Tag("v2", D(2), DaysAgo(5)), Tag("latest", D(2), DaysAgo(1)),
                       Tag("stable", D(2), DaysAgo(3)), Tag("nightly", D(3), DaysAgo(0))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"latest", "stable", "v2"}));
  EXPECT_EQ(Find(decision, "latest").rule, "keep: same image as \"v2\" (keep[0]: tags \"v.*\")");
  EXPECT_EQ(Find(decision, "latest").entry, 0);
}

TEST(DecideTest, AllowEmptyFalseDropsNothingWhenEverythingWouldGo) {
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{pushed_within: 1d}]\n");
  const RepositoryInput input =
      Repository("a", {Tag("x", D(1), DaysAgo(10)), Tag("y", D(2), DaysAgo(20)),
                       Tag(CosignTag(D(1)), D(9), DaysAgo(10))});
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  EXPECT_TRUE(decision.protected_would_empty);
  EXPECT_TRUE(decision.DroppedTags().empty());
  EXPECT_EQ(Find(decision, "x").rule,
            "keep: protected: the policy would drop every tag (allow_empty: false)");

  const RetentionPolicy allow = Policy(
      "policies:\n  - repositories: a\n    allow_empty: true\n    keep: [{pushed_within: 1d}]\n");
  const RepositoryDecision emptied = DecideRetention(allow, input, kNow);
  EXPECT_FALSE(emptied.protected_would_empty);
  EXPECT_EQ(emptied.DroppedTags(), (Names{CosignTag(D(1)), "x", "y"}));

  // A repository without tags has nothing to protect.
  EXPECT_FALSE(DecideRetention(policy, Repository("a", {}), kNow).protected_would_empty);
}

TEST(DecideTest, ReferrerTagsFollowTheirSubject) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: a
    allow_empty: true
    keep: [{tags: "keep-.*"}]
)");
  RepositoryInput input = Repository(
      "a",
      {Tag("keep-1", D(1), DaysAgo(9)), Tag("drop-2", D(2), DaysAgo(9)),
       Tag("keep-index", D(10), DaysAgo(9)),
       // cosign, by name
       Tag(CosignTag(D(1), ".sig"), D(101), DaysAgo(1)),
       Tag(CosignTag(D(1), ".att"), D(102), DaysAgo(1)),
       Tag(CosignTag(D(1), ".sbom"), D(103), DaysAgo(1)),
       Tag(CosignTag(D(2), ".sig"), D(104), DaysAgo(1)),
       // the referrers fallback tag, by name
       Tag(CosignTag(D(1), ""), D(105), DaysAgo(1)), Tag(CosignTag(D(2), ""), D(106), DaysAgo(1)),
       // a tag on an OCI referrer manifest (subject in RepositoryInput::referrers)
       Tag("sbom-of-1", D(107), DaysAgo(1)), Tag("sbom-of-2", D(108), DaysAgo(1)),
       // a signature of a child of a kept index, and of a signature (follows transitively)
       Tag(CosignTag(D(11)), D(109), DaysAgo(1)), Tag(CosignTag(D(101)), D(110), DaysAgo(1)),
       // a signature of an image that is not in the repository at all
       Tag(CosignTag(D(99)), D(111), DaysAgo(1))});
  input.referrers = {{D(107), D(1)}, {D(108), D(2)}};
  input.index_children = {{D(10), D(11)}, {D(10), D(12)}};
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  EXPECT_EQ(Kept(decision), (Names{"keep-1", "keep-index", "sbom-of-1", CosignTag(D(1), ""),
                                   CosignTag(D(1), ".att"), CosignTag(D(1), ".sbom"),
                                   CosignTag(D(1), ".sig"), CosignTag(D(11)), CosignTag(D(101))}));
  const TagDecision& sig = Find(decision, CosignTag(D(1)));
  EXPECT_EQ(sig.subject, D(1));
  EXPECT_EQ(sig.rule, "keep: follows " + D(1).ToString() + " (kept)");
  EXPECT_EQ(Find(decision, CosignTag(D(2))).rule,
            "drop: follows " + D(2).ToString() + " (not kept)");
  EXPECT_EQ(Find(decision, "sbom-of-2").subject, D(2));
  EXPECT_FALSE(Find(decision, "keep-1").subject);
}

TEST(DecideTest, ReferrerTagsAreNotImagesForCountsOrTheValve) {
  // Only signatures are recent; most_recent 1 still keeps the latest image and its signature.
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{most_recent: 1}]\n");
  const RepositoryDecision decision =
      DecideRetention(policy,
                      Repository("a", {Tag("v1", D(1), DaysAgo(20)), Tag("v2", D(2), DaysAgo(10)),
                                       Tag(CosignTag(D(1)), D(101), DaysAgo(0)),
                                       Tag(CosignTag(D(2)), D(102), DaysAgo(0))}),
                      kNow);
  EXPECT_EQ(Kept(decision), (Names{CosignTag(D(2)), "v2"}));
  // A repository of signatures only is protected: it would be emptied.
  const RepositoryDecision only_signatures =
      DecideRetention(policy, Repository("a", {Tag(CosignTag(D(1)), D(101), DaysAgo(0))}), kNow);
  EXPECT_TRUE(only_signatures.protected_would_empty);
}

TEST(DecideTest, PullTimesResolveTagsThroughTheirHistory) {
  // "latest" pointed at D1 from day 30 to day 10, then at D2. A pull of "latest" on day 20
  // pulled D1, which "v1" still points at; D2 was never pulled.
  TagInput latest = Tag("latest", D(2), DaysAgo(10));
  latest.history = {{D(1), DaysAgo(30)}, {D(2), DaysAgo(10)}};
  const std::vector<Pull> pulls = {{"latest", DaysAgo(20)}};
  RepositoryInput input = Repository("a", {latest, Tag("v1", D(1), DaysAgo(30))});
  input.pulls = pulls;
  EXPECT_EQ(PullTimes::DigestAt(latest, DaysAgo(20)), D(1));
  EXPECT_EQ(PullTimes::DigestAt(latest, DaysAgo(5)), D(2));
  EXPECT_EQ(PullTimes::DigestAt(latest, DaysAgo(40)), D(2));  // before the history: current

  const RetentionPolicy policy = Policy(
      "policies:\n  - repositories: a\n    allow_empty: true\n    keep: [{pulled_within: "
      "25d}]\n");
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  const TagDecision& v1 = Find(decision, "v1");
  EXPECT_TRUE(v1.keep);
  EXPECT_EQ(v1.pull_time_ns, DaysAgo(20));
  EXPECT_FALSE(v1.pull_time_is_push_time);
  EXPECT_EQ(v1.rule, "keep[0]: pulled_within 25d");
  const TagDecision& now_latest = Find(decision, "latest");
  EXPECT_TRUE(now_latest.pull_time_is_push_time);  // D2 never pulled: its push time counts
  EXPECT_EQ(now_latest.pull_time_ns, DaysAgo(10));
  EXPECT_EQ(now_latest.rule, "keep[0]: pulled_within 25d (never pulled: push time used)");
}

TEST(DecideTest, DigestPullCountsForEveryTagOfTheDigest) {
  const std::vector<Pull> pulls = {
      {D(1).ToString(), DaysAgo(2)}, {"gone", DaysAgo(1)}, {D(1).ToString(), DaysAgo(3)}};
  RepositoryInput input = Repository(
      "a", {Tag("x", D(1), DaysAgo(50)), Tag("y", D(1), DaysAgo(60)), Tag("z", D(2), DaysAgo(40))});
  input.pulls = pulls;
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: a\n    keep: [{most_recently_pulled: 1}]\n");
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  EXPECT_EQ(Kept(decision), (Names{"x", "y"}));
  EXPECT_EQ(Find(decision, "y").pull_time_ns, DaysAgo(2));
  EXPECT_EQ(Find(decision, "y").rule, "keep[0]: most_recently_pulled 1");
  EXPECT_EQ(Find(decision, "z").pull_time_ns, DaysAgo(40));
  EXPECT_TRUE(Find(decision, "z").pull_time_is_push_time);
}

TEST(DecideTest, PullsFromTheRealRegistryLog) {
  // registry-text.log: team/app:v1 pulled by tag, v2 by tag and by digest, at 11:04:11Z.
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(std::string(REGSWEEP_RETENTION_FIXTURES) + "/registry-text.log", &pulls,
                            &stats, &error))
      << error;
  const Digest v1 =
      *Digest::Parse("sha256:bfc81bbb43dc3a9b68c2947905671fdcb0f8af886a682c3dd4b9ab6d737d2c50");
  const Digest v2 =
      *Digest::Parse("sha256:3594257500a93807a809ef2fcf911f72cbd3b5af3c1a427ef3a099e3a021a4c2");
  const int64_t pushed = int64_t{1796468651} * kSecond;  // pushed moments before the pulls
  RepositoryInput input = Repository(
      "team/app", {Tag("v1", v1, pushed), Tag("v2", v2, pushed), Tag("v2-copy", v2, pushed - kDay),
                   Tag("old", D(7), pushed - 90 * kDay)});
  input.pulls = pulls.ForRepository("team/app");
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: team/.*\n    keep: [{most_recently_pulled: 2}]\n");
  const RepositoryDecision decision = DecideRetention(policy, input, kNow + 30 * kDay);
  EXPECT_EQ(Kept(decision), (Names{"v1", "v2", "v2-copy"}));
  EXPECT_EQ(Find(decision, "v1").pull_time_ns, pushed + 771562405);  // the curl GET with ?ns=
  EXPECT_EQ(Find(decision, "v2").pull_time_ns, pushed + 620640745);  // skopeo's GET by digest
  EXPECT_EQ(Find(decision, "v2-copy").pull_time_ns, pushed + 620640745);
  EXPECT_TRUE(Find(decision, "old").pull_time_is_push_time);
}

}  // namespace
}  // namespace regsweep
