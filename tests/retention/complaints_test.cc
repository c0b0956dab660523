// One test per user complaint about other registries' retention rules that issue 15 lists:
// each sets up what went wrong there and checks what regsweep decides instead.
#include <gtest/gtest.h>

#include "gc/retention/decide.h"
#include "tests/retention/retention_testing.h"

namespace regsweep {
namespace {

using retention_testing::CosignTag;
using retention_testing::D;
using retention_testing::DaysAgo;
using retention_testing::Find;
using retention_testing::Kept;
using retention_testing::kNow;
using retention_testing::Names;
using retention_testing::Policy;
using retention_testing::Tag;

RepositoryInput Repository(std::string name, std::vector<TagInput> tags) {
  RepositoryInput input;
  input.name = std::move(name);
  input.tags = std::move(tags);
  return input;
}

// gitlab#351538: "keep the 5 latest" deleted tags that shared a digest with kept tags, and the
// kept tags then pointed at a deleted manifest. Here a digest is kept with all its tags.
TEST(RetentionComplaintsTest, Gitlab351538TagsSharingADigestWithAKeptTagStay) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "group/project"
    keep:
      - tags: "main-.*"
        most_recent: 1
)");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("group/project",
                 {Tag("main-9f8e7d", D(5), DaysAgo(1)), Tag("release-2.1", D(5), DaysAgo(3)),
                  Tag("latest", D(5), DaysAgo(1)), Tag("main-1a2b3c", D(4), DaysAgo(4)),
                  Tag("release-2.0", D(4), DaysAgo(5))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"latest", "main-9f8e7d", "release-2.1"}));
  EXPECT_EQ(Find(decision, "release-2.1").rule,
            "keep: same image as \"main-9f8e7d\" (keep[0]: tags \"main-.*\", most_recent 1 "
            "(push))");
  // Every dropped tag's digest is one no kept tag points at: dropping frees the manifest.
  for (const TagDecision& tag : decision.tags) {
    if (tag.keep) continue;
    for (const TagDecision& kept : decision.tags) {
      if (kept.keep) {
        EXPECT_FALSE(kept.digest == tag.digest) << tag.tag << " / " << kept.tag;
      }
    }
  }
}

// harbor#10555: `latest`, pushed long ago and rebuilt rarely, was removed by "retain the N most
// recently pushed". A pattern entry protects it whatever its age.
TEST(RetentionComplaintsTest, Harbor10555LatestProtectedByPattern) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: ".*"
    keep:
      - tags: "latest|stable"
      - most_recent: 2
)");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("library/app",
                 {Tag("latest", D(1), DaysAgo(400)), Tag("stable", D(2), DaysAgo(200)),
                  Tag("build-10", D(10), DaysAgo(3)), Tag("build-11", D(11), DaysAgo(2)),
                  Tag("build-12", D(12), DaysAgo(1)), Tag("latest-rc", D(13), DaysAgo(300))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"build-11", "build-12", "latest", "stable"}));
  EXPECT_EQ(Find(decision, "latest").rule, "keep[0]: tags \"latest|stable\"");
  // Anchored alternation: "latest|stable" is not "latest.*".
  EXPECT_FALSE(Find(decision, "latest-rc").keep);
}

// gitlab#466239 (and #325429): unanchored regular expressions matched far more than meant, and
// a policy meant for one repository wiped others; zot's patterns are unanchored too. Here every
// pattern must match the whole name.
TEST(RetentionComplaintsTest, Gitlab466239PatternsAreAnchored) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "team/app"
    allow_empty: true
    keep:
      - tags: "stable"
      - tags: "v1"
)");
  // A repository whose name only contains the pattern is not touched at all.
  for (const char* name : {"team/app-tools", "other/team/app", "team/apps"}) {
    const RepositoryDecision other =
        DecideRetention(policy, Repository(name, {Tag("nightly", D(1), DaysAgo(100))}), kNow);
    EXPECT_FALSE(other.policy) << name;
    EXPECT_TRUE(other.DroppedTags().empty()) << name;
  }
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("team/app", {Tag("stable", D(1), DaysAgo(10)), Tag("unstable", D(2), DaysAgo(1)),
                              Tag("stable-old", D(3), DaysAgo(300)), Tag("v1", D(4), DaysAgo(9)),
                              Tag("v10", D(5), DaysAgo(1)), Tag("v1-debug", D(6), DaysAgo(1))}),
      kNow);
  EXPECT_EQ(Kept(decision), (Names{"stable", "v1"}));
}

