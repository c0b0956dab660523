// Read faults and files vanishing during the scan, through the read seam (core/tree_reader.h):
// on a real registry tree (demo/registry, pushed with skopeo), disturb the k-th read of a
// whole gc run (scan and manifest loading) for every k, with and without --delete-untagged.
//
// A failed read (EIO) must be reported with exit 1, and the run must delete nothing an
// undisturbed run keeps. A file or folder removed just before it is read (as if something
// else deleted it at that moment) may legitimately make more garbage, but the collection must
// never break an image: the tree after gc has no consistency violation that the same tree with
// the same removal, left alone, does not have.
//
// TBB runs on one thread here so that "the k-th read" is the same read in every run.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <iterator>

#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/agreement.h"
#include "tests/testing/consistency.h"
#include "tests/testing/faulty_tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::CheckConsistency;
using testing::CopyAgedTree;
using testing::FaultyTreeReader;
using testing::ListTree;
using testing::TempDir;

using testing::CollectAgedTree;
using testing::DemoRegistry;
using testing::Missing;

using testing::V2Of;

GcOptions Options(const std::string& root, bool delete_untagged, TreeReader* reader) {
  GcOptions options = CollectAgedTree(root, delete_untagged);
  options.reader_override = reader;
  return options;
}

class ReadFaultTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    reference_ = (dir_.path() / "reference").string();
    CopyAgedTree(DemoRegistry(), reference_);
    FaultyTreeReader counting;
    const GcOutcome clean = RunGc(Options(reference_, GetParam(), &counting));
    ASSERT_EQ(clean.exit_code, 0) << GcTextReport(clean, true);
    reads_ = counting.calls();
    ASSERT_GT(reads_.size(), 50u) << "the demo must give the scan real work";
    // The planner's grace-period stats of `_layers` links are reads of the seam too.
    ASSERT_TRUE(std::any_of(reads_.begin(), reads_.end(), [](const std::string& read) {
      return read.compare(0, 5, "stat ") == 0 && read.find("/_layers/") != std::string::npos;
    })) << "no link age was read through the seam";
    kept_by_clean_run_ = ListTree(V2Of(reference_));
    pristine_ = Fresh("pristine");
  }

  std::string Fresh(const std::string& name) {
    std::string root = (dir_.path() / name).string();
    fs::remove_all(root);
    CopyAgedTree(DemoRegistry(), root);
    return root;
  }

  tbb::global_control one_thread_{tbb::global_control::max_allowed_parallelism, 1};
  TempDir dir_{/*in_memory=*/true};
  std::string reference_;
  std::string pristine_;  // an undisturbed copy
  std::vector<std::string> reads_;
  std::vector<std::string> kept_by_clean_run_;
};

TEST_P(ReadFaultTest, AFailedReadIsReportedAndDeletesNothingNeeded) {
  for (size_t k = 1; k <= reads_.size(); ++k) {
    const std::string root = Fresh("run");
    FaultyTreeReader reader(static_cast<int>(k), FaultyTreeReader::Mode::kFail, EIO);
    const GcOutcome outcome = RunGc(Options(root, GetParam(), &reader));
    const std::string context = "read " + std::to_string(k) + " (" + reads_[k - 1] + ") failed";
    EXPECT_EQ(outcome.exit_code, 1) << context << "\n" << GcTextReport(outcome, true);
    const auto wrongly_deleted = Missing(ListTree(V2Of(root)), kept_by_clean_run_);
    EXPECT_TRUE(wrongly_deleted.empty()) << context << ": deleted " << wrongly_deleted.front();
    const auto violations = CheckConsistency(V2Of(root));
    EXPECT_TRUE(violations.empty()) << context << ": " << violations.front();
  }
}

TEST_P(ReadFaultTest, AFileVanishingDuringTheScanNeverBreaksAnImage) {
  for (size_t k = 1; k <= reads_.size(); ++k) {
    const std::string root = Fresh("run");
    FaultyTreeReader reader(static_cast<int>(k), FaultyTreeReader::Mode::kVanish);
    const GcOutcome outcome = RunGc(Options(root, GetParam(), &reader));
    const std::string context = "read " + std::to_string(k) + " (" + reads_[k - 1] + ")";
    EXPECT_NE(outcome.exit_code, 2) << context << ": " << outcome.fatal;
    const std::string removed = reader.removed();  // empty when the read was of nothing
    ASSERT_TRUE(removed.empty() || removed.compare(0, root.size() + 1, root + "/") == 0)
        << context << ": " << removed;

    // The same tree with the same removal, without gc: the removed entry is moved aside in the
    // undisturbed copy for the check, then put back.
    std::vector<std::string> before;
    if (removed.empty()) {
      before = CheckConsistency(V2Of(pristine_));
    } else {
      const fs::path original = pristine_ + removed.substr(root.size());
      const fs::path aside = dir_.path() / "aside";
      fs::rename(original, aside);
      before = CheckConsistency(V2Of(pristine_));
      // The damaged tree: audit and gc agree on what is collectable in it.
      EXPECT_EQ(testing::OrphansDisagreeWithGc(pristine_), "") << context << " removed";
      fs::rename(aside, original);
    }
    const auto after = CheckConsistency(V2Of(root));
    const auto broken_by_gc = Missing(before, after);
    EXPECT_TRUE(broken_by_gc.empty())
        << context << " vanished; gc then broke: " << broken_by_gc.front() << "\n"
        << GcTextReport(outcome, true);
  }
}

INSTANTIATE_TEST_SUITE_P(Roots, ReadFaultTest, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "DeleteUntagged" : "AllRevisions";
                         });

}  // namespace
}  // namespace regsweep
