// Crash and fault tolerance of the sweep, through the storage seam: on a real registry tree
// (demo/registry, pushed with skopeo), fail the k-th storage operation for every k and several
// errnos. Each run must report the failure and exit non-zero, leave a tree where every
// servable manifest still has every blob it needs, and a rerun must end in exactly the tree an
// uninterrupted run produces.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "core/fs.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/agreement.h"
#include "tests/testing/consistency.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::CheckConsistency;
using testing::CopyAgedTree;
using testing::FaultyStorage;
using testing::ListTree;
using testing::TempDir;

using testing::CollectAgedTree;
using testing::DemoRegistry;

using testing::V2Of;

// "+path" for what only `actual` has, "-path" for what only `expected` has.
std::string Difference(const std::vector<std::string>& actual,
                       const std::vector<std::string>& expected) {
  std::vector<std::string> extra;
  std::vector<std::string> missing;
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing));
  std::string out;
  for (const auto& path : extra) out += "+" + path + "\n";
  for (const auto& path : missing) out += "-" + path + "\n";
  return out;
}

// Runs gc through a FaultyStorage that fails call `fail_at` with `error`; returns the outcome.
GcOutcome RunWithFault(const std::string& root, bool delete_untagged, int fail_at, int error,
                       std::vector<std::string>* calls = nullptr) {
  const Folder v2(UniqueFd(open(V2Of(root).c_str(), O_RDONLY | O_DIRECTORY)));
  PosixStorage real(v2);
  FaultyStorage faulty(real, fail_at, error);
  GcOptions options = CollectAgedTree(root, delete_untagged);
  options.storage_override = &faulty;
  GcOutcome outcome = RunGc(options);
  if (calls != nullptr) *calls = faulty.calls();
  return outcome;
}

class FaultInjectionTest : public ::testing::TestWithParam<bool> {};

TEST_P(FaultInjectionTest, EveryFailurePointLeavesAConsistentTreeAndARerunFinishes) {
  const bool delete_untagged = GetParam();
  TempDir dir(/*in_memory=*/true);
  const std::string reference = (dir.path() / "reference").string();
  CopyAgedTree(DemoRegistry(), reference);
  ASSERT_TRUE(CheckConsistency(V2Of(reference)).empty()) << "the demo tree starts consistent";
  std::vector<std::string> calls;
  const GcOutcome clean = RunWithFault(reference, delete_untagged, 0, 0, &calls);
  ASSERT_EQ(clean.exit_code, 0) << GcTextReport(clean, true);
  ASSERT_GT(calls.size(), 10u) << "the demo must give the sweep real work";
  const std::vector<std::string> expected = ListTree(V2Of(reference));
  EXPECT_TRUE(CheckConsistency(V2Of(reference)).empty());

  for (const int error : {EIO, ENOSPC, EACCES, ENOENT}) {
    for (size_t k = 1; k <= calls.size(); ++k) {
      const std::string root =
          (dir.path() / ("run-" + std::to_string(error) + "-" + std::to_string(k))).string();
      CopyAgedTree(DemoRegistry(), root);
      const GcOutcome failed = RunWithFault(root, delete_untagged, static_cast<int>(k), error);
      const std::string context =
          "fail call " + std::to_string(k) + " (" + calls[k - 1] + ") with " + std::strerror(error);
      EXPECT_EQ(failed.exit_code, 1) << context;
      EXPECT_TRUE(std::any_of(failed.problems.begin(), failed.problems.end(), [](const Finding& f) {
        return f.kind == "delete_failed";
      })) << context;
      const auto violations = CheckConsistency(V2Of(root));
      EXPECT_TRUE(violations.empty()) << context << ": " << violations.front();
      // The sweep stopped half way: audit and gc agree on what is left to collect.
      if (error == EIO) {
        EXPECT_EQ(testing::OrphansDisagreeWithGc(root), "") << context;
      }
      const GcOutcome rerun = RunWithFault(root, delete_untagged, 0, 0);
      EXPECT_EQ(rerun.exit_code, 0) << context << "\n" << GcTextReport(rerun, true);
      EXPECT_EQ(Difference(ListTree(V2Of(root)), expected), "") << context;
      boost::filesystem::remove_all(root);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Roots, FaultInjectionTest, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "DeleteUntagged" : "AllRevisions";
                         });

}  // namespace
}  // namespace regsweep
