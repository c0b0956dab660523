// Tests for reading retention policy files: the format, and one error per way a file can be
// wrong, each with its line and column.
#include "gc/retention/policy_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/retention/retention_testing.h"

namespace regsweep {
namespace {

using retention_testing::Contains;
using retention_testing::kDay;
using retention_testing::kHour;
using retention_testing::Policy;
using retention_testing::PolicyError;
using retention_testing::StartsWith;

TEST(PolicyFileTest, ReadsEveryField) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "apps/.*"
    delete_untagged: true
    allow_empty: true
    keep:
      - tags: "main-.*"
        most_recent: 3
      - most_recent: 5
        order: semver
      - pushed_within: 1h30m
      - tags: rel-.*
        pulled_within: 14d
      - most_recently_pulled: 2
  - repositories: legacy/.*
    keep: []
)");
  ASSERT_EQ(policy.policies.size(), 2u);
  const RepositoryPolicy& apps = policy.policies[0];
  EXPECT_EQ(apps.repositories.source, "apps/.*");
  EXPECT_TRUE(apps.delete_untagged);
  EXPECT_TRUE(apps.allow_empty);
  EXPECT_EQ(apps.line, 2);
  ASSERT_EQ(apps.keep.size(), 5u);
  EXPECT_EQ(apps.keep[0].tags->source, "main-.*");
  EXPECT_EQ(apps.keep[0].condition, KeepCondition::kMostRecent);
  EXPECT_EQ(apps.keep[0].count, 3);
  EXPECT_EQ(apps.keep[0].order, RecentOrder::kPush);
  EXPECT_EQ(apps.keep[0].line, 6);
  EXPECT_FALSE(apps.keep[1].tags.has_value());
  EXPECT_EQ(apps.keep[1].order, RecentOrder::kSemver);
  EXPECT_EQ(apps.keep[2].condition, KeepCondition::kPushedWithin);
  EXPECT_EQ(apps.keep[2].within_ns, kHour * 3 / 2);
  EXPECT_EQ(apps.keep[3].condition, KeepCondition::kPulledWithin);
  EXPECT_EQ(apps.keep[3].within_ns, 14 * kDay);
  EXPECT_EQ(apps.keep[4].condition, KeepCondition::kMostRecentlyPulled);
  EXPECT_EQ(apps.keep[4].count, 2);

  const RepositoryPolicy& legacy = policy.policies[1];
  EXPECT_FALSE(legacy.delete_untagged);
  EXPECT_FALSE(legacy.allow_empty);  // the default
  EXPECT_TRUE(legacy.keep.empty());
  EXPECT_TRUE(policy.UsesPulls());
}

TEST(PolicyFileTest, DescribesEntriesAsWritten) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: a
    keep:
      - tags: "main-.*"
        most_recent: 3
      - most_recent: 5
        order: semver
      - pushed_within: 30d
      - pulled_within: 14d
      - most_recently_pulled: 3
      - tags: latest
)");
  const std::vector<KeepEntry>& keep = policy.policies[0].keep;
  EXPECT_EQ(keep[0].Describe(), "tags \"main-.*\", most_recent 3 (push)");
  EXPECT_EQ(keep[1].Describe(), "most_recent 5 (semver)");
  EXPECT_EQ(keep[2].Describe(), "pushed_within 30d");
  EXPECT_EQ(keep[3].Describe(), "pulled_within 14d");
  EXPECT_EQ(keep[4].Describe(), "most_recently_pulled 3");
  EXPECT_EQ(keep[5].Describe(), "tags \"latest\"");
}

TEST(PolicyFileTest, PatternsAreAnchored) {
  const RetentionPolicy policy = Policy(R"(policies:
  - repositories: "app|team/.*"
    keep: [{tags: "v1"}]
)");
  EXPECT_EQ(policy.Find("app"), 0u);
  EXPECT_EQ(policy.Find("team/web"), 0u);
  EXPECT_FALSE(policy.Find("apps"));
  EXPECT_FALSE(policy.Find("my/app"));
  EXPECT_FALSE(policy.Find("other/team/web"));
  const NamePattern& tags = *policy.policies[0].keep[0].tags;
  EXPECT_TRUE(tags.Matches("v1"));
  EXPECT_FALSE(tags.Matches("v10"));
  EXPECT_FALSE(tags.Matches("xv1"));
}

TEST(PolicyFileTest, EmptyPolicyListMatchesNothing) {
  const RetentionPolicy policy = Policy("policies: []\n");
  EXPECT_TRUE(policy.policies.empty());
  EXPECT_FALSE(policy.Find("anything"));
  EXPECT_FALSE(policy.UsesPulls());
}

