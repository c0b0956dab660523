// Tests for audit's structural checks: a clean tree audits clean, and each kind of damage is
// reported with its kind, path and severity, without the audit changing anything.
#include <sys/stat.h>
#include <unistd.h>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/manifest.h"
#include "tests/audit/audit_fixture.h"
#include "tests/testing/held_run_lock.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;
using regsweep::testing::Blob;
using regsweep::testing::kDockerList;
using regsweep::testing::kOciIndex;
using regsweep::testing::kOciManifest;
using regsweep::testing::RegistryBuilder;
using regsweep::testing::TempDir;

class AuditStructureTest : public testing::AuditTest {
 protected:
  AuditStructureTest() {
    base_ = builder_.PushImage("library/base", {"base-os", "base-libs"});
    builder_.Tag("library/base", "1.0", base_.digest);
    amd64_ = builder_.PushImage("multi/app", {"app-amd64"});
    arm64_ = builder_.PushImage("multi/app", {"app-arm64"});
    index_ = builder_.PushIndex("multi/app", {amd64_, arm64_});
    builder_.Tag("multi/app", "1.0", index_.digest);
    sbom_ = builder_.PushImage("library/base", {"sbom"}, kOciManifest, base_);
  }

  static std::string Data(const Digest& digest) { return distribution::BlobData(digest); }
  static Digest Sha(const std::string& content) {
    return HashBytes(DigestAlgorithm::kSha256, content);
  }
  fs::path Abs(const std::string& relative) const { return builder_.v2() / relative; }

  // Asserts exactly one finding of `kind` at `path`, with `severity`.
  void ExpectFinding(const AuditOutcome& outcome, const std::string& kind, const std::string& path,
                     Severity severity) {
    const Finding* finding = Find(outcome, kind, path);
    ASSERT_NE(finding, nullptr) << "no " << kind << " at " << path << ":" << Describe(outcome);
    EXPECT_EQ(finding->severity, severity) << finding->ToLine();
  }

  Blob base_, amd64_, arm64_, index_, sbom_;
};

TEST_F(AuditStructureTest, CleanRegistryHasNoErrorOrWarning) {
  const AuditOutcome outcome = AuditReadOnly();
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.findings.size(), 0u) << Describe(outcome);
  EXPECT_EQ(outcome.counts.repositories, 2u);
  EXPECT_EQ(outcome.counts.manifests, 5u);
  EXPECT_EQ(outcome.counts.blobs, 14u);  // 5 manifests, 5 layers, 4 configs
}

TEST_F(AuditStructureTest, RefusesToAuditWhileACollectionRuns) {
  regsweep::testing::HeldRunLock lock(builder_.v2());
  ASSERT_TRUE(lock.held()) << lock.error();
  const AuditOutcome busy = Audit();
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_NE(busy.fatal.find("is changing"), std::string::npos) << busy.fatal;
  EXPECT_NE(busy.fatal.find("pid=" + std::to_string(getpid())), std::string::npos) << busy.fatal;
  lock.Release();
  const AuditOutcome after = AuditReadOnly();
  EXPECT_TRUE(Clean(after)) << Describe(after);
}

TEST_F(AuditStructureTest, ApiDeleteLeftoversAreInfoOnly) {
  // distribution 2.8: DELETE of a manifest removes the revision link, leaves its folder, the
  // repository's `_layers` links and the blobs (reclaimed by gc).
  const Blob old = builder_.PushImage("apps/old", {"old-layer"});
  fs::remove(Abs(distribution::RevisionDir("apps/old", old.digest) + "/link"));
  builder_.AddUpload("apps/web", "5c0e2a8e-1111", "2020-01-01T00:00:00Z", "partial");
  const AuditOutcome outcome = AuditReadOnly();
  EXPECT_TRUE(Clean(outcome)) << Describe(outcome);
  EXPECT_EQ(outcome.exit_code, 0);
  ExpectFinding(outcome, "missing_link",
                distribution::RevisionDir("apps/old", old.digest) + "/link", Severity::kInfo);
  ExpectFinding(outcome, "orphan_blob", Data(old.digest), Severity::kInfo);
  ExpectFinding(outcome, "orphan_blob", Data(Sha("old-layer")), Severity::kInfo);
  ExpectFinding(outcome, "empty_repository", "repositories/apps/old", Severity::kInfo);
  ExpectFinding(outcome, "stale_upload", "repositories/apps/web/_uploads/5c0e2a8e-1111",
                Severity::kInfo);
  EXPECT_EQ(outcome.counts.orphan_blobs, 3u);  // manifest, layer and config
}

