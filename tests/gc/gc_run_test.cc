// Tests for a whole gc run: dry run equals real run, reruns are no-ops, saved plans are
// re-checked, exit codes, and nothing outside the root is touched.
#include "gc/gc_run.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/run_lock.h"
#include "gc/plan_file.h"
#include "gc/report.h"
#include "tests/testing/faulty_tree_reader.h"
#include "tests/testing/held_run_lock.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::RegistryBuilder;
using testing::TempDir;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

class GcRunTest : public ::testing::Test {
 protected:
  GcRunTest() : builder_(dir_.path()) {
    tagged_ = builder_.PushImage("lib/app", {"base", "app"});
    builder_.Tag("lib/app", "1.0", tagged_.digest);
    untagged_ = builder_.PushImage("lib/app", {"base", "old-app"});
    builder_.AddBlob("orphan");
    builder_.AddUpload("lib/app", "stale-upload", "2020-01-01T00:00:00Z", "bytes");
  }

  GcOptions Options(bool dry_run) {
    GcOptions options;
    options.root = dir_.path().string();
    options.dry_run = dry_run;
    options.policy.delete_untagged = true;
    options.policy.min_age_ns = 0;
    return options;
  }

  // The "deleted" object of a JSON report, re-serialised for comparison.
  static std::string DeletedSection(const GcOutcome& outcome) {
    simdjson::dom::parser parser;
    const std::string json = GcJsonReport(outcome);
    simdjson::dom::element root = parser.parse(json);
    return simdjson::to_string(root["deleted"]);
  }

  TempDir dir_;
  RegistryBuilder builder_;
  Blob tagged_;
  Blob untagged_;
};

TEST_F(GcRunTest, DryRunReportsExactlyWhatTheRealRunDeletes) {
  const GcOutcome dry = RunGc(Options(true));
  ASSERT_EQ(dry.exit_code, 0) << GcTextReport(dry, true);
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(untagged_.digest)))
      << "a dry run deletes nothing";
  const GcOutcome real = RunGc(Options(false));
  ASSERT_EQ(real.exit_code, 0) << GcTextReport(real, true);
  EXPECT_EQ(DeletedSection(dry), DeletedSection(real));
  EXPECT_EQ(dry.FreedBytes(), real.FreedBytes());
  const std::string untagged_config = "{\"layers\":\"base,old-app,\"}";
  EXPECT_EQ(real.FreedBytes(), untagged_.size + std::string("old-app").size() +
                                   std::string("orphan").size() + untagged_config.size());
  EXPECT_FALSE(builder_.Exists(distribution::BlobData(untagged_.digest)));
  EXPECT_FALSE(builder_.Exists(distribution::UploadDir("lib/app", "stale-upload")));
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha("base"))));
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha("app"))));

  const GcOutcome again = RunGc(Options(false));
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(again.plan.actions.empty()) << GcTextReport(again, true);
}

TEST_F(GcRunTest, JsonReportHasTheDocumentedFields) {
  const GcOutcome dry = RunGc(Options(true));
  simdjson::dom::parser parser;
  const std::string json = GcJsonReport(dry);
  simdjson::dom::element root = parser.parse(json);
  EXPECT_TRUE(bool(root["dry_run"]));
  EXPECT_EQ(std::string_view(root["layout"]), "distribution");
  EXPECT_EQ(uint64_t(root["freed_bytes"]), dry.FreedBytes());
  for (const char* list : {"manifests", "blobs", "layer_links", "tags", "uploads"}) {
    EXPECT_EQ(root["deleted"][list].error(), simdjson::SUCCESS) << list;
  }
  EXPECT_EQ(std::string_view(root["deleted"]["manifests"].at(0)["digest"]),
            untagged_.digest.ToString());
  EXPECT_EQ(std::string_view(root["deleted"]["manifests"].at(0)["repository"]), "lib/app");
  EXPECT_EQ(root["problems"].get_array().size(), 0u);
  EXPECT_EQ(uint64_t(root["kept"]["manifests"]), 1u);
}

