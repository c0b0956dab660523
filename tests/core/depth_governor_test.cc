// Tests for the depth governor: its rule, and the TBB thread limit it sets from the samples it
// is given (the reading tests in io_depth_test.cc check that slow reads keep the full depth).
#include "core/depth_governor.h"

#include <gtest/gtest.h>

namespace regsweep {
namespace {

size_t ActiveThreadLimit() {
  return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
}

// `cpu` seconds of CPU and `sleeps` sleeps, 10 ms after `last`.
ProcessSample Next(const ProcessSample& last, double cpu, long sleeps) {
  return {last.wall_seconds + 0.01, last.cpu_seconds + cpu, last.sleeps + sleeps};
}

TEST(NextThreadLimitTest, SaturatedCoresHalveTheLimitDownToTheCores) {
  EXPECT_EQ(NextThreadLimit(64, 0.95, 500, 2, 64), 32u);
  EXPECT_EQ(NextThreadLimit(3, 1.0, 0, 2, 64), 2u);
  EXPECT_EQ(NextThreadLimit(2, 1.0, 0, 2, 64), 2u);
}

TEST(NextThreadLimitTest, WaitingThreadsDoubleTheLimitUpToTheDepth) {
  // Every running thread slept while the cores idled: reads are waiting.
  EXPECT_EQ(NextThreadLimit(2, 0.6, 2, 2, 64), 4u);
  // Less than half a core busy: waiting, even on reads slower than a period (no sleep in it).
  EXPECT_EQ(NextThreadLimit(2, 0.1, 0, 2, 64), 4u);
  EXPECT_EQ(NextThreadLimit(48, 0.05, 100, 2, 64), 64u);
  EXPECT_EQ(NextThreadLimit(64, 0.05, 100, 2, 64), 64u);
}

TEST(NextThreadLimitTest, ASerialPartOrCoresNearlyBusyKeepTheLimit) {
  // One thread of two computing alone, the other idle: more threads would not help.
  EXPECT_EQ(NextThreadLimit(2, 0.5, 1, 2, 64), 2u);
  EXPECT_EQ(NextThreadLimit(16, 0.8, 1000, 2, 64), 16u);
}

TEST(DepthGovernorTest, FollowsTheSamplesBetweenTheCoresAndTheDepth) {
  const size_t before = ActiveThreadLimit();
  {
    DepthGovernor governor(2, 16, DepthGovernor::Sampling::kByCaller);
    EXPECT_EQ(governor.limit(), 16u) << "a phase starts at the full depth";
    EXPECT_EQ(ActiveThreadLimit(), before);
    ProcessSample sample;
    governor.Observe(sample);
    EXPECT_EQ(governor.limit(), 16u) << "one sample is no period yet";
    // The cores saturated, nobody waiting: a warm cache.
    for (const unsigned expected : {8u, 4u, 2u, 2u}) {
      sample = Next(sample, 0.02, 0);
      governor.Observe(sample);
      EXPECT_EQ(governor.limit(), expected);
      EXPECT_EQ(ActiveThreadLimit(), expected);
    }
    // One thread interning alone: half the cores, hardly a sleep.
    sample = Next(sample, 0.01, 1);
    governor.Observe(sample);
    EXPECT_EQ(governor.limit(), 2u);
    // Then the reads wait.
    for (const unsigned expected : {4u, 8u, 16u, 16u}) {
      sample = Next(sample, 0.002, 40);
      governor.Observe(sample);
      EXPECT_EQ(governor.limit(), expected);
    }
    EXPECT_EQ(ActiveThreadLimit(), before) << "at the full depth the governor sets no limit";
    sample = Next(sample, 0.02, 0);
    governor.Observe(sample);
    EXPECT_EQ(ActiveThreadLimit(), 8u);
  }
  EXPECT_EQ(ActiveThreadLimit(), before) << "the limit goes with the governor";
}

TEST(DepthGovernorTest, OnlyOneGovernsAndNoneWithoutThreadsBeyondTheCores) {
  DepthGovernor first(2, 16, DepthGovernor::Sampling::kByCaller);
  DepthGovernor second(2, 16, DepthGovernor::Sampling::kByCaller);
  DepthGovernor shallow(4, 4, DepthGovernor::Sampling::kByCaller);
  ProcessSample sample;
  for (int i = 0; i < 3; ++i) {
    first.Observe(sample);
    second.Observe(sample);
    shallow.Observe(sample);
    sample = Next(sample, 0.04, 0);
  }
  EXPECT_EQ(first.limit(), 4u);
  EXPECT_EQ(second.limit(), 16u);
  EXPECT_EQ(shallow.limit(), 4u);
  EXPECT_EQ(ActiveThreadLimit(), 4u);
}

}  // namespace
}  // namespace regsweep