TEST_F(AuditStructureTest, TruncatedManifest) {
  fs::resize_file(Abs(Data(base_.digest)), base_.size / 2);
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "manifest_digest_mismatch", Data(base_.digest), Severity::kError);
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(AuditStructureTest, MissingLayerLinkANeededBlob) {
  const std::string link = distribution::LayerLinkDir("library/base", Sha("base-libs")) + "/link";
  fs::remove(Abs(link));
  fs::remove(Abs(link).parent_path());
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "layer_link_missing", link, Severity::kError);
  EXPECT_EQ(Find(outcome, "layer_link_missing", link)->repository, "library/base");
  // base-libs is the image's second layer: the finding says where the manifest names it.
  EXPECT_EQ(Find(outcome, "layer_link_missing", link)->reason.rfind("layers[1] of manifest ", 0),
            0u)
      << Find(outcome, "layer_link_missing", link)->reason;
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(AuditStructureTest, LayerLinkFolderWithoutLinkFileIsNotALink) {
  const std::string link = distribution::LayerLinkDir("library/base", Sha("base-os")) + "/link";
  fs::remove(Abs(link));
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "missing_link", link, Severity::kInfo);
  ExpectFinding(outcome, "layer_link_missing", link, Severity::kError);
}

TEST_F(AuditStructureTest, TagPointingAtAMissingRevision) {
  const std::string current = distribution::TagCurrentLink("library/base", "1.0");
  builder_.WriteFile(current, Sha("never pushed").ToString());
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "tag_target_not_revision", current, Severity::kError);
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(AuditStructureTest, PathTraversalInLinks) {
  const std::string layer = distribution::LayerLinkDir("library/base", Sha("base-os")) + "/link";
  const std::string revision = distribution::RevisionDir("library/base", base_.digest) + "/link";
  const std::string index =
      distribution::TagIndexEntryDir("library/base", "1.0", base_.digest) + "/link";
  const std::string current = distribution::TagCurrentLink("library/base", "1.0");
  for (const std::string& link : {layer, revision, index, current}) {
    builder_.WriteFile(link, "sha256:../../x");
  }
  const AuditOutcome outcome = AuditReadOnly();
  for (const std::string& link : {layer, revision, index, current}) {
    ExpectFinding(outcome, "bad_link", link, Severity::kError);
  }
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(AuditStructureTest, WrongLinkContents) {
  const std::string empty = distribution::LayerLinkDir("library/base", Sha("base-os")) + "/link";
  const std::string other = distribution::LayerLinkDir("library/base", Sha("base-libs")) + "/link";
  const std::string algorithm = distribution::LayerLinkDir("multi/app", Sha("app-amd64")) + "/link";
  builder_.WriteFile(empty, "");
  builder_.WriteFile(other, Sha("base-os").ToString());
  builder_.WriteFile(algorithm, "sha384:" + Sha("app-amd64").Hex());
  const AuditOutcome outcome = AuditReadOnly();
  for (const std::string& link : {empty, other, algorithm}) {
    ExpectFinding(outcome, "bad_link", link, Severity::kError);
  }
  // A bad link does not make the blob usable in the repository.
  ExpectFinding(outcome, "layer_link_missing", other, Severity::kError);
}

TEST_F(AuditStructureTest, SymlinksToFilesOutsideTheRootAreReportedNotFollowed) {
  TempDir outside;
  const fs::path secret = outside.path() / "secret";
  std::ofstream(secret.string()) << "base-os";
  const std::string data = Data(Sha("base-os"));
  fs::remove(Abs(data));
  fs::create_symlink(secret, Abs(data));
  fs::create_symlink(secret, Abs("repositories/library/escape"));
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "bad_blob", data, Severity::kError);
  ExpectFinding(outcome, "symlink", "repositories/library/escape", Severity::kError);
  EXPECT_EQ(outcome.exit_code, 1);
  // With data verification too: the symlink is never opened, let alone hashed.
  AuditOptions verify;
  verify.verify_data = true;
  const AuditOutcome verified = AuditReadOnly(verify);
  ExpectFinding(verified, "bad_blob", data, Severity::kError);
  EXPECT_EQ(verified.verify.hashed, verified.counts.blobs - 1);
}

