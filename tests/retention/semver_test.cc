// Tests for semantic version precedence of tags.
#include "gc/retention/semver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace regsweep {
namespace {

TEST(SemVerTest, ParsesVersions) {
  for (const char* good :
       {"1", "1.2", "1.2.3", "v1.2.3", "V2", "1.2.3-rc.1", "1.0.0-alpha-1", "1.2.3+build.5",
        "1.2.3-rc.1+b", "2024.01.15", "0.0.0", "123456789012345678901234567890.0.1"}) {
    EXPECT_TRUE(ParseSemVer(good)) << good;
  }
  for (const char* bad :
       {"", "v", "latest", "main-abc123", "1.2.3.4", "1.", ".1", "1..2", "v1.x", "1.2.3-",
        "1.2.3-rc..1", "1.2.3+", "1.2.3-rc_1", "sha256-abc", "vv1", "1.2.3 "}) {
    EXPECT_FALSE(ParseSemVer(bad)) << bad;
  }
  const SemVer v = *ParseSemVer("v01.002.3-rc.1+build");
  EXPECT_EQ(v.major, "1");
  EXPECT_EQ(v.minor, "2");
  EXPECT_EQ(v.patch, "3");
  EXPECT_EQ(v.prerelease, "rc.1");
}

TEST(SemVerTest, FollowsSemver2Precedence) {
  // The example of semver.org, item 11, in ascending order.
  const std::vector<std::string> ascending = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                              "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                              "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                              "1.1.0",       "1.9.0",         "1.10.0",
                                              "2.0.0",       "10.0.0"};
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(CompareTagVersions(ascending[i], ascending[j]), expected)
          << ascending[i] << " vs " << ascending[j];
    }
  }
}

TEST(SemVerTest, MissingPartsAndPrefixesAreEqual) {
  EXPECT_EQ(CompareTagVersions("1", "1.0.0"), 0);
  EXPECT_EQ(CompareTagVersions("v1.2", "1.2.0"), 0);
  EXPECT_EQ(CompareTagVersions("1.2.3+a", "1.2.3+b"), 0);  // build metadata ignored
  EXPECT_EQ(CompareTagVersions("2024.01.15", "2024.1.15"), 0);
  EXPECT_LT(CompareTagVersions("2024.01.15", "2024.02.01"), 0);
  EXPECT_LT(CompareTagVersions("1.2.3-alpine", "1.2.3"), 0);  // a pre-release, by semver
  EXPECT_GT(CompareTagVersions("99999999999999999999999.0", "99999999999999999999998.9"), 0);
}

TEST(SemVerTest, NonVersionsSortBelowEveryVersion) {
  EXPECT_LT(CompareTagVersions("latest", "0.0.1-alpha"), 0);
  EXPECT_GT(CompareTagVersions("0.0.0", "zzz"), 0);
  EXPECT_EQ(CompareTagVersions("latest", "main"), 0);

  std::vector<std::string> tags = {"latest", "1.10.0", "v1.9.0", "main", "2.0.0-rc.1", "2.0.0"};
  std::stable_sort(tags.begin(), tags.end(), [](const std::string& a, const std::string& b) {
    return CompareTagVersions(a, b) > 0;
  });
  EXPECT_EQ(tags, (std::vector<std::string>{"2.0.0", "2.0.0-rc.1", "1.10.0", "v1.9.0", "latest",
                                            "main"}));
}

}  // namespace
}  // namespace regsweep
