// The examples of issue 15: its policy file, verbatim, and each statement it makes about what
// a policy keeps, on one repository that exercises every entry.
#include <gtest/gtest.h>

#include "gc/retention/decide.h"
#include "gc/retention/policy_file.h"
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
using retention_testing::Names;
using retention_testing::Policy;
using retention_testing::Tag;

// The policy of issue 15, comments included.
constexpr std::string_view kIssuePolicy =
    R"(policies:                     # the first policy whose pattern matches a repository applies;
  - repositories: "apps/.*"   # a repository no policy matches is untouched
    delete_untagged: true     # as -m for these repositories
    allow_empty: false        # default: a policy that would drop every tag of a repository drops none
    keep:                     # a tag is kept if any entry keeps it; the rest are untagged
      - tags: "v[0-9]+(\\.[0-9]+)*"  # every tag matching (patterns are anchored)
      - tags: "main-.*"
        most_recent: 3        # the 3 most recently pushed of those
      - most_recent: 5        # the 5 most recently pushed tags of the repository
        order: semver         # optional: by semantic version instead of push time
      - pushed_within: 30d
      - pulled_within: 14d    # needs --access-log
      - most_recently_pulled: 3
)";

TEST(IssueExamplesTest, ThePolicyFileParses) {
  const RetentionPolicy policy = Policy(kIssuePolicy);
  ASSERT_EQ(policy.policies.size(), 1u);
  const RepositoryPolicy& apps = policy.policies[0];
  EXPECT_EQ(apps.repositories.source, "apps/.*");
  EXPECT_TRUE(apps.delete_untagged);
  EXPECT_FALSE(apps.allow_empty);
  ASSERT_EQ(apps.keep.size(), 6u);
  EXPECT_EQ(apps.keep[0].tags->source, "v[0-9]+(\\.[0-9]+)*");
  EXPECT_EQ(apps.keep[0].condition, KeepCondition::kNone);
  EXPECT_EQ(apps.keep[1].Describe(), "tags \"main-.*\", most_recent 3 (push)");
  EXPECT_EQ(apps.keep[2].Describe(), "most_recent 5 (semver)");
  EXPECT_EQ(apps.keep[3].Describe(), "pushed_within 30d");
  EXPECT_EQ(apps.keep[4].Describe(), "pulled_within 14d");
  EXPECT_EQ(apps.keep[5].Describe(), "most_recently_pulled 3");
  EXPECT_TRUE(policy.UsesPulls());  // "needs --access-log"
}

// One repository where each entry of the issue's policy keeps something.
class IssuePolicyTest : public ::testing::Test {
 protected:
  IssuePolicyTest() : policy_(Policy(kIssuePolicy)) {
    input_.name = "apps/web";
    input_.tags = {
        Tag("v2", D(2), DaysAgo(300)),
        Tag("v1.2.3", D(1), DaysAgo(400)),
        Tag("main-a", D(10), DaysAgo(50)),
        Tag("main-b", D(11), DaysAgo(49)),
        Tag("main-c", D(12), DaysAgo(48)),
        Tag("main-d", D(13), DaysAgo(47)),
        Tag("latest", D(13), DaysAgo(47)),  // the same image as main-d
        Tag("0.10.0", D(20), DaysAgo(250)),
        Tag("0.9.0", D(21), DaysAgo(200)),
        Tag("0.1.0", D(22), DaysAgo(100)),
        Tag("0.0.1", D(23), DaysAgo(90)),
        Tag("feature-x", D(30), DaysAgo(10)),
        Tag("hotfix", D(31), DaysAgo(100)),
        Tag("old-but-pulled", D(32), DaysAgo(200)),
        Tag("nightly", D(33), DaysAgo(60)),
        Tag(CosignTag(D(2)), D(40), DaysAgo(1)),   // signature of v2
        Tag(CosignTag(D(10)), D(41), DaysAgo(1)),  // signature of main-a
    };
    pulls_ = {{"hotfix", DaysAgo(5)}, {D(32).ToString(), DaysAgo(20)}};
    input_.pulls = pulls_;
  }

  RetentionPolicy policy_;
  RepositoryInput input_;
  std::vector<Pull> pulls_;
};

