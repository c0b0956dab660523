// Tests for the OCI image layout (core/oci_layout.h) through the public entry points: a real
// layout written on disk (oci-layout, index.json, blobs/sha256/<hex> with real digests) holding a
// tagged image, a two-platform image index, an unnamed index.json entry, a manifest that
// index.json does not name, and OCI 1.1 referrers of both. OpenBackend tells the layout; RunGc
// deletes exactly the unreachable blobs, never rewrites index.json, keeps every blob when the
// layout cannot be fully understood and refuses to drop tags; RunAudit checks the entries of
// index.json and the blobs' data.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "audit/check/audit_run.h"
#include "core/backend.h"
#include "core/hash.h"
#include "core/mark.h"
#include "core/registry_run.h"
#include "gc/gc_run.h"
#include "gc/plan.h"
#include "gc/report.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::Blob;
using testing::RegistryBuilder;
using testing::TempDir;

constexpr const char* kImageManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kImageIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kImageConfig = "application/vnd.oci.image.config.v1+json";
constexpr const char* kLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* kEmpty = "application/vnd.oci.empty.v1+json";

// A manifest and the blobs it references directly.
struct Image {
  Blob manifest;
  Blob config;
  std::vector<Blob> layers;
};

// One entry of index.json; unnamed when `ref_name` is empty.
struct IndexEntry {
  const char* media_type;
  Blob blob;
  std::string ref_name;
};

// Writes an OCI image layout below `root`. Every blob gets a label (e.g. "layer base"), so a
// test can say which blobs are on disk in words.
class OciLayoutWriter {
 public:
  explicit OciLayoutWriter(fs::path root) : root_(std::move(root)) {
    Write("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }

  const fs::path& root() const { return root_; }
  static std::string BlobPath(const Digest& digest) { return "blobs/sha256/" + digest.Hex(); }

  void Write(const std::string& relative, const std::string& content) const {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path.string(), std::ios::binary | std::ios::trunc) << content;
  }
  std::string Read(const std::string& relative) const {
    std::ifstream file((root_ / relative).string(), std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
  }

  Blob AddBlob(const std::string& label, const std::string& content) {
    const Blob blob{HashBytes(DigestAlgorithm::kSha256, content), content.size()};
    Write(BlobPath(blob.digest), content);
    labels_[blob.digest.Hex()] = label;
    return blob;
  }

  // An image manifest named `name`: a JSON config of its own and one layer per content.
  Image AddImage(const std::string& name, const std::vector<std::string>& layers) {
    Image image;
    image.config = AddBlob(name + " config", R"({"architecture":"amd64","os":"linux",)"
                                             R"("config":{"Labels":{"image":")" +
                                                 name + R"("}},"rootfs":{"type":"layers"}})");
    for (const std::string& layer : layers) {
      image.layers.push_back(AddBlob("layer " + layer, "tar bytes of " + layer));
    }
    std::string json =
        R"({"schemaVersion":2,"mediaType":")" + std::string(kImageManifest) + R"(","config":)" +
        RegistryBuilder::DescriptorJson(kImageConfig, image.config) + R"(,"layers":[)";
    for (size_t i = 0; i < image.layers.size(); ++i) {
      if (i != 0) json += ',';
      json += RegistryBuilder::DescriptorJson(kLayer, image.layers[i]);
    }
    image.manifest = AddBlob(name + " manifest", json + "]}");
    return image;
  }

  // An OCI 1.1 referrer named `name` of the image manifest `subject`: an artifact whose config
  // is the empty descriptor and whose one layer holds `content`.
  Image AddReferrer(const std::string& name, const Blob& subject, const std::string& content) {
    Image referrer;
    referrer.config = AddBlob("empty config", "{}");
    referrer.layers.push_back(AddBlob(name + " layer", content));
    referrer.manifest = AddBlob(
        name + " manifest",
        R"({"schemaVersion":2,"mediaType":")" + std::string(kImageManifest) +
            R"(","artifactType":"application/spdx+json","config":)" +
            RegistryBuilder::DescriptorJson(kEmpty, referrer.config) + R"(,"layers":[)" +
            RegistryBuilder::DescriptorJson("application/spdx+json", referrer.layers[0]) +
            R"(],"subject":)" + RegistryBuilder::DescriptorJson(kImageManifest, subject) + "}");
    return referrer;
  }

  Blob AddIndex(const std::string& name, const std::vector<Blob>& children) {
    std::string json =
        R"({"schemaVersion":2,"mediaType":")" + std::string(kImageIndex) + R"(","manifests":[)";
    for (size_t i = 0; i < children.size(); ++i) {
      if (i != 0) json += ',';
      json += RegistryBuilder::DescriptorJson(kImageManifest, children[i]);
    }
    return AddBlob(name + " index", json + "]}");
  }

  void WriteIndexJson(const std::vector<IndexEntry>& entries) const {
    std::string json =
        R"({"schemaVersion":2,"mediaType":")" + std::string(kImageIndex) + R"(","manifests":[)";
    for (size_t i = 0; i < entries.size(); ++i) {
      std::string descriptor =
          RegistryBuilder::DescriptorJson(entries[i].media_type, entries[i].blob);
      if (!entries[i].ref_name.empty()) {
        descriptor.pop_back();  // the closing brace
        descriptor += R"(,"annotations":{"org.opencontainers.image.ref.name":")" +
                      entries[i].ref_name + R"("}})";
      }
      json += (i != 0 ? "," : "") + descriptor;
    }
    Write("index.json", json + "]}");
  }

  // The entries of blobs/sha256/, by label (by name when it has none).
  std::set<std::string> BlobsOnDisk() const {
    std::set<std::string> blobs;
    for (fs::directory_iterator it(root_ / "blobs" / "sha256"), end; it != end; ++it) {
      const std::string name = it->path().filename().string();
      const auto label = labels_.find(name);
      blobs.insert(label != labels_.end() ? label->second : name);
    }
    return blobs;
  }

 private:
  fs::path root_;
  std::map<std::string, std::string> labels_;  // by hex digest
};