// harbor#18479: "retain the images pulled within N days" deleted images that had been pushed
// but not pulled yet. Here an image never seen in the logs counts its push time, and the
// decision says so.
TEST(RetentionComplaintsTest, Harbor18479NeverPulledImagesUsePushTime) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "apps/.*"
    keep:
      - pulled_within: 14d
)");
  const std::vector<Pull> pulls = {{"old-but-used", DaysAgo(3)}};
  RepositoryInput input = Repository(
      "apps/web", {Tag("just-pushed", D(1), DaysAgo(2)), Tag("old-unused", D(2), DaysAgo(60)),
                   Tag("old-but-used", D(3), DaysAgo(60))});
  input.pulls = pulls;
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  EXPECT_EQ(Kept(decision), (Names{"just-pushed", "old-but-used"}));
  const TagDecision& fresh = Find(decision, "just-pushed");
  EXPECT_TRUE(fresh.pull_time_is_push_time);
  EXPECT_EQ(fresh.pull_time_ns, DaysAgo(2));
  EXPECT_EQ(fresh.rule, "keep[0]: pulled_within 14d (never pulled: push time used)");
  const TagDecision& unused = Find(decision, "old-unused");
  EXPECT_TRUE(unused.pull_time_is_push_time);
  EXPECT_EQ(unused.rule, "drop: no keep entry keeps it");
  const TagDecision& used = Find(decision, "old-but-used");
  EXPECT_FALSE(used.pull_time_is_push_time);
  EXPECT_EQ(used.pull_time_ns, DaysAgo(3));
}

// aws/containers-roadmap#2613: signatures (cosign tags pushed after the image) counted against
// "keep the N most recent", so the newest signatures crowded out the images they signed.
TEST(RetentionComplaintsTest, ContainersRoadmap2613SignaturesDoNotCount) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: ".*"
    keep:
      - most_recent: 2
)");
  RepositoryInput input = Repository(
      "prod/api",
      {Tag("v1", D(1), DaysAgo(30)), Tag("v2", D(2), DaysAgo(20)), Tag("v3", D(3), DaysAgo(10)),
       Tag(CosignTag(D(1)), D(101), DaysAgo(1)), Tag(CosignTag(D(2)), D(102), DaysAgo(1)),
       Tag(CosignTag(D(3)), D(103), DaysAgo(0)), Tag(CosignTag(D(3), ".att"), D(104), DaysAgo(0)),
       Tag(CosignTag(D(3), ""), D(105), DaysAgo(0)), Tag("sbom-v2", D(106), DaysAgo(0))});
  input.referrers = {{D(106), D(2)}};  // an OCI 1.1 referrer, tagged
  const RepositoryDecision decision = DecideRetention(policy, input, kNow);
  EXPECT_EQ(Kept(decision), (Names{"sbom-v2", CosignTag(D(2)), CosignTag(D(3), ""),
                                   CosignTag(D(3), ".att"), CosignTag(D(3)), "v2", "v3"}));
  EXPECT_EQ(Find(decision, "v2").rule, "keep[0]: most_recent 2 (push)");
  EXPECT_EQ(Find(decision, CosignTag(D(1))).rule,
            "drop: follows " + D(1).ToString() + " (not kept)");
}

// harbor#9350: "keep the N most recent" went by push time, so a hotfix of an old branch
// (pushed last) pushed out the newest release. `order: semver` ranks by version.
TEST(RetentionComplaintsTest, Harbor9350SemanticVersionOrder) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: ".*"
    keep:
      - most_recent: 3
        order: semver
)");
  const RepositoryDecision decision = DecideRetention(
      policy,
      Repository("prod/api", {Tag("2.0.0", D(1), DaysAgo(10)), Tag("2.0.0-rc.1", D(2), DaysAgo(12)),
                              Tag("1.10.0", D(3), DaysAgo(20)), Tag("1.9.1", D(4), DaysAgo(1)),
                              Tag("v1.9.0", D(5), DaysAgo(30)), Tag("latest", D(6), DaysAgo(0))}),
      kNow);
  // By push time the three would be latest, 1.9.1 and 2.0.0.
  EXPECT_EQ(Kept(decision), (Names{"1.10.0", "2.0.0", "2.0.0-rc.1"}));
  EXPECT_EQ(Find(decision, "2.0.0").rule, "keep[0]: most_recent 3 (semver)");
  EXPECT_FALSE(Find(decision, "1.9.1").keep);   // 1.9.1 < 1.10.0 numerically
  EXPECT_FALSE(Find(decision, "latest").keep);  // not a version: ranks below every version
}

}  // namespace
}  // namespace regsweep
