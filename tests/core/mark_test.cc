// Tests for the mark phase: roots, index children, referrers, and refusing to guess.
#include "core/mark.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "tests/testing/pipeline.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::Pipeline;
using testing::RegistryBuilder;
using testing::TempDir;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

GcPolicy Policy(bool delete_untagged) {
  GcPolicy policy;
  policy.delete_untagged = delete_untagged;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  return policy;
}

class MarkTest : public ::testing::Test {
 protected:
  MarkTest() : builder_(dir_.path()) {}
  TempDir dir_;
  RegistryBuilder builder_;
};

TEST_F(MarkTest, WithoutDeleteUntaggedEveryRevisionIsARoot) {
  const Blob tagged = builder_.PushImage("a", {"base", "tagged-only"});
  builder_.Tag("a", "v1", tagged.digest);
  const Blob untagged = builder_.PushImage("a", {"base", "untagged-only"});
  const Blob orphan = builder_.AddBlob("orphan");
  Pipeline p(builder_, Policy(false));
  EXPECT_TRUE(p.Live(tagged.digest));
  EXPECT_TRUE(p.Live(untagged.digest));
  EXPECT_TRUE(p.Live(Sha("untagged-only")));
  EXPECT_TRUE(p.Live(Sha("base")));
  EXPECT_FALSE(p.Live(orphan.digest));
  EXPECT_TRUE(p.marks().problems.empty());
}

TEST_F(MarkTest, DeleteUntaggedKeepsTagsOnly) {
  const Blob tagged = builder_.PushImage("a", {"base", "tagged-only"});
  builder_.Tag("a", "v1", tagged.digest);
  const Blob untagged = builder_.PushImage("a", {"base", "untagged-only"});
  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Live(tagged.digest));
  EXPECT_TRUE(p.Live(Sha("base")));
  EXPECT_TRUE(p.Live(Sha("tagged-only")));
  EXPECT_FALSE(p.Live(untagged.digest));
  EXPECT_FALSE(p.Live(Sha("untagged-only")));
}

TEST_F(MarkTest, TaggedIndexKeepsUntaggedChildrenRecursively) {
  const Blob amd64 = builder_.PushImage("multi", {"amd64-layer"});
  const Blob arm64 = builder_.PushImage("multi", {"arm64-layer"}, testing::kDockerManifest);
  const Blob inner = builder_.PushIndex("multi", {arm64}, testing::kDockerList);
  const Blob outer = builder_.PushIndex("multi", {amd64, inner});
  builder_.Tag("multi", "1.0", outer.digest);
  Pipeline p(builder_, Policy(true));
  for (const Digest& d : {outer.digest, inner.digest, amd64.digest, arm64.digest,
                          Sha("amd64-layer"), Sha("arm64-layer")}) {
    EXPECT_TRUE(p.Live(d)) << d.ToString();
  }
}

TEST_F(MarkTest, ReferrersOfKeptSubjectsAreKeptAtAnyDepth) {
  const Blob image = builder_.PushImage("app", {"app-layer"});
  builder_.Tag("app", "1.0", image.digest);
  const Blob signature = builder_.PushImage("app", {"sig"}, testing::kOciManifest, image);
  const Blob countersig =
      builder_.PushImage("app", {"countersig"}, testing::kOciManifest, signature);
  const Blob gone_subject = builder_.PushImage("app", {"old-layer"});
  const Blob orphan_ref =
      builder_.PushImage("app", {"orphan-sbom"}, testing::kOciManifest, gone_subject);
  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Live(signature.digest));
  EXPECT_TRUE(p.Live(Sha("sig")));
  EXPECT_TRUE(p.Live(countersig.digest));
  EXPECT_TRUE(p.Live(Sha("countersig")));
  EXPECT_FALSE(p.Live(gone_subject.digest));
  EXPECT_FALSE(p.Live(orphan_ref.digest));
  EXPECT_FALSE(p.Live(Sha("orphan-sbom")));
}

TEST_F(MarkTest, ReferrerInAnotherRepositoryDoesNotKeepItsSubject) {
  const Blob image = builder_.PushImage("a", {"x"});
  builder_.PushImage("b", {"sig"}, testing::kOciManifest, image);
  Pipeline p(builder_, Policy(true));
  EXPECT_FALSE(p.Live(image.digest));
  EXPECT_FALSE(p.Live(Sha("sig")));
}

TEST_F(MarkTest, UntagDropsTheRoot) {
  const Blob v1 = builder_.PushImage("a", {"one"});
  const Blob v2 = builder_.PushImage("a", {"two"});
  builder_.Tag("a", "v1", v1.digest);
  builder_.Tag("a", "v2", v2.digest);
  GcPolicy policy = Policy(true);
  policy.untag = {TagRef{"a", "v1"}, TagRef{"a", "nope"}};
  Pipeline p(builder_, policy);
  EXPECT_FALSE(p.Live(v1.digest));
  EXPECT_FALSE(p.Live(Sha("one")));
  EXPECT_TRUE(p.Live(v2.digest));
  ASSERT_EQ(p.marks().problems.size(), 1u);
  EXPECT_EQ(p.marks().problems[0].kind, "untag_not_found");
  EXPECT_EQ(p.marks().problems[0].severity, Severity::kWarning);
}

TEST_F(MarkTest, RecentRevisionIsARootEvenUntagged) {
  const Blob fresh = builder_.PushImage("a", {"fresh"});
  GcPolicy policy = Policy(true);
  policy.min_age_ns = 3600LL * 1000000000;
  Pipeline p(builder_, policy);
  EXPECT_TRUE(p.Live(fresh.digest));
  EXPECT_TRUE(p.Live(Sha("fresh")));
}