std::set<std::string> Difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> only_in_a;
  for (const std::string& item : a) {
    if (b.count(item) == 0) only_in_a.insert(item);
  }
  return only_in_a;
}

// The layout folder `app`:
//   index.json  "1.0" -> tagged image (layers base, app), referred to by `sbom`
//               "multi" -> index of the amd64 and arm64 images
//               unnamed entry -> unnamed image
//   blobs/ only the `old` image (layers base, old), referred to by `old-signature`, and the
//          blob `orphan` that nothing references.
class OciLayoutTest : public ::testing::Test {
 protected:
  OciLayoutTest() : layout_(dir_.path() / "app") {
    tagged_ = layout_.AddImage("tagged", {"base", "app"});
    const Image amd64 = layout_.AddImage("amd64", {"amd64"});
    const Image arm64 = layout_.AddImage("arm64", {"arm64"});
    const Blob multi = layout_.AddIndex("multi", {amd64.manifest, arm64.manifest});
    unnamed_ = layout_.AddImage("unnamed", {"unnamed"});
    old_ = layout_.AddImage("old", {"base", "old"});
    layout_.AddReferrer("sbom", tagged_.manifest, R"({"spdxVersion":"SPDX-2.3"})");
    layout_.AddReferrer("old-signature", old_.manifest, "signature of old");
    layout_.AddBlob("orphan", "nothing references this");
    layout_.WriteIndexJson({{kImageManifest, tagged_.manifest, "1.0"},
                            {kImageIndex, multi, "multi"},
                            {kImageManifest, unnamed_.manifest, ""}});
  }