TEST(PolicyFileTest, YamlSyntaxErrorHasItsLine) {
  const std::string error = PolicyError("policies:\n  - repositories: [a\n    keep: []\n");
  EXPECT_TRUE(StartsWith(error, "policy.yaml:"));
  // yaml-cpp reports the unterminated flow sequence where it gave up.
  EXPECT_TRUE(Contains(error, "end of sequence flow not found"));
  EXPECT_TRUE(
      StartsWith(PolicyError("policies:\n  - repositories: a\n   keep: []\n"), "policy.yaml:3:"));
}

TEST(PolicyFileTest, UnknownKeysAreErrors) {
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    kep: []\n"),
            "policy.yaml:3:5: unknown key \"kep\" in a policy (expected repositories, "
            "delete_untagged, allow_empty, keep)");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - tag: x\n"),
            "policy.yaml:4:9: unknown key \"tag\" in a keep entry (expected tags, most_recent, "
            "order, pushed_within, pulled_within, most_recently_pulled)");
  EXPECT_TRUE(StartsWith(PolicyError("policy:\n  - repositories: a\n"),
                         "policy.yaml:1:1: unknown key \"policy\" in the policy file"));
  EXPECT_TRUE(
      StartsWith(PolicyError("policies:\n  - repositories: a\n    keep: []\n    keep: []\n"),
                 "policy.yaml:4:5: duplicate key \"keep\""));
}

TEST(PolicyFileTest, WrongTypesAreErrors) {
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: \"5\"\n"),
            "policy.yaml:4:22: \"most_recent\" must be a number, not the string \"5\"");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: five\n"),
            "policy.yaml:4:22: \"most_recent\" must be a whole number, not \"five\"");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: 2.5\n"),
            "policy.yaml:4:22: \"most_recent\" must be a whole number, not \"2.5\"");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    allow_empty: yes\n    keep: []\n"),
            "policy.yaml:3:18: \"allow_empty\" must be true or false, not \"yes\"");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep: latest\n"),
            "policy.yaml:3:11: `keep` must be a list, not the scalar \"latest\"");
  EXPECT_EQ(PolicyError("policies:\n  repositories: a\n"),
            "policy.yaml:2:3: `policies` must be a list, not a mapping");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: [a, b]\n    keep: []\n"),
            "policy.yaml:2:19: \"repositories\" needs a value, not a list");
  EXPECT_EQ(PolicyError("policies:\n  - repositories:\n    keep: []\n"),
            "policy.yaml:2:5: \"repositories\" needs a value, not nothing");
  EXPECT_EQ(PolicyError("policies:\n  - keep\n"),
            "policy.yaml:2:5: a policy must be a mapping, not the scalar \"keep\"");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - latest\n"),
            "policy.yaml:4:9: a keep entry must be a mapping, not the scalar \"latest\"");
}

TEST(PolicyFileTest, BadRegularExpressionIsAnError) {
  const std::string error =
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - tags: \"v[0-9\"\n");
  EXPECT_TRUE(StartsWith(error, "policy.yaml:4:15: bad regular expression \"v[0-9\" for \"tags\""));
  EXPECT_TRUE(StartsWith(PolicyError("policies:\n  - repositories: \"(apps\"\n    keep: []\n"),
                         "policy.yaml:2:19: bad regular expression \"(apps\""));
  EXPECT_EQ(PolicyError("policies:\n  - repositories: \"\"\n    keep: []\n"),
            "policy.yaml:2:19: empty pattern for \"repositories\"");
}

TEST(PolicyFileTest, BadDurationIsAnError) {
  EXPECT_EQ(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - pushed_within: 30 days\n"),
      "policy.yaml:4:24: bad duration \"30 days\" for \"pushed_within\" (expected e.g. 30d, "
      "12h, 1h30m, 90s)");
  EXPECT_TRUE(StartsWith(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - pulled_within: -1d\n"),
      "policy.yaml:4:24: bad duration \"-1d\""));
  EXPECT_TRUE(StartsWith(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - pulled_within: 2w\n"),
      "policy.yaml:4:24: bad duration \"2w\""));
  EXPECT_EQ(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - pulled_within: 99999999d\n"),
      "policy.yaml:4:24: duration \"99999999d\" is longer than 100 years");
}

TEST(PolicyFileTest, NegativeCountIsAnError) {
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: -1\n"),
            "policy.yaml:4:22: negative count -1 for \"most_recent\"");
  EXPECT_EQ(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recently_pulled: -3\n"),
      "policy.yaml:4:31: negative count -3 for \"most_recently_pulled\"");
  EXPECT_EQ(
      PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: 99999999999\n"),
      "policy.yaml:4:22: count 99999999999 is too large");
}

