// Tests for manifest parsing: every shape the mark phase follows, and what it must refuse.
#include "core/manifest.h"

#include <gtest/gtest.h>

#include "core/hash.h"

namespace regsweep {
namespace {

std::string D(const std::string& seed) {
  return HashBytes(DigestAlgorithm::kSha256, seed).ToString();
}

std::string Desc(const std::string& seed, const std::string& extra = "") {
  return "{\"mediaType\":\"application/octet-stream\",\"digest\":\"" + D(seed) + "\",\"size\":12" +
         extra + "}";
}

class ManifestTest : public ::testing::Test {
 protected:
  ParsedManifest Parse(const std::string& json) { return ParseManifest(parser_, json); }
  simdjson::dom::parser parser_;
};

TEST_F(ManifestTest, DockerSchema2) {
  const auto parsed = Parse(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
      "\"config\":" +
      Desc("c") + ",\"layers\":[" + Desc("l1") + "," +
      Desc("l2", ",\"urls\":[\"https://example.com/l2\"]") + "]}");
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_EQ(parsed.manifest->kind, ManifestKind::kDockerSchema2);
  EXPECT_EQ(parsed.manifest->config->digest.ToString(), D("c"));
  ASSERT_EQ(parsed.manifest->blobs.size(), 2u);
  EXPECT_FALSE(parsed.manifest->blobs[0].has_urls);
  EXPECT_TRUE(parsed.manifest->blobs[1].has_urls);
}

TEST_F(ManifestTest, OciManifestWithoutMediaTypeIsInferred) {
  const auto parsed =
      Parse("{\"schemaVersion\":2,\"config\":" + Desc("c") + ",\"layers\":[" + Desc("l") + "]}");
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_EQ(parsed.manifest->kind, ManifestKind::kOciManifest);
}

TEST_F(ManifestTest, OciIndexAndDockerList) {
  for (const char* type : {"application/vnd.oci.image.index.v1+json",
                           "application/vnd.docker.distribution.manifest.list.v2+json"}) {
    const auto parsed = Parse(std::string("{\"schemaVersion\":2,\"mediaType\":\"") + type +
                              "\",\"manifests\":[" + Desc("a") + "," + Desc("b") + "]}");
    ASSERT_TRUE(parsed.manifest) << parsed.error;
    EXPECT_TRUE(parsed.manifest->IsIndex());
    ASSERT_EQ(parsed.manifest->children.size(), 2u);
    EXPECT_EQ(parsed.manifest->children[1].digest.ToString(), D("b"));
  }
  const auto inferred = Parse("{\"schemaVersion\":2,\"manifests\":[]}");
  ASSERT_TRUE(inferred.manifest);
  EXPECT_EQ(inferred.manifest->kind, ManifestKind::kOciIndex);
}

TEST_F(ManifestTest, ArtifactWithSubjectAndEmptyConfig) {
  const auto parsed = Parse(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"artifactType\":\"application/vnd.example.sbom.v1\",\"config\":{\"mediaType\":"
      "\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:"
      "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
      "\"layers\":[" +
      Desc("sbom") + "],\"subject\":" + Desc("img") + "}");
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_EQ(parsed.manifest->artifact_type, "application/vnd.example.sbom.v1");
  ASSERT_TRUE(parsed.manifest->subject);
  EXPECT_EQ(parsed.manifest->subject->digest.ToString(), D("img"));
}

TEST_F(ManifestTest, IndexWithSubject) {
  const auto parsed = Parse(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
      "index.v1+json\",\"manifests\":[],\"subject\":" +
      Desc("s") + "}");
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_TRUE(parsed.manifest->subject);
}

TEST_F(ManifestTest, ObsoleteArtifactManifests) {
  for (const char* type : {"application/vnd.oci.artifact.manifest.v1+json",
                           "application/vnd.cncf.oras.artifact.manifest.v1+json"}) {
    const auto parsed =
        Parse(std::string("{\"mediaType\":\"") + type + "\",\"artifactType\":\"x\",\"blobs\":[" +
              Desc("b") + "],\"subject\":" + Desc("s") + "}");
    ASSERT_TRUE(parsed.manifest) << parsed.error;
    EXPECT_EQ(parsed.manifest->kind, ManifestKind::kArtifactManifest);
    EXPECT_EQ(parsed.manifest->blobs.size(), 1u);
    EXPECT_TRUE(parsed.manifest->subject);
  }
}

TEST_F(ManifestTest, Schema1SignedAndUnsigned) {
  const std::string body =
      "\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"t\",\"fsLayers\":["
      "{\"blobSum\":\"" +
      D("l1") + "\"},{\"blobSum\":\"" + D("l1") + "\"},{\"blobSum\":\"" + D("l2") +
      "\"}],\"history\":[]";
  const auto unsigned_manifest = Parse("{" + body + "}");
  ASSERT_TRUE(unsigned_manifest.manifest) << unsigned_manifest.error;
  EXPECT_EQ(unsigned_manifest.manifest->kind, ManifestKind::kDockerSchema1);
  EXPECT_EQ(unsigned_manifest.manifest->blobs.size(), 3u);
  const auto signed_manifest = Parse(
      "{" + body + ",\"signatures\":[{\"header\":{},\"signature\":\"x\",\"protected\":\"y\"}]}");
  ASSERT_TRUE(signed_manifest.manifest) << signed_manifest.error;
  EXPECT_EQ(signed_manifest.manifest->blobs[2].digest.ToString(), D("l2"));
}

TEST_F(ManifestTest, RefusesWhatItCannotFollow) {
  const std::string good_layers = ",\"layers\":[" + Desc("l") + "]";
  const struct {
    std::string json;
    std::string reason;
    ManifestRefusal refusal;
  } cases[] = {
      {"", "not valid JSON", ManifestRefusal::kNotJson},
      {"{\"schemaVersion\":2,", "not valid JSON", ManifestRefusal::kNotJson},
      {"[1,2]", "not a JSON object", ManifestRefusal::kNotJson},
      {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown\",\"config\":" +
           Desc("c") + good_layers + "}",
       "unknown manifest media type", ManifestRefusal::kUnknownMediaType},
      {"{\"schemaVersion\":3,\"config\":" + Desc("c") + good_layers + "}", "cannot tell",
       ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
       "no 'config'", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:../../x\",\"size\":1}}",
       "config digest is not usable", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":2,\"config\":" + Desc("c") + ",\"layers\":[{\"digest\":\"" + D("l") +
           "\",\"size\":-5}]}",
       "layers[0] size is not a non-negative integer", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}",
       "no 'manifests' array", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"md5:abc\"}]}",
       "fsLayers[0] blobSum is not usable", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+"
       "json\",\"manifests\":\"x\"}",
       "is not an array", ManifestRefusal::kInvalid},
      {"{\"schemaVersion\":\"2\",\"config\":" + Desc("c") + good_layers + "}",
       "schemaVersion is not an integer", ManifestRefusal::kBadSchemaVersion},
      {"{\"schemaVersion\":1,\"mediaType\":\"application/"
       "vnd.oci.image.manifest.v1+json\",\"config\":" +
           Desc("c") + good_layers + "}",
       "does not fit", ManifestRefusal::kBadSchemaVersion},
      {"{\"config\":" + Desc("c") + good_layers + "}", "no schemaVersion",
       ManifestRefusal::kBadSchemaVersion},
  };
  for (const auto& c : cases) {
    const auto parsed = Parse(c.json);
    EXPECT_FALSE(parsed.manifest) << c.json;
    EXPECT_NE(parsed.error.find(c.reason), std::string::npos) << c.json << " -> " << parsed.error;
    EXPECT_EQ(parsed.refusal, c.refusal) << c.json << " -> " << parsed.error;
  }
}

TEST_F(ManifestTest, DeepNestingIsRefusedNotCrashed) {
  std::string json = "{\"schemaVersion\":2,\"x\":";
  for (int i = 0; i < 100000; ++i) json += "[";
  const auto parsed = Parse(json);
  EXPECT_FALSE(parsed.manifest);
}

}  // namespace
}  // namespace regsweep