  GcOptions Options(bool delete_untagged) const {
    GcOptions options;
    options.root = layout_.root().string();
    options.dry_run = false;
    options.policy.delete_untagged = delete_untagged;
    options.policy.min_age_ns = 0;
    return options;
  }

  struct Collected {
    GcOutcome outcome;
    std::set<std::string> deleted;  // labels of the blobs that went
  };
  Collected Collect(const GcOptions& options) const {
    const std::set<std::string> before = layout_.BlobsOnDisk();
    Collected collected{RunGc(options), {}};
    collected.deleted = Difference(before, layout_.BlobsOnDisk());
    return collected;
  }

  // Whether gc reported a problem of `kind` at `path`.
  static bool Reported(const GcOutcome& outcome, const std::string& kind, const std::string& path) {
    for (const Finding& finding : outcome.problems) {
      if (finding.kind == kind && finding.path == path) return true;
    }
    return false;
  }

  audit::AuditOutcome Audit() const {
    audit::AuditOptions options;
    options.root = layout_.root().string();
    options.verify_data = true;
    return audit::RunAudit(options);
  }
  static std::string Describe(const audit::AuditOutcome& outcome) {
    std::string text = outcome.fatal;
    for (const Finding& finding : outcome.findings) text += "\n" + finding.ToLine();
    return text;
  }
  static const Finding* Find(const audit::AuditOutcome& outcome, const std::string& kind) {
    for (const Finding& finding : outcome.findings) {
      if (finding.kind == kind) return &finding;
    }
    return nullptr;
  }

  TempDir dir_;
  OciLayoutWriter layout_;
  Image tagged_;
  Image unnamed_;
  Image old_;
};

TEST_F(OciLayoutTest, OpenBackendTellsTheLayout) {
  std::string error;
  const std::unique_ptr<Backend> oci = OpenBackend(layout_.root().string(), &error);
  ASSERT_NE(oci, nullptr) << error;
  EXPECT_EQ(oci->layout().name(), "oci");
  EXPECT_EQ(oci->location(), fs::canonical(layout_.root()).string());

  TempDir other;
  RegistryBuilder registry(other.path());
  registry.PushImage("lib/app", {"layer"});
  const std::unique_ptr<Backend> distribution = OpenBackend(other.path().string(), &error);
  ASSERT_NE(distribution, nullptr) << error;
  EXPECT_EQ(distribution->layout().name(), "distribution");
}

// Without -m every manifest in blobs/ is a root, as an untagged revision is in distribution's
// layout: only the blob nothing references goes.
TEST_F(OciLayoutTest, GcDeletesOnlyWhatNothingReferences) {
  const Collected gc = Collect(Options(/*delete_untagged=*/false));
  EXPECT_EQ(gc.outcome.exit_code, 0) << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.outcome.repositories, 1u);
  EXPECT_EQ(gc.deleted, std::set<std::string>{"orphan"}) << GcTextReport(gc.outcome, true);
  EXPECT_TRUE(layout_.BlobsOnDisk().count("old manifest") != 0);
}