TEST_F(IssuePolicyTest, EachEntryKeepsWhatItSays) {
  const RepositoryDecision decision = DecideRetention(policy_, input_, kNow);
  EXPECT_EQ(decision.policy, 0u);
  EXPECT_TRUE(decision.delete_untagged);
  EXPECT_FALSE(decision.protected_would_empty);
  // "every tag matching (patterns are anchored)"
  EXPECT_EQ(Find(decision, "v2").rule, "keep[0]: tags \"v[0-9]+(\\.[0-9]+)*\"");
  EXPECT_EQ(Find(decision, "v1.2.3").rule, "keep[0]: tags \"v[0-9]+(\\.[0-9]+)*\"");
  // "the 3 most recently pushed of those": main-d, main-c, main-b; not main-a.
  for (const char* tag : {"main-b", "main-c", "main-d"}) {
    EXPECT_EQ(Find(decision, tag).rule, "keep[1]: tags \"main-.*\", most_recent 3 (push)") << tag;
  }
  EXPECT_FALSE(Find(decision, "main-a").keep);
  // "by semantic version": 2.0.0 (v2), 1.2.3, 0.10.0, 0.9.0, 0.1.0 are the 5 highest.
  for (const char* tag : {"0.10.0", "0.9.0", "0.1.0"}) {
    EXPECT_EQ(Find(decision, tag).rule, "keep[2]: most_recent 5 (semver)") << tag;
  }
  EXPECT_FALSE(Find(decision, "0.0.1").keep);
  EXPECT_EQ(Find(decision, "feature-x").rule, "keep[3]: pushed_within 30d");
  EXPECT_EQ(Find(decision, "hotfix").rule, "keep[4]: pulled_within 14d");
  EXPECT_EQ(Find(decision, "hotfix").pull_time_ns, DaysAgo(5));
  // Pull ranks: hotfix (5d), feature-x (never pulled, pushed 10d ago), old-but-pulled (20d).
  EXPECT_EQ(Find(decision, "old-but-pulled").rule, "keep[5]: most_recently_pulled 3");
  EXPECT_FALSE(Find(decision, "nightly").keep);
  // "a digest that any kept tag points to keeps all its tags"
  EXPECT_EQ(Find(decision, "latest").rule,
            "keep: same image as \"main-d\" (keep[1]: tags \"main-.*\", most_recent 3 (push))");
  // "Referrers follow their subject"
  EXPECT_TRUE(Find(decision, CosignTag(D(2))).keep);
  EXPECT_FALSE(Find(decision, CosignTag(D(10))).keep);
  EXPECT_EQ(decision.DroppedTags(), (Names{"0.0.1", "main-a", "nightly", CosignTag(D(10))}));
}

TEST_F(IssuePolicyTest, WithinAnEntryTagsAndTheConditionBothHold) {
  // Entry 1 ranks only the "main-.*" tags: main-e, pushed after main-d, moves main-b out of its
  // three, and no other entry keeps main-b.
  input_.tags.push_back(Tag("main-e", D(14), DaysAgo(46)));
  const RepositoryDecision decision = DecideRetention(policy_, input_, kNow);
  EXPECT_EQ(Find(decision, "main-e").rule, "keep[1]: tags \"main-.*\", most_recent 3 (push)");
  EXPECT_FALSE(Find(decision, "main-b").keep);
}

TEST_F(IssuePolicyTest, ARepositoryNoPolicyMatchesIsUntouched) {
  input_.name = "web";  // "apps/.*" is anchored: neither "web" nor "team/apps/web" match
  EXPECT_TRUE(DecideRetention(policy_, input_, kNow).DroppedTags().empty());
  input_.name = "team/apps/web";
  const RepositoryDecision decision = DecideRetention(policy_, input_, kNow);
  EXPECT_FALSE(decision.policy);
  EXPECT_TRUE(decision.DroppedTags().empty());
}

TEST_F(IssuePolicyTest, NeverPulledTagsFallBackToPushTimeAndSaySo) {
  const RepositoryDecision decision = DecideRetention(policy_, input_, kNow);
  EXPECT_TRUE(Find(decision, "feature-x").pull_time_is_push_time);
  EXPECT_EQ(Find(decision, "feature-x").pull_time_ns, DaysAgo(10));
  EXPECT_FALSE(Find(decision, "old-but-pulled").pull_time_is_push_time);  // pulled by digest
  EXPECT_EQ(Find(decision, "old-but-pulled").pull_time_ns, DaysAgo(20));
}

TEST(IssueExamplesTest, AllowEmptyFalseIsTheSafetyValve) {
  // The issue's policy with only its time entries: a repository whose tags are all old would
  // lose every tag; with the default allow_empty: false it loses none and is reported.
  constexpr std::string_view kTimesOnly = R"(policies:
  - repositories: "apps/.*"
    delete_untagged: true
    keep:
      - pushed_within: 30d
      - pulled_within: 14d
)";
  RepositoryInput input;
  input.name = "apps/legacy";
  input.tags = {Tag("1.0", D(1), DaysAgo(365)), Tag("latest", D(1), DaysAgo(365)),
                Tag(CosignTag(D(1)), D(2), DaysAgo(365))};
  const RepositoryDecision kept = DecideRetention(Policy(kTimesOnly), input, kNow);
  EXPECT_TRUE(kept.protected_would_empty);
  EXPECT_TRUE(kept.DroppedTags().empty());

  const std::string allow_empty =
      std::string(kTimesOnly)
          .replace(std::string(kTimesOnly).find("    keep:"), 0, "    allow_empty: true\n");
  const RepositoryDecision emptied = DecideRetention(Policy(allow_empty), input, kNow);
  EXPECT_FALSE(emptied.protected_would_empty);
  EXPECT_EQ(emptied.DroppedTags(), (Names{"1.0", "latest", CosignTag(D(1))}));
  // A pull today through "latest" keeps the image (and so both tags and the signature).
  const std::vector<Pull> pulls = {{"latest", kNow - kDay}};
  input.pulls = pulls;
  EXPECT_EQ(Kept(DecideRetention(Policy(allow_empty), input, kNow)),
            (Names{"1.0", "latest", CosignTag(D(1))}));
}

}  // namespace
}  // namespace regsweep
