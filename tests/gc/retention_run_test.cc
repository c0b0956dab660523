// gc --policy end to end on registries built on disk: which tag folders and blobs a retention
// policy's run removes, the dry run and the saved plan, the safety valves, and the refusals
// (bad policy file, pull rules without logs). The decision rules themselves are tested in
// tests/retention/.
#include "gc/retention_run.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/distribution_layout.h"
#include "core/format.h"
#include "core/fs.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::RegistryBuilder;
using testing::TempDir;

constexpr int64_t kDay = int64_t{86400};
constexpr int64_t kNow = int64_t{1796400000};  // 2026-12-05, seconds since the epoch

class RetentionRunTest : public ::testing::Test {
 protected:
  RetentionRunTest() : builder_(dir_.path()) {
    v1_ = builder_.PushImage("apps/web", {"base", "web-v1"});
    main1_ = builder_.PushImage("apps/web", {"base", "web-main-1"});
    main2_ = builder_.PushImage("apps/web", {"base", "web-main-2"});
    main3_ = builder_.PushImage("apps/web", {"base", "web-main-3"});
    signature_ = builder_.PushImage("apps/web", {"signature-of-main-1"});
    sbom_ = builder_.PushImage("apps/web", {"sbom-of-main-2"}, testing::kOciManifest, main2_);
    other_ = builder_.PushImage("other/x", {"other-layer"});
    builder_.Tag("apps/web", "v1.0", v1_.digest);
    builder_.Tag("apps/web", "main-1", main1_.digest);
    builder_.Tag("apps/web", "main-2", main2_.digest);
    builder_.Tag("apps/web", "main-3", main3_.digest);
    builder_.Tag("apps/web", "latest", main3_.digest);  // same image as main-3
    builder_.Tag("apps/web", "sha256-" + main1_.digest.Hex() + ".sig", signature_.digest);
    builder_.Tag("other/x", "old", other_.digest);
    builder_.SetAllMtimes(kNow - 30 * kDay);
    Pushed("v1.0", 20);
    Pushed("main-1", 10);
    Pushed("main-2", 5);
    Pushed("main-3", 1);
    Pushed("latest", 1);
  }

  // Sets the push time of apps/web:`tag` to `days_ago` days before kNow.
  void Pushed(const std::string& tag, int64_t days_ago) {
    const struct timespec times[2] = {{kNow - days_ago * kDay, 0}, {kNow - days_ago * kDay, 0}};
    const std::string link =
        (builder_.v2() / distribution::TagCurrentLink("apps/web", tag)).string();
    ASSERT_EQ(utimensat(AT_FDCWD, link.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << link;
  }

  std::string WritePolicy(const std::string& yaml) {
    std::string path = (dir_.path() / "policy.yaml").string();
    std::ofstream(path) << yaml;
    return path;
  }

  GcOptions Options(const std::string& policy_path, bool dry_run) {
    GcOptions options;
    options.root = dir_.path().string();
    options.dry_run = dry_run;
    options.retention_policy = policy_path;
    options.policy.min_age_ns = 0;
    options.policy.now_ns = kNow * 1000000000;
    return options;
  }

  bool HasTag(const std::string& repository, const std::string& tag) const {
    return builder_.Exists(distribution::TagDir(repository, tag));
  }
  bool HasBlob(const Blob& blob) const {
    return builder_.Exists(distribution::BlobDir(blob.digest));
  }

  static const TagDecision* Decision(const GcOutcome& outcome, const std::string& tag) {
    for (const RepositoryRetention& repository : outcome.retention.repositories) {
      for (const TagDecision& decision : repository.decision.tags) {
        if (decision.tag == tag) return &decision;
      }
    }
    return nullptr;
  }

  TempDir dir_;
  RegistryBuilder builder_;
  Blob v1_, main1_, main2_, main3_, signature_, sbom_, other_;
};

constexpr const char* kPolicy = R"(policies:
  - repositories: "apps/.*"
    delete_untagged: true
    keep:
      - tags: "v[0-9.]+"
      - tags: "main-.*"
        most_recent: 1
)";

TEST_F(RetentionRunTest, UntagsWhatThePolicyDropsAndCollectsTheImagesOnlyTheyUsed) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(kPolicy), /*dry_run=*/false));
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_TRUE(HasTag("apps/web", "v1.0"));
  EXPECT_TRUE(HasTag("apps/web", "main-3"));
  EXPECT_TRUE(HasTag("apps/web", "latest")) << "same image as the kept main-3 (gitlab#351538)";
  EXPECT_FALSE(HasTag("apps/web", "main-1"));
  EXPECT_FALSE(HasTag("apps/web", "main-2"));
  EXPECT_FALSE(HasTag("apps/web", "sha256-" + main1_.digest.Hex() + ".sig"))
      << "a signature follows its subject";
  EXPECT_TRUE(HasBlob(v1_) && HasBlob(main3_));
  EXPECT_FALSE(HasBlob(main1_) || HasBlob(main2_) || HasBlob(signature_) || HasBlob(sbom_))
      << "delete_untagged collects the dropped images, their signature and their SBOM";
  EXPECT_TRUE(HasTag("other/x", "old")) << "no policy matches other/x";
  EXPECT_TRUE(HasBlob(other_));
  EXPECT_EQ(outcome.policy.delete_untagged_repositories, std::vector<std::string>{"apps/web"});
}