TEST(PolicyFileTest, TwoConditionsInOneEntryAreAnError) {
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: 3\n"
                        "        pushed_within: 7d\n"),
            "policy.yaml:5:9: two conditions in one keep entry (most_recent and pushed_within): "
            "a tag is kept if any entry keeps it, so write them as separate entries");
}

TEST(PolicyFileTest, OrderNeedsMostRecent) {
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - order: semver\n"
                        "        pushed_within: 7d\n"),
            "policy.yaml:4:9: `order` only applies to `most_recent`");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - tags: v.*\n"
                        "        order: semver\n"),
            "policy.yaml:5:9: `order` only applies to `most_recent`");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - most_recent: 1\n"
                        "        order: newest\n"),
            "policy.yaml:5:16: `order` must be push or semver, not \"newest\"");
}

TEST(PolicyFileTest, MissingOrEmptyPartsAreErrors) {
  EXPECT_EQ(PolicyError("policies:\n  - keep: []\n"),
            "policy.yaml:2:5: policy without `repositories` pattern");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    delete_untagged: true\n"),
            "policy.yaml:2:5: policy without `keep` list (`keep: [{tags: \".*\"}]` keeps every "
            "tag)");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - {}\n"),
            "policy.yaml:4:9: empty keep entry: give `tags`, a condition, or both");
  EXPECT_EQ(PolicyError(""), "policy.yaml:1:1: empty policy file (expected `policies:`)");
  EXPECT_EQ(PolicyError("# only a comment\n"),
            "policy.yaml:1:1: empty policy file (expected `policies:`)");
  EXPECT_EQ(PolicyError("other: 1\n"),
            "policy.yaml:1:1: unknown key \"other\" in the policy file (expected policies)");
  EXPECT_EQ(PolicyError("- a\n"), "policy.yaml:1:1: expected a mapping with a `policies:` list");
  EXPECT_TRUE(StartsWith(PolicyError("policies: []\n---\npolicies: []\n"),
                         "policy.yaml:3:1: more than one YAML document"));
}

TEST(PolicyFileTest, UnclosedQuoteIsAnError) {
  // yaml-cpp alone would read this as the pattern "v.* ", which matches no tag.
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - tags: \"v.*\n"),
            "policy.yaml:4:15: quoted string never closed");
  EXPECT_EQ(PolicyError("policies:\n  - repositories: a\n    keep:\n      - tags: 'v.*\n"),
            "policy.yaml:4:15: quoted string never closed");
  // Escaped quotes inside closed strings are fine.
  const RetentionPolicy policy =
      Policy("policies:\n  - repositories: 'it''s'\n    keep:\n      - tags: \"a\\\"b\"\n");
  EXPECT_EQ(policy.policies[0].repositories.source, "it's");
  EXPECT_EQ(policy.policies[0].keep[0].tags->source, "a\"b");
}

TEST(PolicyFileTest, LoadsFromAFile) {
  const std::string path = ::testing::TempDir() + "retention_policy_test.yaml";
  {
    std::ofstream out(path);
    out << "policies:\n  - repositories: a\n    keep:\n      - most_recent: -2\n";
  }
  RetentionPolicy policy;
  std::string error;
  EXPECT_FALSE(LoadRetentionPolicyFile(path, &policy, &error));
  EXPECT_EQ(error, path + ":4:22: negative count -2 for \"most_recent\"");
  {
    std::ofstream out(path);
    out << "policies:\n  - repositories: a\n    keep:\n      - most_recent: 2\n";
  }
  EXPECT_TRUE(LoadRetentionPolicyFile(path, &policy, &error)) << error;
  EXPECT_EQ(policy.policies.size(), 1u);
  std::remove(path.c_str());

  EXPECT_FALSE(LoadRetentionPolicyFile(path, &policy, &error));
  EXPECT_EQ(error, path + ": cannot open the policy file");
}

TEST(PolicyFileTest, ErrorLeavesTheOutputUnchanged) {
  RetentionPolicy policy = Policy("policies:\n  - repositories: a\n    keep: []\n");
  std::string error;
  EXPECT_FALSE(ParseRetentionPolicy("policies:\n  - repositories: b\n    keep: [{}]\n", "p.yaml",
                                    &policy, &error));
  ASSERT_EQ(policy.policies.size(), 1u);
  EXPECT_EQ(policy.policies[0].repositories.source, "a");
}

}  // namespace
}  // namespace regsweep
