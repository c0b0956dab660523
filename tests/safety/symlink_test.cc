// Symbolic links the registry follows: an operator moves part of the tree to another disk and
// leaves a symlink in its place. docker-registry serves what lies behind it; regsweep never
// follows one, so it cannot know what those images use.
//
// Below `repositories/` (at every level: the folder itself, a namespace, a repository,
// `_manifests`, revisions, an algorithm folder, a revision, its link file, tags, a tag, its
// `current` folder and link, its index, `_layers` and below, `_uploads`): gc, plain and with
// --delete-untagged, and --apply of a plan made before the link appeared, exit 1 naming the link
// (`blob_sweep_refused`) and delete no blob; nothing behind the link changes. audit exits 1
// naming it and reports no orphan; usage exits 1 and says its figures exclude it.
//
// In `blobs/` (a shard, a blob folder, `data`): the blobs behind the link are neither collected
// nor counted as present; a manifest stored there keeps its repository whole.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <functional>

#include "audit/check/audit_run.h"
#include "audit/usage/report.h"
#include "audit/usage/usage_run.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/agreement.h"
#include "tests/testing/consistency.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::Blob;
using testing::ListTree;
using testing::RegistryBuilder;
using testing::TempDir;

// team/app: a multi-arch index (tag v1) with a referrer, and an untagged image;
// keep/base: a tagged image and an untagged one; an orphan blob.
struct Scene {
  explicit Scene(const fs::path& dir) : registry(dir / "registry"), elsewhere(dir / "elsewhere") {
    fs::create_directories(elsewhere);
    amd64 = registry.PushImage("team/app", {"amd64-layer"});
    arm64 = registry.PushImage("team/app", {"arm64-layer"});
    index = registry.PushIndex("team/app", {amd64, arm64});
    registry.Tag("team/app", "v1", index.digest);
    registry.PushImage("team/app", {"signature"}, testing::kOciManifest, index);
    untagged = registry.PushImage("team/app", {"old-app-layer"});
    registry.AddUpload("team/app", "0c6f3a4e-7a34-4b0b-9b0a-2a8f3f1d9e11", "2020-01-01T00:00:00Z",
                       "partial");
    base = registry.PushImage("keep/base", {"base-layer"});
    registry.Tag("keep/base", "1.0", base.digest);
    registry.PushImage("keep/base", {"old-base-layer"});
    registry.AddBlob("orphan");
  }

  // Moves `relative` (below v2) out of the tree and leaves a symlink to it in its place.
  std::string MoveOutAndLink(const std::string& relative) {
    const fs::path moved = elsewhere / std::to_string(++moves);
    fs::rename(registry.v2() / relative, moved);
    EXPECT_EQ(symlink(moved.c_str(), (registry.v2() / relative).c_str()), 0) << relative;
    return relative;
  }

  std::vector<std::string> Blobs() const {
    std::vector<std::string> blobs;
    for (const std::string& path : ListTree(registry.v2().string())) {
      if (path.compare(0, 6, "blobs/") == 0) blobs.push_back(path);
    }
    return blobs;
  }

  RegistryBuilder registry;
  fs::path elsewhere;
  int moves = 0;
  Blob amd64, arm64, index, untagged, base;
};

struct Level {
  const char* name;
  std::function<std::string(const Scene&)> path;  // below v2
  // gc and usage read only what decides reachability: a `_layers` link file is never opened
  // (its folder's name is the digest), so a link there decides nothing and goes unnoticed by
  // them (audit, which reads every link, reports it).
  bool decides_reachability = true;
};

void PrintTo(const Level& level, std::ostream* os) { *os << level.name; }

std::string Revisions(const Scene&) {
  return distribution::RepositoryDir("team/app") + "/_manifests/revisions";
}

const Level kLevels[] = {
    {"repositories", [](const Scene&) { return std::string("repositories"); }},
    {"namespace", [](const Scene&) { return std::string("repositories/team"); }},
    {"repository", [](const Scene&) { return distribution::RepositoryDir("team/app"); }},
    {"manifests",
     [](const Scene&) { return distribution::RepositoryDir("team/app") + "/_manifests"; }},
    {"revisions", Revisions},
    {"revisions_algorithm", [](const Scene& s) { return Revisions(s) + "/sha256"; }},
    {"revision",
     [](const Scene& s) { return distribution::RevisionDir("team/app", s.amd64.digest); }},
    {"revision_link",
     [](const Scene& s) {
       return distribution::RevisionDir("team/app", s.index.digest) + "/link";
     }},
    {"tags", [](const Scene&) { return distribution::TagsDir("team/app"); }},
    {"tag", [](const Scene&) { return distribution::TagDir("team/app", "v1"); }},
    {"tag_current",
     [](const Scene&) { return distribution::TagDir("team/app", "v1") + "/current"; }},
    {"tag_current_link",
     [](const Scene&) { return distribution::TagCurrentLink("team/app", "v1"); }},
    {"tag_index", [](const Scene&) { return distribution::TagDir("team/app", "v1") + "/index"; }},
    {"layers", [](const Scene&) { return distribution::RepositoryDir("team/app") + "/_layers"; }},
    {"layers_algorithm",
     [](const Scene&) { return distribution::RepositoryDir("team/app") + "/_layers/sha256"; }},
    {"layer_link_folder",
     [](const Scene&) {
       return distribution::LayerLinkDir("team/app",
                                         HashBytes(DigestAlgorithm::kSha256, "amd64-layer"));
     }},
    {"layer_link",
     [](const Scene&) {
       return distribution::LayerLinkDir("team/app",
                                         HashBytes(DigestAlgorithm::kSha256, "amd64-layer")) +
              "/link";
     },
     false},
    {"uploads", [](const Scene&) { return distribution::RepositoryDir("team/app") + "/_uploads"; }},
};