TEST_F(RetentionRunTest, UntaggedManifestsOfRepositoriesWithoutThePolicyStay) {
  const Blob untagged = builder_.PushImage("other/x", {"untagged-layer"});
  builder_.SetAllMtimes(kNow - 30 * kDay);
  const GcOutcome outcome = RunGc(Options(WritePolicy(kPolicy), /*dry_run=*/false));
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_TRUE(HasBlob(untagged)) << "delete_untagged is the policy's, for apps/.* only";
}

TEST_F(RetentionRunTest, TheDryRunListsEveryTagWithItsRuleTimesAndBytesAndDeletesNothing) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(kPolicy), /*dry_run=*/true));
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_TRUE(HasTag("apps/web", "main-1") && HasBlob(main1_));
  const TagDecision* main1 = Decision(outcome, "main-1");
  ASSERT_NE(main1, nullptr);
  EXPECT_FALSE(main1->keep);
  EXPECT_EQ(main1->push_time_ns, (kNow - 10 * kDay) * 1000000000);
  const TagDecision* v1 = Decision(outcome, "v1.0");
  ASSERT_NE(v1, nullptr);
  EXPECT_TRUE(v1->keep);
  EXPECT_NE(v1->rule.find("keep[0]"), std::string::npos) << v1->rule;
  const std::string text = GcTextReport(outcome, false);
  EXPECT_NE(text.find("drop main-1  pushed " + FormatUtcTime(main1->push_time_ns)),
            std::string::npos)
      << text;
  EXPECT_GT(outcome.what_if.freed_blobs, 0u);
  const std::string json = GcJsonReport(outcome);
  EXPECT_NE(json.find("\"retention\":"), std::string::npos);
  EXPECT_NE(json.find("\"tag\":\"main-2\""), std::string::npos) << json;
}

TEST_F(RetentionRunTest, TheBytesADroppedTagFreesAreThoseOfItsImageThePlanDeletes) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(kPolicy), /*dry_run=*/true));
  ASSERT_EQ(outcome.exit_code, 0);
  uint64_t main1_frees = 0;
  uint64_t dropped_total = 0;
  for (const RepositoryRetention& repository : outcome.retention.repositories) {
    for (size_t t = 0; t < repository.decision.tags.size(); ++t) {
      if (repository.decision.tags[t].tag == "main-1") main1_frees = repository.frees_bytes[t];
      if (repository.decision.tags[t].keep) {
        EXPECT_EQ(repository.frees_bytes[t], 0u);
      }
      dropped_total += repository.frees_bytes[t];
    }
  }
  EXPECT_GT(main1_frees, main1_.size) << "its manifest and more";
  EXPECT_LE(main1_frees, outcome.FreedBytes());
  EXPECT_EQ(dropped_total, outcome.FreedBytes())
      << "main-1 and main-2 (with the signature and SBOM) share nothing the plan deletes";
}