TEST_F(AuditStructureTest, FifosAreReportedAndNeverOpened) {
  const std::string fifo = "repositories/library/base/_layers/sha256/fifo";
  const std::string link = distribution::LayerLinkDir("library/base", Sha("base-os")) + "/link";
  fs::remove(Abs(link));
  ASSERT_EQ(mkfifo(Abs(fifo).c_str(), 0644), 0);
  ASSERT_EQ(mkfifo(Abs(link).c_str(), 0644), 0);
  AuditOptions verify;
  verify.verify_data = true;
  const AuditOutcome outcome = AuditReadOnly(verify);  // would hang if a FIFO were opened
  ExpectFinding(outcome, "special_file", fifo, Severity::kWarning);
  ExpectFinding(outcome, "bad_link", link, Severity::kError);
}

TEST_F(AuditStructureTest, IndexChildWithoutRevisionLink) {
  const std::string link = distribution::RevisionDir("multi/app", arm64_.digest) + "/link";
  fs::remove(Abs(link));
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "index_child_not_revision", link, Severity::kError);
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(AuditStructureTest, RevisionAndDescriptorBlobsMissing) {
  fs::remove_all(Abs(distribution::BlobDir(sbom_.digest)));
  fs::remove(Abs(Data(Sha("app-arm64"))));
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "revision_blob_missing",
                distribution::RevisionDir("library/base", sbom_.digest) + "/link",
                Severity::kError);
  ExpectFinding(outcome, "blob_missing", Data(Sha("app-arm64")), Severity::kError);
  ExpectFinding(outcome, "dangling_layer_link",
                distribution::LayerLinkDir("multi/app", Sha("app-arm64")) + "/link",
                Severity::kWarning);
  ExpectFinding(outcome, "missing_blob_data", distribution::BlobDir(Sha("app-arm64")) + "/data",
                Severity::kWarning);
}

TEST_F(AuditStructureTest, DescriptorSizeAndMediaTypeDisagreements) {
  const Blob config = builder_.AddBlob("{\"c\":1}");
  Blob layer = builder_.AddBlob("sized-layer");
  builder_.LinkLayer("apps/sized", config.digest);
  builder_.LinkLayer("apps/sized", layer.digest);
  layer.size += 5;
  const Blob image = builder_.PutManifest(
      "apps/sized", RegistryBuilder::ImageManifestJson(kOciManifest, config, {layer}, {}));
  // An OCI index whose descriptor calls an OCI manifest a docker manifest list.
  const Blob index = builder_.PutManifest(
      "apps/sized", "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciIndex) +
                        "\",\"manifests\":[" + RegistryBuilder::DescriptorJson(kDockerList, image) +
                        "]}");
  builder_.Tag("apps/sized", "1", index.digest);
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "descriptor_size_mismatch", Data(layer.digest), Severity::kError);
  ExpectFinding(outcome, "media_type_mismatch", Data(image.digest), Severity::kError);
  EXPECT_EQ(Find(outcome, "descriptor_size_mismatch", Data(layer.digest))
                ->reason.rfind("layers[0] of ", 0),
            0u);
  EXPECT_EQ(
      Find(outcome, "media_type_mismatch", Data(image.digest))->reason.rfind("manifests[0] of ", 0),
      0u);
}

TEST_F(AuditStructureTest, ForeignLayerMissingIsAWarning) {
  const Blob config = builder_.AddBlob("{\"os\":\"windows\"}");
  builder_.LinkLayer("win/app", config.digest);
  const Digest foreign = Sha("foreign layer");
  const std::string manifest =
      "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciManifest) + "\",\"config\":" +
      RegistryBuilder::DescriptorJson("application/vnd.oci.image.config.v1+json", config) +
      ",\"layers\":[{\"mediaType\":\"application/"
      "vnd.oci.image.layer.nondistributable.v1.tar+gzip\","
      "\"digest\":\"" +
      foreign.ToString() + "\",\"size\":13,\"urls\":[\"https://example.com/layer\"]}]}";
  builder_.Tag("win/app", "1", builder_.PutManifest("win/app", manifest).digest);
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "foreign_blob_missing", Data(foreign), Severity::kWarning);
  EXPECT_EQ(outcome.Count(Severity::kError), 0u) << Describe(outcome);
  EXPECT_EQ(outcome.exit_code, 0);
  AuditOptions strict;
  strict.strict = true;
  EXPECT_EQ(AuditReadOnly(strict).exit_code, 1);
}