// A finding of `kind` naming the link, or a path below it (a link met while opening a longer
// path is reported at the path that could not be opened).
bool Names(const Findings& findings, const std::string& kind, const std::string& link) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.kind == kind && f.severity == Severity::kError &&
           f.path.compare(0, link.size(), link) == 0;
  });
}

class RepositorySymlinkTest : public ::testing::TestWithParam<Level> {
 protected:
  GcOptions Gc(bool delete_untagged) const {
    GcOptions options;
    options.root = scene_.registry.root().string();
    options.policy.delete_untagged = delete_untagged;
    options.policy.min_age_ns = 0;
    options.policy.upload_max_age_ns = 0;
    options.policy.prune_empty_repositories = true;
    return options;
  }

  TempDir dir_{/*in_memory=*/true};
  Scene scene_{dir_.path()};
};

TEST_P(RepositorySymlinkTest, GcDeletesNoBlobAndSaysWhy) {
  // A plan reviewed before the folder was moved, applied after.
  GcOptions planning = Gc(true);
  planning.dry_run = true;
  planning.plan_out = (dir_.path() / "plan.json").string();
  const GcOutcome planned = RunGc(planning);
  ASSERT_EQ(planned.exit_code, 0) << GcTextReport(planned, true);
  ASSERT_GT(planned.plan.deleted.blobs, 0u) << "the plan must hold blob deletions to refuse";

  const std::string link = scene_.MoveOutAndLink(GetParam().path(scene_));
  const std::vector<std::string> blobs = scene_.Blobs();
  const std::vector<std::string> behind = ListTree(scene_.elsewhere.string());
  if (!GetParam().decides_reachability) {
    const GcOutcome outcome = RunGc(Gc(true));
    EXPECT_EQ(outcome.exit_code, 0) << GcTextReport(outcome, true);
    EXPECT_TRUE(fs::is_symlink(scene_.registry.v2() / link));
    EXPECT_EQ(ListTree(scene_.elsewhere.string()), behind) << "changed behind the link";
    return;
  }
  // Plain, -m, and -m dropping images (--untag, --untag-regex, --delete-repo) elsewhere.
  for (int variant = 0; variant < 3; ++variant) {
    GcOptions options = Gc(variant != 0);
    if (variant == 2) {
      options.policy.untag.push_back(TagRef{"keep/base", "1.0"});
      options.policy.untag_patterns.push_back(TagPattern{"team/.*", ".*"});
      options.policy.delete_repositories.push_back("keep/base");
    }
    const GcOutcome outcome = RunGc(options);
    const std::string report = GcTextReport(outcome, true);
    EXPECT_EQ(outcome.exit_code, 1) << report;
    EXPECT_TRUE(Names(outcome.problems, "blob_sweep_refused", link)) << report;
    EXPECT_NE(report.find("bind mount"), std::string::npos) << report;
    EXPECT_EQ(outcome.plan.deleted.blobs, 0u) << report;
  }
  GcOptions applying = Gc(true);
  applying.apply_plan = planning.plan_out;
  const GcOutcome applied = RunGc(applying);
  EXPECT_EQ(applied.exit_code, 1) << GcTextReport(applied, true);
  EXPECT_TRUE(Names(applied.problems, "blob_sweep_refused", link)) << GcTextReport(applied, true);
  EXPECT_EQ(scene_.Blobs(), blobs) << "a blob was deleted";
  EXPECT_EQ(ListTree(scene_.elsewhere.string()), behind) << "changed behind the link";
  EXPECT_TRUE(fs::is_symlink(scene_.registry.v2() / link));
}

TEST_P(RepositorySymlinkTest, AuditNamesItAndReportsNoOrphan) {
  const std::string link = scene_.MoveOutAndLink(GetParam().path(scene_));
  audit::AuditOptions options;
  options.root = scene_.registry.root().string();
  const audit::AuditOutcome outcome = audit::RunAudit(options);
  EXPECT_EQ(outcome.exit_code, 1);
  // A link file gc never reads is a bad link to audit, not an unknown part of the tree.
  EXPECT_TRUE(
      Names(outcome.findings, GetParam().decides_reachability ? "symlink" : "bad_link", link));
  if (GetParam().decides_reachability) {
    EXPECT_EQ(outcome.counts.orphan_blobs, 0u);
  }
  EXPECT_EQ(testing::OrphansDisagreeWithGc(scene_.registry.root().string()), "");
}

