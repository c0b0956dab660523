// Tests for the sweep: it removes exactly the plan, and stops after a failed phase so a kept
// manifest never loses a blob.
#include "gc/sweep.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/pipeline.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::FaultyStorage;
using testing::Pipeline;
using testing::RegistryBuilder;
using testing::TempDir;

GcPolicy Policy() {
  GcPolicy policy;
  policy.delete_untagged = true;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  return policy;
}

class SweepTest : public ::testing::Test {
 protected:
  SweepTest() : builder_(dir_.path()) {
    kept_ = builder_.PushImage("a", {"shared", "kept-only"});
    builder_.Tag("a", "v1", kept_.digest);
    garbage_ = builder_.PushImage("a", {"shared", "garbage-only"});
    builder_.PushImage("b", {"b-garbage"});
  }
  TempDir dir_;
  RegistryBuilder builder_;
  Blob kept_;
  Blob garbage_;
};

TEST_F(SweepTest, RemovesExactlyThePlanAndASecondPlanIsEmpty) {
  Pipeline first(builder_, Policy());
  ASSERT_GT(first.plan().actions.size(), 0u);
  const SweepResult result = Sweep(first.plan(), first.storage());
  EXPECT_TRUE(result.failures.empty());
  for (size_t i = 0; i < first.plan().actions.size(); ++i) {
    EXPECT_EQ(result.done[i], 1);
    EXPECT_FALSE(builder_.Exists(first.plan().Path(first.plan().actions[i])))
        << first.plan().Path(first.plan().actions[i]);
  }
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(kept_.digest)));
  EXPECT_TRUE(builder_.Exists(distribution::RevisionDir("a", kept_.digest)));
  EXPECT_TRUE(
      builder_.Exists(distribution::BlobData(HashBytes(DigestAlgorithm::kSha256, "shared"))));
  EXPECT_FALSE(builder_.Exists(distribution::BlobData(garbage_.digest)));

  Pipeline second(builder_, Policy());
  EXPECT_TRUE(second.plan().actions.empty());
}

TEST_F(SweepTest, FailureStopsBeforeTheNextPhase) {
  Pipeline pipeline(builder_, Policy());
  const Plan& plan = pipeline.plan();
  // Fail the first revision removal: no layer link and no blob may be removed after it.
  size_t first_revision = 0;
  while (plan.actions[first_revision].kind != ActionKind::kDeleteRevision) ++first_revision;
  FaultyStorage faulty(pipeline.storage(), static_cast<int>(first_revision) + 1);
  const SweepResult result = Sweep(plan, faulty);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].kind, "delete_failed");
  EXPECT_NE(result.failures[0].reason.find("injected"), std::string::npos);
  EXPECT_TRUE(result.stopped_early);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (plan.actions[i].kind == ActionKind::kDeleteLayerLink ||
        plan.actions[i].kind == ActionKind::kDeleteBlob) {
      EXPECT_EQ(result.done[i], 0);
      EXPECT_TRUE(builder_.Exists(plan.Path(plan.actions[i]))) << plan.Path(plan.actions[i]);
    }
  }
  // A rerun finishes the job and ends in the same tree as an uninterrupted run.
  Pipeline rerun(builder_, Policy());
  const SweepResult finished = Sweep(rerun.plan(), rerun.storage());
  EXPECT_TRUE(finished.failures.empty());
  Pipeline after(builder_, Policy());
  EXPECT_TRUE(after.plan().actions.empty());
  EXPECT_FALSE(builder_.Exists(distribution::BlobData(garbage_.digest)));
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(kept_.digest)));
}

TEST_F(SweepTest, CallsFollowThePlanOrder) {
  Pipeline pipeline(builder_, Policy());
  FaultyStorage recording(pipeline.storage());
  Sweep(pipeline.plan(), recording);
  const auto calls = recording.calls();
  ASSERT_EQ(calls.size(), pipeline.plan().actions.size());
  size_t last_blob_phase_start = calls.size();
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].find("remove_tree blobs/") == 0 && last_blob_phase_start == calls.size()) {
      last_blob_phase_start = i;
    }
    if (i > last_blob_phase_start) {
      EXPECT_EQ(calls[i].find("remove_tree repositories/"), std::string::npos) << calls[i];
    }
  }
}

// Records the batches it is given and removes through `real`.
class BatchRecorder : public Storage {
 public:
  explicit BatchRecorder(Storage& real) : real_(real) {}
  StorageStatus RemoveTree(const std::string& relative) override {
    ADD_FAILURE() << "a path outside a batch: " << relative;
    return real_.RemoveTree(relative);
  }
  std::vector<StorageStatus> RemoveTrees(const std::vector<std::string>& batch,
                                         const std::function<void()>& removed) override {
    batches.push_back(batch);
    return real_.RemoveTrees(batch, removed);
  }
  StorageStatus RemoveEmptyDir(const std::string& relative) override {
    return real_.RemoveEmptyDir(relative);
  }
  FileStat Stat(const std::string& relative, int* error) override {
    return real_.Stat(relative, error);
  }
  StorageStatus Rename(const std::string& relative, const Folder& destination,
                       const std::string& to) override {
    return real_.Rename(relative, destination, to);
  }
  std::vector<std::vector<std::string>> batches;

 private:
  Storage& real_;
};

TEST_F(SweepTest, EachPhaseReachesTheStorageAsOneBatchInPlanOrder) {
  Pipeline pipeline(builder_, Policy());
  const Plan& plan = pipeline.plan();
  BatchRecorder recorder(pipeline.storage());
  const SweepResult result = Sweep(plan, recorder);
  EXPECT_TRUE(result.failures.empty());
  std::vector<std::vector<std::string>> phases;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (i == 0 || plan.actions[i].kind != plan.actions[i - 1].kind) phases.emplace_back();
    phases.back().push_back(plan.Path(plan.actions[i]));
  }
  ASSERT_GE(phases.size(), 3u) << "revisions, layer links and blobs at least";
  EXPECT_EQ(recorder.batches, phases);
  Pipeline after(builder_, Policy());
  EXPECT_TRUE(after.plan().actions.empty());
}

}  // namespace
}  // namespace regsweep