TEST_F(AuditStructureTest, ManifestsThatCannotBeUsed) {
  const Blob not_json = builder_.PutManifest("bad/app", "{\"schemaVersion\":2,");
  const Blob unknown = builder_.PutManifest(
      "bad/app", "{\"schemaVersion\":2,\"mediaType\":\"application/x-unknown\",\"layers\":[]}");
  const Blob version =
      builder_.PutManifest("bad/app", "{\"schemaVersion\":3,\"mediaType\":\"" +
                                          std::string(kOciIndex) + "\",\"manifests\":[]}");
  const Blob sha384 = builder_.PutManifest(
      "bad/app", "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciIndex) +
                     "\",\"manifests\":[{\"mediaType\":\"" + kOciManifest +
                     "\",\"digest\":\"sha384:" + std::string(96, 'a') + "\",\"size\":1}]}");
  const Blob large = builder_.PutManifest(
      "bad/app", "{\"schemaVersion\":2,\"pad\":\"" + std::string(kMaxManifestBytes, 'x') + "\"}");
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "manifest_not_json", Data(not_json.digest), Severity::kError);
  ExpectFinding(outcome, "manifest_unknown_media_type", Data(unknown.digest), Severity::kWarning);
  ExpectFinding(outcome, "manifest_bad_schema_version", Data(version.digest), Severity::kError);
  ExpectFinding(outcome, "unregistered_algorithm", Data(sha384.digest), Severity::kWarning);
  ExpectFinding(outcome, "manifest_too_large", Data(large.digest), Severity::kError);
}

TEST_F(AuditStructureTest, ReferrerWhoseSubjectIsGoneAndStaleTagHistory) {
  fs::remove(Abs(distribution::RevisionDir("library/base", base_.digest) + "/link"));
  fs::remove_all(Abs(distribution::TagDir("library/base", "1.0") + "/current"));
  const Digest gone = Sha("deleted manifest");
  builder_.WriteFile(distribution::TagIndexEntryDir("library/base", "1.0", gone) + "/link",
                     gone.ToString());
  const AuditOutcome outcome = AuditReadOnly();
  ExpectFinding(outcome, "referrer_subject_missing",
                distribution::RevisionDir("library/base", sbom_.digest) + "/link",
                Severity::kWarning);
  ExpectFinding(outcome, "tag_index_stale",
                distribution::TagIndexEntryDir("library/base", "1.0", base_.digest) + "/link",
                Severity::kInfo);
  ExpectFinding(outcome, "tag_index_dangling",
                distribution::TagIndexEntryDir("library/base", "1.0", gone) + "/link",
                Severity::kWarning);
}

// A file the registry never writes in a tag's folder is reported with --tag-strays only, and
// changes nothing else the audit finds.
TEST_F(AuditStructureTest, StrayFileInATagFolderNeedsTagStrays) {
  const std::string stray = distribution::TagDir("library/base", "1.0") + "/notes.txt";
  builder_.WriteFile(stray, "x");
  const AuditOutcome plain = AuditReadOnly();
  EXPECT_EQ(Find(plain, "unexpected_entry", stray), nullptr) << Describe(plain);
  AuditOptions options;
  options.tag_strays = true;
  const AuditOutcome listed = AuditReadOnly(options);
  ExpectFinding(listed, "unexpected_entry", stray, Severity::kWarning);
  EXPECT_EQ(listed.findings.size(), plain.findings.size() + 1) << Describe(listed);
  EXPECT_EQ(listed.counts.links, plain.counts.links);
}

TEST_F(AuditStructureTest, MissingRootCannotRun) {
  AuditOptions options;
  options.root = (dir_.path() / "nowhere").string();
  const AuditOutcome outcome = RunAudit(options);
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_FALSE(outcome.fatal.empty());
}

}  // namespace
}  // namespace regsweep::audit