// With -m the roots are the entries of index.json (named or not) and the referrers of what they
// keep; the manifest index.json does not name goes with what only it used.
TEST_F(OciLayoutTest, GcDeleteUntaggedKeepsIndexJsonEntriesAndTheirReferrers) {
  const std::string index_json = layout_.Read("index.json");
  const std::string oci_layout = layout_.Read("oci-layout");
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_EQ(gc.outcome.exit_code, 0) << GcTextReport(gc.outcome, true);
  const std::set<std::string> deleted = {
      "orphan",    "old manifest",           "old config",
      "layer old", "old-signature manifest", "old-signature layer"};
  EXPECT_EQ(gc.deleted, deleted) << GcTextReport(gc.outcome, true);
  const std::set<std::string> kept = layout_.BlobsOnDisk();
  for (const char* blob :
       {"tagged manifest", "tagged config", "layer base", "layer app", "multi index",
        "amd64 manifest", "amd64 config", "layer amd64", "arm64 manifest", "arm64 config",
        "layer arm64", "unnamed manifest", "unnamed config", "layer unnamed", "sbom manifest",
        "sbom layer", "empty config"}) {
    EXPECT_EQ(kept.count(blob), 1u) << blob;
  }
  for (const Action& action : gc.outcome.plan.actions) {
    EXPECT_EQ(action.kind, ActionKind::kDeleteBlob) << gc.outcome.plan.Key(action);
  }
  EXPECT_EQ(layout_.Read("index.json"), index_json);
  EXPECT_EQ(layout_.Read("oci-layout"), oci_layout);
  // The JSON report names the layout; deleted manifests are among the deleted blobs.
  simdjson::dom::parser parser;
  const std::string json = GcJsonReport(gc.outcome);
  const simdjson::dom::element report = parser.parse(json);
  EXPECT_EQ(std::string_view(report["layout"]), "oci") << json;
  EXPECT_EQ(report["deleted"]["blobs"].get_array().size(), deleted.size()) << json;
  EXPECT_EQ(report["deleted"]["manifests"].get_array().size(), 0u) << json;
  EXPECT_EQ(uint64_t(report["kept"]["tags"]), 3u) << json;
  // tagged, multi, amd64, arm64, unnamed and sbom.
  EXPECT_EQ(uint64_t(report["kept"]["manifests"]), 6u) << json;
  std::set<std::string> top_level;
  for (fs::directory_iterator it(layout_.root()), end; it != end; ++it) {
    top_level.insert(it->path().filename().string());
  }
  EXPECT_EQ(top_level, (std::set<std::string>{"blobs", "index.json", "oci-layout"}));
}

// A ref name outside the OCI grammar (here with a newline and an escape sequence) is still a
// root; it is reported, quoted, and never printed raw.
TEST_F(OciLayoutTest, RefNameOutsideTheGrammarIsKeptAndPrintedQuoted) {
  layout_.WriteIndexJson({{kImageManifest, tagged_.manifest, R"(1.0\n\u001b[2J)"},
                          {kImageManifest, unnamed_.manifest, ""}});
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  const std::string report = GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.outcome.exit_code, 0) << report;
  EXPECT_TRUE(Reported(gc.outcome, "invalid_tag", "index.json")) << report;
  const std::set<std::string> kept = layout_.BlobsOnDisk();
  for (const char* blob : {"tagged manifest", "tagged config", "layer base", "layer app",
                           "sbom manifest", "unnamed manifest"}) {
    EXPECT_EQ(kept.count(blob), 1u) << blob;
  }
  EXPECT_EQ(kept.count("amd64 manifest"), 0u);  // no longer in index.json
  EXPECT_EQ(report.find('\x1b'), std::string::npos) << report;
  EXPECT_NE(report.find(R"('1.0\x0a\x1b[2J')"), std::string::npos) << report;
}

// A referrer over 64 KiB (the scan reads its head before reading it whole) is found like any
// other: kept with its subject, with and without -m.
TEST_F(OciLayoutTest, LargeReferrerOutsideIndexJsonIsKept) {
  const Blob layer = layout_.AddBlob("large-signature layer", "signature of tagged");
  const Blob empty = layout_.AddBlob("empty config", "{}");
  layout_.AddBlob(
      "large-signature manifest",
      R"({"schemaVersion":2,"mediaType":")" + std::string(kImageManifest) + R"(","config":)" +
          RegistryBuilder::DescriptorJson(kEmpty, empty) + R"(,"layers":[)" +
          RegistryBuilder::DescriptorJson(kLayer, layer) + R"(],"subject":)" +
          RegistryBuilder::DescriptorJson(kImageManifest, tagged_.manifest) +
          R"(,"annotations":{"padding":")" + std::string(size_t{70} * 1024, 'x') + R"("}})");
  for (const bool delete_untagged : {false, true}) {
    const Collected gc = Collect(Options(delete_untagged));
    EXPECT_EQ(gc.outcome.exit_code, 0) << GcTextReport(gc.outcome, true);
    EXPECT_EQ(gc.deleted.count("large-signature manifest"), 0u) << delete_untagged;
    EXPECT_EQ(gc.deleted.count("large-signature layer"), 0u) << delete_untagged;
  }
}

