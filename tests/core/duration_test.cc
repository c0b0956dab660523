// Tests for duration parsing and formatting.
#include "core/duration.h"

#include <gtest/gtest.h>

namespace regsweep {
namespace {

constexpr int64_t kS = 1000000000;

TEST(DurationTest, Parses) {
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_EQ(ParseDuration("90s"), 90 * kS);
  EXPECT_EQ(ParseDuration("30m"), 1800 * kS);
  EXPECT_EQ(ParseDuration("1h"), 3600 * kS);
  EXPECT_EQ(ParseDuration("7d"), int64_t{7} * 86400 * kS);
  EXPECT_EQ(ParseDuration("1h30m"), 5400 * kS);
  EXPECT_EQ(ParseDuration("168h"), int64_t{168} * 3600 * kS);
  EXPECT_EQ(ParseDuration("250ms"), kS / 4);
}

TEST(DurationTest, Rejects) {
  for (const char* bad : {"", "h", "1", "1x", "-1h", "1h-", "1.5h", "99999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
}

TEST(DurationTest, Formats) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(5400 * kS), "1h30m");
  EXPECT_EQ(FormatDuration(int64_t{7} * 86400 * kS), "7d");
}

}  // namespace
}  // namespace regsweep