// Only the blobs gc may delete have their data examined; kept bytes are then unknown and not
// reported (usage and audit examine every blob).
TEST_F(GcRunTest, OnlyBlobsThatMayBeDeletedAreExamined) {
  testing::FaultyTreeReader recorder;
  GcOptions options = Options(true);
  options.reader_override = &recorder;
  const GcOutcome dry = RunGc(options);
  ASSERT_EQ(dry.exit_code, 0) << GcTextReport(dry, true);
  auto examined = [&](const Digest& digest) {
    const std::string call = "stat " + (builder_.v2() / distribution::BlobData(digest)).string();
    const std::vector<std::string> calls = recorder.calls();
    return std::count(calls.begin(), calls.end(), call);
  };
  EXPECT_EQ(examined(Sha("orphan")), 1);
  EXPECT_EQ(examined(Sha("old-app")), 1);
  EXPECT_EQ(examined(untagged_.digest), 1);
  EXPECT_EQ(examined(Sha("base")), 0);
  EXPECT_EQ(examined(Sha("app")), 0);
  EXPECT_EQ(examined(tagged_.digest), 0);

  EXPECT_FALSE(dry.plan.kept_blob_bytes_known);
  EXPECT_NE(GcTextReport(dry, false)
                .find(std::to_string(dry.plan.kept.blobs) + " (sizes: regsweep usage)"),
            std::string::npos)
      << GcTextReport(dry, false);
  simdjson::dom::parser parser;
  const std::string json = GcJsonReport(dry);
  simdjson::dom::element root = parser.parse(json);
  EXPECT_EQ(uint64_t(root["kept"]["blobs"]), dry.plan.kept.blobs);
  EXPECT_EQ(root["kept"]["blob_bytes"].error(), simdjson::NO_SUCH_FIELD);
}

// An unreferenced blob of unknown age might be younger than the grace period: it stays.
TEST_F(GcRunTest, ACandidateWhoseDataCannotBeExaminedIsKept) {
  const std::string data = distribution::BlobData(Sha("orphan"));
  // Which read of a run examines the orphan's data, found by a run that only records (on one
  // thread, so that the k-th read is the same read in both runs).
  const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  testing::FaultyTreeReader recorder;
  GcOptions dry = Options(true);
  dry.reader_override = &recorder;
  RunGc(dry);
  const std::vector<std::string> calls = recorder.calls();
  const auto stat =
      std::find(calls.begin(), calls.end(), "stat " + (builder_.v2() / data).string());
  ASSERT_NE(stat, calls.end());
  testing::FaultyTreeReader reader(static_cast<int>(stat - calls.begin()) + 1);
  GcOptions options = Options(false);
  options.reader_override = &reader;
  const GcOutcome real = RunGc(options);
  EXPECT_EQ(real.exit_code, 1) << GcTextReport(real, true);
  EXPECT_TRUE(std::any_of(real.problems.begin(), real.problems.end(), [&](const Finding& f) {
    return f.kind == "unreadable" && f.path == data;
  })) << GcTextReport(real, true);
  EXPECT_TRUE(builder_.Exists(data));
  EXPECT_FALSE(builder_.Exists(distribution::BlobData(untagged_.digest)))
      << "the rest is collected";
}

TEST_F(GcRunTest, AppliedPlanSkipsWhatBecameReachable) {
  const std::string plan_path = (dir_.path() / "plan.json").string();
  GcOptions dry = Options(true);
  dry.plan_out = plan_path;
  ASSERT_EQ(RunGc(dry).exit_code, 0);
  // Between plan and apply, the untagged manifest gets a tag again.
  builder_.Tag("lib/app", "again", untagged_.digest);
  GcOptions apply = Options(false);
  apply.apply_plan = plan_path;
  const GcOutcome outcome = RunGc(apply);
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_TRUE(outcome.applied_plan);
  EXPECT_FALSE(outcome.no_longer_eligible.empty());
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(untagged_.digest)));
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha("old-app"))));
  EXPECT_TRUE(builder_.Exists(distribution::RevisionDir("lib/app", untagged_.digest) + "/link"));
  EXPECT_FALSE(builder_.Exists(distribution::BlobDir(Sha("orphan"))));
}

TEST_F(GcRunTest, ThePlanFileIsReplacedAtomically) {
  // A reader that opened the old plan (as `--apply` might be doing) keeps reading it whole: the
  // new plan goes to a temporary file that is renamed over it, never written in place.
  const boost::filesystem::path plan = dir_.path() / "plan.json";
  const std::string old_plan = "{\"format\": \"regsweep-plan\", \"old\": true}\n";
  std::ofstream(plan.string()) << old_plan;
  std::ifstream reader(plan.string());
  GcOptions dry = Options(true);
  dry.plan_out = plan.string();
  ASSERT_EQ(RunGc(dry).exit_code, 0);
  const std::string seen((std::istreambuf_iterator<char>(reader)),
                         std::istreambuf_iterator<char>());
  EXPECT_EQ(seen, old_plan);
  SavedPlan saved;
  std::string error;
  ASSERT_TRUE(LoadPlanFile(plan.string(), &saved, &error)) << error;
  EXPECT_GT(saved.action_count, 0u);
  for (const auto& entry : boost::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
  // A plan that cannot be written ends the run before anything is deleted.
  GcOptions real = Options(false);
  real.plan_out = (dir_.path() / "no/such/folder/plan.json").string();
  const GcOutcome failed = RunGc(real);
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_NE(failed.fatal.find("cannot write plan"), std::string::npos) << failed.fatal;
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha("orphan"))));
}

