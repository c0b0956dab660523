// Tests for PeriodicThread: it ticks until destroyed, and never after.
#include "core/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace regsweep {
namespace {

TEST(PeriodicThreadTest, TicksEveryPeriodUntilDestroyedAndNeverAfter) {
  std::atomic<int> ticks{0};
  {
    const PeriodicThread thread(std::chrono::milliseconds(1), [&] { ++ticks; });
    while (ticks.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int stopped_at = ticks.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ticks.load(), stopped_at);
}

TEST(PeriodicThreadTest, DestroyedWithinAPeriodNeverTicks) {
  std::atomic<int> ticks{0};
  {
    const PeriodicThread thread(std::chrono::hours(1), [&] { ++ticks; });
  }
  EXPECT_EQ(ticks.load(), 0);
}

}  // namespace
}  // namespace regsweep