// Every way a manifest can be unknown keeps its whole repository and is reported as an error.
TEST_F(MarkTest, UnknownManifestKeepsItsRepositoryWhole) {
  struct Case {
    const char* name;
    std::function<void(RegistryBuilder&, const Blob&)> damage;
  };
  const Case cases[] = {
      {"truncated",
       [](RegistryBuilder& b, const Blob& m) {
         b.WriteFile(distribution::BlobData(m.digest), "{\"schemaVersion\":2,");
       }},
      {"tampered",
       [](RegistryBuilder& b, const Blob& m) {
         b.WriteFile(distribution::BlobData(m.digest),
                     RegistryBuilder::ImageManifestJson(testing::kOciManifest, b.AddBlob("c"), {},
                                                        std::nullopt));
       }},
      {"missing",
       [](RegistryBuilder& b, const Blob& m) {
         boost::filesystem::remove_all(b.v2() / distribution::BlobDir(m.digest));
       }},
      {"unknown media type",
       [](RegistryBuilder& b, const Blob& m) {
         const std::string json = "{\"schemaVersion\":2,\"mediaType\":\"application/x-new\"}";
         const Blob other = b.AddBlob(json);
         boost::filesystem::remove_all(b.v2() / distribution::BlobDir(m.digest));
         boost::filesystem::rename(b.v2() / distribution::BlobDir(other.digest),
                                   b.v2() / distribution::BlobDir(m.digest));
       }},
  };
  for (const Case& c : cases) {
    TempDir dir;
    RegistryBuilder b(dir.path());
    const Blob kept = b.PushImage("a", {"kept"});
    b.Tag("a", "v1", kept.digest);
    const Blob broken = b.PushImage("a", {"only-the-broken-one-uses-this"});
    b.Tag("a", "v2", broken.digest);
    const Blob untagged = b.PushImage("a", {"untagged"});
    const Blob other_repo = b.PushImage("z", {"z-garbage"});
    c.damage(b, broken);
    Pipeline p(b, Policy(true));
    EXPECT_TRUE(p.Tainted("a")) << c.name;
    EXPECT_TRUE(p.Live(Sha("only-the-broken-one-uses-this"))) << c.name;
    EXPECT_TRUE(p.Live(untagged.digest)) << c.name;
    EXPECT_TRUE(p.Live(Sha("untagged"))) << c.name;
    EXPECT_FALSE(p.Live(other_repo.digest)) << c.name << ": other repositories are collected";
    EXPECT_TRUE(HasErrors(p.marks().problems)) << c.name;
    EXPECT_EQ(p.marks().problems[0].kind, "repository_kept_whole");
  }
}

TEST_F(MarkTest, UntaggedUnknownManifestAlsoKeepsItsRepository) {
  const Blob image = builder_.PushImage("a", {"x"});
  builder_.WriteFile(distribution::BlobData(image.digest), "garbage");
  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Tainted("a"));
  EXPECT_TRUE(p.Live(Sha("x")));
}

// The finding names the unusable manifest and how the mark reached it: by a tag, or as the
// child of an index (named by digest).
TEST_F(MarkTest, AnUnusableManifestIsNamedWithHowItWasReached) {
  const Blob child = builder_.PushImage("a", {"child-layer"});
  const Blob index = builder_.PushIndex("a", {child});
  builder_.Tag("a", "multi", index.digest);
  builder_.WriteFile(distribution::BlobData(child.digest), "garbage");
  const Blob image = builder_.PushImage("b", {"image-layer"});
  builder_.Tag("b", "v2", image.digest);
  builder_.WriteFile(distribution::BlobData(image.digest), "garbage too");
  Pipeline p(builder_, Policy(true));
  auto reason_about = [&](const Digest& digest) {
    for (const Finding& finding : p.marks().problems) {
      if (finding.digest == digest.ToString()) return finding.reason;
    }
    return std::string();
  };
  EXPECT_NE(reason_about(child.digest)
                .find("manifest " + child.digest.ToString() + " (child of " +
                      index.digest.ToString() + ") is "),
            std::string::npos)
      << reason_about(child.digest);
  EXPECT_NE(
      reason_about(image.digest).find("manifest " + image.digest.ToString() + " (tag v2) is "),
      std::string::npos)
      << reason_about(image.digest);
  EXPECT_TRUE(p.Tainted("a"));
  EXPECT_TRUE(p.Tainted("b"));
}

// Manifests are verified against their digests, so a true cycle cannot be built; a child named
// twice and also tagged must still be visited once and kept.
TEST_F(MarkTest, SharedAndRepeatedChildrenAreKept) {
  const Blob child = builder_.PushImage("a", {"c"});
  const Blob index = builder_.PushIndex("a", {child, child});
  builder_.Tag("a", "t1", index.digest);
  builder_.Tag("a", "t2", child.digest);
  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Live(Sha("c")));
}

TEST_F(MarkTest, InvalidRepositoryNameIsKeptWhole) {
  const Blob image = builder_.PushImage("Upper", {"u"});
  Pipeline p(builder_, Policy(true));
  EXPECT_TRUE(p.Tainted("Upper"));
  EXPECT_TRUE(p.Live(image.digest));
  EXPECT_TRUE(p.Live(Sha("u")));
}

}  // namespace
}  // namespace regsweep