// A JSON layer with a media type of its own (a sigstore bundle, as cosign stores it) is neither
// a manifest nor an unknown one: the layout is collected as usual.
TEST_F(OciLayoutTest, JsonLayerWithAMediaTypeOfItsOwnIsNotAManifest) {
  layout_.AddReferrer("bundle", tagged_.manifest,
                      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",)"
                      R"("verificationMaterial":{},"dsseEnvelope":{}})");
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_EQ(gc.outcome.exit_code, 0) << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.deleted.count("old manifest"), 1u) << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.deleted.count("bundle layer"), 0u);
}

// A document with a schemaVersion and a media type regsweep does not know may be a manifest
// whose references are unknown.
TEST_F(OciLayoutTest, UnknownKindOfManifestKeepsEveryBlob) {
  layout_.AddBlob("future manifest",
                  R"({"schemaVersion":2,"mediaType":"application/vnd.example.future+json"})");
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_NE(gc.outcome.exit_code, 0);
  EXPECT_EQ(gc.deleted, std::set<std::string>()) << GcTextReport(gc.outcome, true);
}

TEST_F(OciLayoutTest, UnparsableIndexJsonKeepsEveryBlob) {
  layout_.Write("index.json", R"({"schemaVersion":2,"manifests":[)");
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_NE(gc.outcome.exit_code, 0);
  EXPECT_TRUE(Reported(gc.outcome, "oci_layout_invalid", "index.json"))
      << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.deleted, std::set<std::string>()) << GcTextReport(gc.outcome, true);
}

// A JSON blob that does not hash to its name may be a tampered manifest whose references are
// unknown.
TEST_F(OciLayoutTest, JsonBlobNotMatchingItsNameKeepsEveryBlob) {
  const std::string tampered = OciLayoutWriter::BlobPath(old_.manifest.digest);
  layout_.Write(tampered, R"({"schemaVersion":2})");
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_NE(gc.outcome.exit_code, 0);
  EXPECT_TRUE(Reported(gc.outcome, "digest_mismatch", tampered)) << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.deleted, std::set<std::string>()) << GcTextReport(gc.outcome, true);
}

TEST_F(OciLayoutTest, SymlinkInBlobsKeepsEveryBlobAndItsTarget) {
  const std::string outside_content = "a file outside the layout";
  const fs::path outside = dir_.path() / "outside";
  std::ofstream(outside.string(), std::ios::binary) << outside_content;
  const std::string link =
      OciLayoutWriter::BlobPath(HashBytes(DigestAlgorithm::kSha256, outside_content));
  ASSERT_EQ(symlink(outside.c_str(), (layout_.root() / link).c_str()), 0);
  const Collected gc = Collect(Options(/*delete_untagged=*/true));
  EXPECT_NE(gc.outcome.exit_code, 0);
  EXPECT_TRUE(Reported(gc.outcome, "symlink", link)) << GcTextReport(gc.outcome, true);
  EXPECT_EQ(gc.deleted, std::set<std::string>()) << GcTextReport(gc.outcome, true);
  std::ifstream target(outside.string(), std::ios::binary);
  std::stringstream content;
  content << target.rdbuf();
  EXPECT_EQ(content.str(), outside_content);
}

TEST_F(OciLayoutTest, GcRefusesToUntag) {
  GcOptions options = Options(/*delete_untagged=*/false);
  options.policy.untag.push_back(TagRef{"app", "1.0"});
  const Collected gc = Collect(options);
  EXPECT_EQ(gc.outcome.exit_code, 2);
  EXPECT_NE(gc.outcome.fatal.find("index.json"), std::string::npos) << gc.outcome.fatal;
  EXPECT_EQ(gc.deleted, std::set<std::string>());
}

