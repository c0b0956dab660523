// Tests for the gc what-if (--untag, --untag-regex, --delete-repo): what the dropped images
// free, who keeps the rest alive, that a dry run announces exactly what the real run frees,
// and what deleting a repository removes on disk.
#include "gc/what_if.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "gc/gc_run.h"
#include "gc/plan_file.h"
#include "gc/report.h"
#include "tests/testing/pipeline.h"
#include "tests/usage/usage_fixture.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::SharingRegistry;
using testing::TempDir;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

class WhatIfTest : public ::testing::Test {
 protected:
  WhatIfTest() : builder_(dir_.path()), r_(builder_) {}

  GcOptions Options(bool dry_run) {
    GcOptions options;
    options.root = dir_.path().string();
    options.dry_run = dry_run;
    options.policy.delete_untagged = true;
    options.policy.min_age_ns = 0;
    return options;
  }
  const KeptBlob* Kept(const WhatIf& what_if, const std::string& content) {
    for (const KeptBlob& blob : what_if.kept) {
      if (blob.digest == Sha(content)) return &blob;
    }
    return nullptr;
  }

  TempDir dir_;
  RegistryBuilder builder_;
  SharingRegistry r_;
};

TEST_F(WhatIfTest, UntagNamesWhatKeepsTheSharedLayers) {
  GcOptions options = Options(true);
  options.policy.untag.push_back(TagRef{"apps/web", "1.0"});
  const GcOutcome dry = RunGc(options);
  ASSERT_EQ(dry.exit_code, 0) << GcTextReport(dry, true);
  const WhatIf& w = dry.what_if;
  // apps/web:1.0 kept W, its config and layers, and its signature S.
  const uint64_t released = r_.W.size + r_.cW.size() + r_.os.size() + r_.libs.size() +
                            r_.web.size() + r_.S.size + r_.cS.size() + r_.sig.size();
  EXPECT_EQ(w.released_blobs, 8u);
  EXPECT_EQ(w.released_bytes, released);
  EXPECT_EQ(w.freed_bytes, released - r_.os.size() - r_.libs.size());
  ASSERT_EQ(w.kept.size(), 2u);
  const KeptBlob* os = Kept(w, r_.os);
  ASSERT_NE(os, nullptr);
  EXPECT_EQ(os->kept_by, (std::vector<std::string>{"lib/base:1.0", "lib/base:stable", "multi:1.0",
                                                   "multi:amd64"}));
  EXPECT_EQ(DescribeKept(*os), "shared with lib/base:1.0 and 3 more");
  EXPECT_EQ(DescribeKept(*Kept(w, r_.libs)), "shared with lib/base:1.0 and 1 more");
  const std::string text = GcTextReport(dry, false);
  EXPECT_NE(text.find("kept: shared with lib/base:1.0 and 3 more"), std::string::npos) << text;

  // The garbage that was there before (U, cU, old, orphan) goes as well; the announced bytes
  // are exactly what the real run frees.
  options.dry_run = false;
  const GcOutcome real = RunGc(options);
  ASSERT_EQ(real.exit_code, 0) << GcTextReport(real, true);
  EXPECT_EQ(real.FreedBytes(), dry.FreedBytes());
  EXPECT_EQ(real.what_if.freed_bytes, w.freed_bytes);
  EXPECT_FALSE(builder_.Exists(distribution::TagDir("apps/web", "1.0")));
  EXPECT_FALSE(builder_.Exists(distribution::BlobDir(Sha(r_.sig))));
  EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha(r_.os))));
}

TEST_F(WhatIfTest, WithoutDeleteUntaggedTheRevisionKeepsEverything) {
  GcOptions options = Options(true);
  options.policy.delete_untagged = false;
  options.policy.untag.push_back(TagRef{"apps/web", "1.0"});
  const GcOutcome dry = RunGc(options);
  EXPECT_EQ(dry.what_if.freed_blobs, 0u);
  const KeptBlob* web = Kept(dry.what_if, r_.web);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->kept_by, (std::vector<std::string>{
                              "apps/web@" + r_.W.digest.ToString().substr(0, 19) + " (untagged)"}));
}

TEST_F(WhatIfTest, UntagRegexDropsEveryMatchingTag) {
  GcOptions options = Options(true);
  TagPattern pattern;
  std::string why;
  ASSERT_TRUE(ParseTagPattern("mul(?:ti|x):.*", &pattern, &why)) << why;
  EXPECT_EQ(pattern.repository, "mul(?:ti|x)");
  EXPECT_EQ(pattern.tag, ".*");
  EXPECT_FALSE(ParseTagPattern("multi:(", &pattern, &why));
  EXPECT_FALSE(ParseTagPattern("no-colon", &pattern, &why));
  ASSERT_TRUE(ParseTagPattern("mul(?:ti|x):.*", &pattern, &why));
  options.policy.untag_patterns.push_back(pattern);
  const GcOutcome dry = RunGc(options);
  EXPECT_EQ(dry.plan.deleted.tags, 2u);
  // Everything of multi except the base layer os, which lib/base and apps/web keep.
  const uint64_t multi = r_.I.size + r_.A.size + r_.cA.size() + r_.amd.size() + r_.R.size +
                         r_.cR.size() + r_.arm.size();
  EXPECT_EQ(dry.what_if.freed_bytes, multi);
  ASSERT_EQ(dry.what_if.kept.size(), 1u);
  EXPECT_EQ(dry.what_if.kept[0].kept_by,
            (std::vector<std::string>{"apps/web:1.0", "lib/base:1.0", "lib/base:stable"}));

  GcOptions none = Options(true);
  ASSERT_TRUE(ParseTagPattern("nothing:.*", &pattern, &why));
  none.policy.untag_patterns.push_back(pattern);
  const GcOutcome unmatched = RunGc(none);
  EXPECT_EQ(unmatched.exit_code, 0);
  EXPECT_EQ(unmatched.problems.back().kind, "untag_regex_no_match");
}