TEST_F(GcRunTest, ExitCodes) {
  GcOptions missing = Options(true);
  missing.root = (dir_.path() / "nothing-here").string();
  const GcOutcome none = RunGc(missing);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.fatal.find("no registry"), std::string::npos);

  builder_.WriteFile(distribution::BlobData(tagged_.digest), "{}");  // tampered tagged manifest
  const GcOutcome problems = RunGc(Options(false));
  EXPECT_EQ(problems.exit_code, 1);
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(untagged_.digest))) << "kept whole";
  EXPECT_FALSE(builder_.Exists(distribution::BlobDir(Sha("orphan")))) << "unrelated garbage goes";

  builder_.WriteFile(std::string(kLockFileName), "pid=1 host=x started=y\n");
  const GcOutcome locked = RunGc(Options(false));
  EXPECT_EQ(locked.exit_code, 2);
  EXPECT_NE(locked.fatal.find("stale lock"), std::string::npos);
}

TEST_F(GcRunTest, ADryRunWaitsForTheRunThatHoldsTheLock) {
  // What a run would delete means nothing while another is deleting (core/registry_run).
  testing::HeldRunLock lock(builder_.v2());
  ASSERT_TRUE(lock.held()) << lock.error();
  const GcOutcome busy = RunGc(Options(true));
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_NE(busy.fatal.find("is changing"), std::string::npos) << busy.fatal;
  EXPECT_NE(busy.fatal.find("collect it once that run has finished"), std::string::npos)
      << busy.fatal;
  const GcOutcome real = RunGc(Options(false));
  EXPECT_EQ(real.exit_code, 2);
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha("orphan")))) << "nothing deleted";
  lock.Release();
  const GcOutcome after = RunGc(Options(true));
  EXPECT_EQ(after.exit_code, 0) << after.fatal;
  // The phases are timed in order, once each.
  std::vector<std::string> phases;
  for (const auto& [phase, seconds] : after.timings) phases.push_back(phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"scan", "manifests", "mark", "plan"}));
}

TEST_F(GcRunTest, AcceptsTheV2FolderAsRoot) {
  GcOptions options = Options(true);
  options.root = builder_.v2().string();
  const GcOutcome outcome = RunGc(options);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_GT(outcome.plan.actions.size(), 0u);
}

TEST_F(GcRunTest, NothingOutsideTheRootIsTouched) {
  TempDir outside;
  RegistryBuilder victim(outside.path());
  const Blob precious = victim.PushImage("victim", {"precious"});
  // Symlinks from inside the registry to the victim's folders, where gc deletes things.
  ASSERT_EQ(symlink((victim.v2() / "repositories" / "victim").c_str(),
                    (builder_.v2() / "repositories" / "lib" / "evil").c_str()),
            0);
  ASSERT_EQ(symlink((victim.v2() / "blobs" / "sha256").c_str(),
                    (builder_.v2() / "blobs" / "sha512").c_str()),
            0);
  const std::string layers = "repositories/lib/app/_layers/sha256/" + Sha("precious").Hex();
  boost::filesystem::create_directories((builder_.v2() / layers).parent_path());
  ASSERT_EQ(symlink((victim.v2() / distribution::LayerLinkDir("victim", Sha("precious"))).c_str(),
                    (builder_.v2() / layers).c_str()),
            0);
  GcOptions options = Options(false);
  options.policy.prune_empty_repositories = true;
  RunGc(options);
  EXPECT_TRUE(victim.Exists(distribution::BlobData(precious.digest)));
  EXPECT_TRUE(victim.Exists(distribution::BlobData(Sha("precious"))));
  EXPECT_TRUE(victim.Exists(distribution::LayerLinkDir("victim", Sha("precious")) + "/link"));
  EXPECT_TRUE(victim.Exists(distribution::RevisionDir("victim", precious.digest) + "/link"));
}

}  // namespace
}  // namespace regsweep