// Below RunGc's refusal: a policy that names a tag of the layout still drops nothing, so the
// plan keeps everything index.json names and holds blob deletions only.
TEST_F(OciLayoutTest, MarkNeverDropsAnIndexJsonEntry) {
  std::string error;
  std::optional<RegistryRun> run =
      RegistryRun::Open(layout_.root().string(), BackendSettings(), RunAccess(), &error);
  ASSERT_TRUE(run) << error;
  ScanOptions options;
  const std::unique_ptr<RegistryModel> model = run->Read(options, 4);
  GcPolicy policy;
  policy.delete_untagged = true;
  policy.min_age_ns = 0;
  policy.untag.push_back(TagRef{"app", "1.0"});
  policy.untag_patterns.push_back(TagPattern{".*", ".*"});
  const MarkResult marks = Mark(model->graph, policy);
  EXPECT_TRUE(marks.repositories.at(0).dropped_tags.empty());
  const Plan plan = MakePlan(model->graph, marks, policy, run->backend().reader(), run->v2());
  std::set<Digest> deleted;
  for (const Action& action : plan.actions) {
    EXPECT_EQ(action.kind, ActionKind::kDeleteBlob) << plan.Key(action);
    deleted.insert(action.digest);
  }
  for (const Blob& blob : {tagged_.manifest, tagged_.config, tagged_.layers[0], tagged_.layers[1],
                           unnamed_.manifest}) {
    EXPECT_EQ(deleted.count(blob.digest), 0u) << blob.digest.ToString();
  }
  EXPECT_EQ(deleted.count(old_.manifest.digest), 1u);
}

TEST_F(OciLayoutTest, AuditOfAnIntactLayoutFindsNoError) {
  const audit::AuditOutcome outcome = Audit();
  EXPECT_TRUE(outcome.verified_data);
  EXPECT_EQ(outcome.exit_code, 0) << Describe(outcome);
  EXPECT_EQ(outcome.Count(Severity::kError), 0u) << Describe(outcome);
  EXPECT_EQ(outcome.Count(Severity::kWarning), 0u) << Describe(outcome);
}

TEST_F(OciLayoutTest, AuditReportsAnIndexJsonEntryWithoutItsBlob) {
  fs::remove(layout_.root() / OciLayoutWriter::BlobPath(unnamed_.manifest.digest));
  const audit::AuditOutcome outcome = Audit();
  EXPECT_EQ(outcome.exit_code, 1) << Describe(outcome);
  const Finding* missing = Find(outcome, "index_entry_missing");
  ASSERT_NE(missing, nullptr) << Describe(outcome);
  EXPECT_EQ(missing->severity, Severity::kError);
  EXPECT_EQ(missing->path, "index.json");
  EXPECT_EQ(missing->digest, unnamed_.manifest.digest.ToString());
}

TEST_F(OciLayoutTest, AuditReportsALayerWhoseBytesChanged) {
  const Blob layer = tagged_.layers[1];
  layout_.Write(OciLayoutWriter::BlobPath(layer.digest), "tar bytes of APP");
  const audit::AuditOutcome outcome = Audit();
  EXPECT_EQ(outcome.exit_code, 1) << Describe(outcome);
  const Finding* corrupt = Find(outcome, "blob_digest_mismatch");
  ASSERT_NE(corrupt, nullptr) << Describe(outcome);
  EXPECT_EQ(corrupt->severity, Severity::kError);
  EXPECT_EQ(corrupt->path, OciLayoutWriter::BlobPath(layer.digest));
  EXPECT_EQ(corrupt->digest, layer.digest.ToString());
}

}  // namespace
}  // namespace regsweep