TEST_F(WhatIfTest, DeleteRepoRemovesTheWholeRepositoryAndOnlyWhatItAloneUsed) {
  builder_.AddUpload("apps/web", "fresh-upload", "2999-01-01T00:00:00Z", "bytes");
  builder_.WriteFile("repositories/apps/web/nested/_layers/sha256/" + Sha(r_.os).Hex() + "/link",
                     Sha(r_.os).ToString());
  for (const bool delete_untagged : {false, true}) {
    SCOPED_TRACE(delete_untagged ? "-m" : "default");
    GcOptions dry = Options(true);
    dry.policy.delete_untagged = delete_untagged;
    dry.policy.delete_repositories.push_back("apps/web");
    const GcOutcome planned = RunGc(dry);
    ASSERT_EQ(planned.exit_code, 0) << GcTextReport(planned, true);
    // W, S and U with their configs and own layers; not os and libs.
    const uint64_t own = r_.W.size + r_.cW.size() + r_.web.size() + r_.S.size + r_.cS.size() +
                         r_.sig.size() + r_.U.size + r_.cU.size() + r_.old.size();
    EXPECT_EQ(planned.what_if.freed_bytes, own);
    EXPECT_EQ(planned.plan.deleted.manifests, 3u);
    EXPECT_EQ(planned.plan.deleted.uploads, 1u) << "even a fresh upload";
    if (!delete_untagged) continue;  // dry run only; the -m variant is carried out
    GcOptions real = dry;
    real.dry_run = false;
    const GcOutcome done = RunGc(real);
    ASSERT_EQ(done.exit_code, 0) << GcTextReport(done, true);
    EXPECT_EQ(done.FreedBytes(), planned.FreedBytes());
    EXPECT_FALSE(builder_.Exists(distribution::TagsDir("apps/web")));
    EXPECT_FALSE(builder_.Exists("repositories/apps/web/_layers"));
    EXPECT_FALSE(builder_.Exists("repositories/apps/web/_manifests"));
    EXPECT_FALSE(builder_.Exists("repositories/apps/web/_uploads"));
    EXPECT_TRUE(builder_.Exists("repositories/apps/web/nested/_layers")) << "another repository";
    EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha(r_.os))));
    EXPECT_TRUE(builder_.Exists(distribution::BlobData(Sha(r_.libs))));
    EXPECT_TRUE(builder_.Exists(distribution::LayerLinkDir("lib/base", Sha(r_.libs)) + "/link"));
    EXPECT_FALSE(builder_.Exists(distribution::BlobDir(Sha(r_.web))));
  }
}

TEST_F(WhatIfTest, DeletingARepositoryRemovesItsFolder) {
  GcOptions options = Options(false);
  options.policy.delete_repositories.push_back("multi");
  const GcOutcome done = RunGc(options);
  ASSERT_EQ(done.exit_code, 0) << GcTextReport(done, true);
  EXPECT_FALSE(builder_.Exists("repositories/multi"));
  EXPECT_TRUE(builder_.Exists("repositories/lib/base"));
}

TEST_F(WhatIfTest, ARepositoryKeptWholeIsNotDeleted) {
  builder_.WriteFile(distribution::BlobData(r_.U.digest), "{}");
  GcOptions options = Options(false);
  options.policy.delete_repositories.push_back("apps/web");
  const GcOutcome done = RunGc(options);
  EXPECT_EQ(done.exit_code, 1);
  EXPECT_TRUE(builder_.Exists(distribution::TagCurrentLink("apps/web", "1.0")));
  EXPECT_TRUE(builder_.Exists(distribution::RevisionDir("apps/web", r_.W.digest) + "/link"));
  bool refused = false;
  for (const Finding& f : done.problems) refused |= f.kind == "delete_repo_refused";
  EXPECT_TRUE(refused);
}

TEST_F(WhatIfTest, PlanFilesKeepTheWhatIfPolicy) {
  const std::string path = (dir_.path() / "plan.json").string();
  GcOptions options = Options(true);
  options.plan_out = path;
  options.policy.delete_repositories.push_back("multi");
  options.policy.untag_patterns.push_back(TagPattern{"lib/.*", "stable"});
  ASSERT_EQ(RunGc(options).exit_code, 0);
  SavedPlan saved;
  std::string error;
  ASSERT_TRUE(LoadPlanFile(path, &saved, &error)) << error;
  EXPECT_EQ(saved.policy.delete_repositories, std::vector<std::string>{"multi"});
  ASSERT_EQ(saved.policy.untag_patterns.size(), 1u);
  EXPECT_EQ(saved.policy.untag_patterns[0].repository, "lib/.*");
  EXPECT_EQ(saved.policy.untag_patterns[0].tag, "stable");
  GcOptions apply = Options(false);
  apply.apply_plan = path;
  const GcOutcome applied = RunGc(apply);
  ASSERT_EQ(applied.exit_code, 0) << GcTextReport(applied, true);
  EXPECT_TRUE(applied.no_longer_eligible.empty());
  EXPECT_FALSE(builder_.Exists("repositories/multi"));
  EXPECT_FALSE(builder_.Exists(distribution::TagDir("lib/base", "stable")));
  EXPECT_TRUE(builder_.Exists(distribution::TagDir("lib/base", "1.0")));
}

}  // namespace
}  // namespace regsweep
