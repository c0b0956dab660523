// Tests for --io-depth: the reads of a scan, of the manifests and of the plan are kept in flight
// up to the depth asked for, however few cores there are, and the result does not depend on it.
#include "core/io_depth.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/latency_tree_reader.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::TempDir;

class IoDepthTest : public ::testing::Test {
 protected:
  IoDepthTest() : builder_(dir_.path()) {
    // One repository with many revisions and tags (its links are read in parallel too), and a
    // few small ones.
    for (int i = 0; i < 48; ++i) {
      const auto image = builder_.PushImage("big/app", {"layer-" + std::to_string(i)});
      if (i % 3 == 0) builder_.Tag("big/app", "v" + std::to_string(i), image.digest);
    }
    for (int r = 0; r < 4; ++r) {
      const std::string repository = "small/r" + std::to_string(r);
      builder_.Tag(repository, "latest", builder_.PushImage(repository, {"base"}).digest);
    }
    builder_.AddBlob("orphan");
    builder_.SetAllMtimes(1000000000);
  }

  // A dry run with every read taking 2 ms, as on a slow network store.
  GcOutcome DryRun(unsigned depth, LatencyTreeReader* probe) {
    GcOptions options;
    options.root = builder_.root().string();
    options.dry_run = true;
    options.policy.delete_untagged = true;
    options.io_depth = depth;
    options.reader_override = probe;
    return RunGc(options);
  }

  static std::vector<std::string> ActionKeys(const GcOutcome& outcome) {
    std::vector<std::string> keys;
    for (const Action& action : outcome.plan.actions) keys.push_back(outcome.plan.Key(action));
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  TempDir dir_;
  RegistryBuilder builder_;
};

TEST_F(IoDepthTest, ReadsStayInFlightUpToTheDepthWhateverTheCoreCount) {
  LatencyTreeReader probe(DefaultTreeReader(), std::chrono::milliseconds(2));
  const GcOutcome outcome = DryRun(16, &probe);
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_GE(probe.peak_in_flight(), 8)
      << "reads in flight at depth 16 on " << std::thread::hardware_concurrency() << " cores";
  EXPECT_LE(probe.peak_in_flight(), 16);
}

TEST_F(IoDepthTest, DepthOneReadsOneThingAtATime) {
  LatencyTreeReader probe(DefaultTreeReader(), std::chrono::milliseconds(2));
  const GcOutcome outcome = DryRun(1, &probe);
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_EQ(probe.peak_in_flight(), 1);
}

TEST_F(IoDepthTest, ThePlanDoesNotDependOnTheDepth) {
  LatencyTreeReader shallow_probe(DefaultTreeReader(), std::chrono::milliseconds(2));
  LatencyTreeReader deep_probe(DefaultTreeReader(), std::chrono::milliseconds(2));
  const GcOutcome shallow = DryRun(1, &shallow_probe);
  const GcOutcome deep = DryRun(32, &deep_probe);
  ASSERT_EQ(shallow.exit_code, 0) << GcTextReport(shallow, true);
  ASSERT_EQ(deep.exit_code, 0) << GcTextReport(deep, true);
  // 32 untagged images of big/app go, with their layers, and the orphan.
  EXPECT_EQ(shallow.plan.deleted.manifests, 32u);
  EXPECT_EQ(ActionKeys(shallow), ActionKeys(deep));
  EXPECT_EQ(shallow_probe.requests(), deep_probe.requests()) << "the same reads, only sooner";
}

// Counts the tasks waiting at once, as if on a read of `wait`; peak() is the most at once.
class InFlight {
 public:
  void Wait(std::chrono::milliseconds wait) {
    const int now = ++in_flight_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(wait);
    --in_flight_;
  }
  int peak() const { return peak_.load(); }

 private:
  std::atomic<int> in_flight_{0};
  std::atomic<int> peak_{0};
};

TEST(RunWithIoDepth, ComputesUnderALowerLimitOfTheCaller) {
  // Under a caller's limit of one thread (--jobs 1, or a test that needs a fixed read order) the
  // depth gives no extra threads: the smallest limit in force wins.
  InFlight tasks;
  RunWithThreads(1, 1, [&] {
    RunWithIoDepth(8, [&] {
      tbb::parallel_for(0, 32, [&](int) { tasks.Wait(std::chrono::milliseconds(1)); });
    });
  });
  EXPECT_EQ(tasks.peak(), 1);
}

TEST(RunWithIoDepth, ReadsThatStartToWaitAfterAComputingStartGetTheDepthBack) {
  // The first part only computes (a warm cache: the governor lowers the thread limit towards
  // the cores), the second waits 2 ms per task (a cold part of the tree): it must get its
  // threads back.
  InFlight tasks;
  size_t lowered = 0;
  RunWithIoDepth(16, [&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    tbb::parallel_for(0, 4096, [&](int) {
      volatile uint64_t sum = 0;
      while (std::chrono::steady_clock::now() < until && sum < 1000000) sum = sum + 1;
    });
    lowered = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
    tbb::parallel_for(0, 512, [&](int) { tasks.Wait(std::chrono::milliseconds(2)); });
  });
  EXPECT_GE(tasks.peak(), 8) << "thread limit after the computing part: " << lowered;
}

}  // namespace
}  // namespace regsweep