TEST_F(RetentionRunTest, ASavedPlanReplaysTheDroppedTagsWithoutThePolicy) {
  const std::string plan = (dir_.path() / "plan.json").string();
  GcOptions dry = Options(WritePolicy(kPolicy), /*dry_run=*/true);
  dry.plan_out = plan;
  ASSERT_EQ(RunGc(dry).exit_code, 0);
  // The policy would now decide otherwise (main-1 pushed again, newest); the plan does not.
  Pushed("main-1", 0);
  GcOptions apply;
  apply.root = dir_.path().string();
  apply.apply_plan = plan;
  const GcOutcome applied = RunGc(apply);
  ASSERT_EQ(applied.exit_code, 0) << GcTextReport(applied, true);
  EXPECT_FALSE(HasTag("apps/web", "main-1"));
  EXPECT_FALSE(HasTag("apps/web", "main-2"));
  EXPECT_FALSE(HasBlob(main2_) || HasBlob(sbom_));
  EXPECT_TRUE(HasTag("apps/web", "main-3") && HasBlob(main3_));
}

TEST_F(RetentionRunTest, APolicyThatWouldDropEveryTagDropsNone) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(R"(policies:
  - repositories: "apps/web"
    delete_untagged: true
    keep:
      - tags: "release-.*"
)"),
                                          /*dry_run=*/false));
  EXPECT_EQ(outcome.exit_code, 0);
  for (const char* tag : {"v1.0", "main-1", "main-2", "main-3", "latest"}) {
    EXPECT_TRUE(HasTag("apps/web", tag)) << tag;
  }
  EXPECT_TRUE(HasBlob(main1_) && HasBlob(sbom_));
  bool reported = false;
  for (const Finding& finding : outcome.problems) {
    reported =
        reported || (finding.kind == "retention_would_empty" && finding.repository == "apps/web");
  }
  EXPECT_TRUE(reported);
}

TEST_F(RetentionRunTest, ABadPolicyFileIsAnErrorWithItsLineAndNothingIsDeleted) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(R"(policies:
  - repositories: "apps/.*"
    keep:
      - tags: "v.*"
        most_recnt: 3
)"),
                                          /*dry_run=*/false));
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.fatal.find("policy.yaml:5:"), std::string::npos) << outcome.fatal;
  EXPECT_TRUE(HasTag("apps/web", "main-1") && HasBlob(main1_));
}

TEST_F(RetentionRunTest, PullRulesWithoutAccessLogsAreRefused) {
  const GcOutcome outcome = RunGc(Options(WritePolicy(R"(policies:
  - repositories: "apps/.*"
    keep:
      - pulled_within: 14d
)"),
                                          /*dry_run=*/false));
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.fatal.find("--access-log"), std::string::npos) << outcome.fatal;
  EXPECT_TRUE(HasTag("apps/web", "main-1"));
}

TEST_F(RetentionRunTest, APullByTagInTheLogsKeepsTheImageTheTagPointedAt) {
  const std::string log = (dir_.path() / "registry.log").string();
  std::ofstream(log) << "time=\"" << FormatUtcTime((kNow - 2 * kDay) * 1000000000)
                     << "\" level=info msg=\"response completed\" http.request.method=GET "
                        "http.request.uri=/v2/apps/web/manifests/main-1 "
                        "http.response.status=200\n";
  GcOptions options = Options(WritePolicy(R"(policies:
  - repositories: "apps/.*"
    keep:
      - tags: "v.*"
      - pulled_within: 3d
)"),
                              /*dry_run=*/false);
  options.access_logs = {log};
  const GcOutcome outcome = RunGc(options);
  ASSERT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
  EXPECT_TRUE(HasTag("apps/web", "main-1")) << "pulled two days ago";
  EXPECT_TRUE(HasTag("apps/web", "main-3")) << "never pulled: pushed a day ago counts";
  EXPECT_FALSE(HasTag("apps/web", "main-2")) << "never pulled, and pushed five days ago";
  EXPECT_EQ(outcome.access_log_stats.pulls, 1u);
}

}  // namespace
}  // namespace regsweep