TEST_P(RepositorySymlinkTest, UsageSaysItsFiguresExcludeIt) {
  const std::string link = scene_.MoveOutAndLink(GetParam().path(scene_));
  usage::UsageOptions options;
  options.root = scene_.registry.root().string();
  const usage::UsageOutcome outcome = usage::RunUsage(options);
  if (!GetParam().decides_reachability) {
    EXPECT_EQ(outcome.exit_code, 0);
    return;
  }
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_TRUE(Names(outcome.problems, "usage_incomplete", link));
  EXPECT_TRUE(outcome.usage.images_hidden);
  const std::string text = usage::TextReport(outcome, usage::ReportOptions());
  EXPECT_EQ(text.find("INCOMPLETE"), text.find('\n') + 1) << text;
  EXPECT_NE(text.find("gc frees none"), std::string::npos) << text;
  for (const auto& row : outcome.usage.repositories) EXPECT_EQ(row.exclusive_bytes, 0u) << row.name;
}

INSTANTIATE_TEST_SUITE_P(Levels, RepositorySymlinkTest, ::testing::ValuesIn(kLevels),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// The blob store: what lies behind a link is neither collected nor present.
class BlobSymlinkTest : public ::testing::Test {
 protected:
  GcOutcome Collect() {
    GcOptions options;
    options.root = scene_.registry.root().string();
    options.policy.delete_untagged = true;
    options.policy.min_age_ns = 0;
    return RunGc(options);
  }

  TempDir dir_{/*in_memory=*/true};
  Scene scene_{dir_.path()};
};

TEST_F(BlobSymlinkTest, AnOrphanBehindALinkIsNotCollected) {
  const Digest orphan = HashBytes(DigestAlgorithm::kSha256, "orphan");
  for (const std::string& link : {distribution::BlobData(orphan), distribution::BlobDir(orphan)}) {
    SCOPED_TRACE(link);
    const std::string moved = scene_.MoveOutAndLink(link);
    const std::vector<std::string> behind = ListTree(scene_.elsewhere.string());
    const GcOutcome outcome = Collect();
    EXPECT_EQ(outcome.exit_code, 1) << GcTextReport(outcome, true);
    EXPECT_TRUE(fs::is_symlink(scene_.registry.v2() / moved)) << GcTextReport(outcome, true);
    EXPECT_EQ(ListTree(scene_.elsewhere.string()), behind);
    audit::AuditOptions options;
    options.root = scene_.registry.root().string();
    const audit::AuditOutcome audited = audit::RunAudit(options);
    EXPECT_EQ(audited.exit_code, 1);
    EXPECT_EQ(audited.counts.orphan_blobs, 0u) << "a blob behind a link is not present";
    EXPECT_EQ(testing::OrphansDisagreeWithGc(scene_.registry.root().string()), "");
    // Put it back for the next level.
    fs::remove(scene_.registry.v2() / moved);
    fs::rename(scene_.elsewhere / std::to_string(scene_.moves), scene_.registry.v2() / moved);
  }
}

TEST_F(BlobSymlinkTest, AManifestBehindALinkKeepsItsRepositoryWhole) {
  // The untagged manifest of keep/base sits in the shard moved out: it is missing to regsweep,
  // so even with -m keep/base is kept whole, its old layer included.
  Digest untagged;
  for (const auto& revision :
       fs::directory_iterator(scene_.registry.v2() / distribution::RepositoryDir("keep/base") /
                              "_manifests/revisions/sha256")) {
    const std::string hex = revision.path().filename().string();
    std::string why;
    if (hex != scene_.base.digest.Hex()) {
      untagged = *Digest::FromHex(DigestAlgorithm::kSha256, hex, &why);
    }
  }
  const std::string shard = distribution::BlobShardDir(untagged);
  scene_.MoveOutAndLink(shard);
  EXPECT_EQ(testing::OrphansDisagreeWithGc(scene_.registry.root().string()), "");
  const GcOutcome outcome = Collect();
  const std::string report = GcTextReport(outcome, true);
  EXPECT_EQ(outcome.exit_code, 1) << report;
  EXPECT_TRUE(Names(outcome.problems, "symlink", shard)) << report;
  EXPECT_TRUE(scene_.registry.Exists(distribution::RevisionDir("keep/base", untagged) + "/link"))
      << report;
  const Digest old_layer = HashBytes(DigestAlgorithm::kSha256, "old-base-layer");
  EXPECT_TRUE(old_layer.Hex().compare(0, 2, untagged.Hex().substr(0, 2)) == 0 ||
              scene_.registry.Exists(distribution::BlobData(old_layer)))
      << report;
}

}  // namespace
}  // namespace regsweep
