// Exact accounting on a registry with known sharing (tests/usage/usage_fixture.h): every number
// is checked against a hand computation, and every tag's exclusive bytes against what gc -m
// --untag then frees.
#include <gtest/gtest.h>

#include <algorithm>

#include "audit/usage/usage.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "tests/testing/pipeline.h"
#include "tests/usage/usage_fixture.h"

namespace regsweep::usage {
namespace {

using testing::Pipeline;
using testing::RegistryBuilder;
using testing::SharingRegistry;
using testing::TempDir;

GcPolicy TagsOnly() {
  GcPolicy policy;
  policy.delete_untagged = true;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  return policy;
}

const RepositoryUsage& Repo(const Usage& usage, const std::string& name) {
  const auto it = std::find_if(usage.repositories.begin(), usage.repositories.end(),
                               [&](const RepositoryUsage& r) { return r.name == name; });
  EXPECT_NE(it, usage.repositories.end()) << name;
  return *it;
}

const TagUsage& Tag(const Usage& usage, const std::string& repository, const std::string& tag) {
  const auto it = std::find_if(usage.tags.begin(), usage.tags.end(), [&](const TagUsage& t) {
    return t.repository == repository && t.tag == tag;
  });
  EXPECT_NE(it, usage.tags.end()) << repository << ":" << tag;
  return *it;
}

uint64_t SharedBetween(const Usage& usage, const std::string& a, const std::string& b) {
  for (const SharedPair& pair : usage.shared_pairs) {
    if ((pair.first == a && pair.second == b) || (pair.first == b && pair.second == a)) {
      return pair.bytes;
    }
  }
  return 0;
}

class UsageAccountingTest : public ::testing::Test {
 protected:
  UsageAccountingTest() : builder_(dir_.path()), r_(builder_) {}
  uint64_t L(const std::string& content) const { return content.size(); }

  TempDir dir_;
  RegistryBuilder builder_;
  SharingRegistry r_;
};

TEST_F(UsageAccountingTest, EveryNumberMatchesTheHandComputation) {
  Pipeline p(builder_, TagsOnly());
  const Usage usage = ComputeUsage(p.graph(), 0);
  const SharingRegistry& r = r_;

  // Images: what each tag keeps alive.
  const uint64_t base = r.B.size + L(r.cB) + L(r.os) + L(r.libs);
  const uint64_t signature = r.S.size + L(r.cS) + L(r.sig);
  const uint64_t web = r.W.size + L(r.cW) + L(r.os) + L(r.libs) + L(r.web) + signature;
  const uint64_t amd64 = r.A.size + L(r.cA) + L(r.os) + L(r.amd);
  const uint64_t arm64 = r.R.size + L(r.cR) + L(r.arm);
  const uint64_t index = r.I.size + amd64 + arm64;
  EXPECT_EQ(Tag(usage, "lib/base", "1.0").size_bytes, base);
  EXPECT_EQ(Tag(usage, "lib/base", "stable").size_bytes, base);
  EXPECT_EQ(Tag(usage, "apps/web", "1.0").size_bytes, web);
  EXPECT_EQ(Tag(usage, "multi", "1.0").size_bytes, index);
  EXPECT_EQ(Tag(usage, "multi", "amd64").size_bytes, amd64);

  // Exclusive: two tags on B free nothing alone; W frees all but the base layers (its
  // signature included); the index frees itself and R but not A, which multi:amd64 keeps.
  EXPECT_EQ(Tag(usage, "lib/base", "1.0").exclusive_bytes, 0u);
  EXPECT_EQ(Tag(usage, "lib/base", "stable").exclusive_bytes, 0u);
  EXPECT_EQ(Tag(usage, "lib/base", "1.0").same_manifest_tags, 1u);
  EXPECT_EQ(Tag(usage, "apps/web", "1.0").exclusive_bytes, web - L(r.os) - L(r.libs));
  EXPECT_EQ(Tag(usage, "multi", "1.0").exclusive_bytes, r.I.size + arm64);
  EXPECT_EQ(Tag(usage, "multi", "amd64").exclusive_bytes, 0u);

  // Repositories.
  const RepositoryUsage& lib = Repo(usage, "lib/base");
  EXPECT_EQ(lib.tags, 2u);
  EXPECT_EQ(lib.manifests, 1u);
  EXPECT_EQ(lib.logical_bytes, base);
  EXPECT_EQ(lib.exclusive_bytes, r.B.size + L(r.cB));
  EXPECT_EQ(lib.shared_bytes, L(r.os) + L(r.libs));
  const RepositoryUsage& apps = Repo(usage, "apps/web");
  EXPECT_EQ(apps.tags, 1u);
  EXPECT_EQ(apps.manifests, 3u);  // W, S, U
  EXPECT_EQ(apps.logical_bytes, web);
  EXPECT_EQ(apps.exclusive_bytes, web - L(r.os) - L(r.libs));
  EXPECT_EQ(apps.shared_bytes, L(r.os) + L(r.libs));
  const RepositoryUsage& multi = Repo(usage, "multi");
  EXPECT_EQ(multi.tags, 2u);
  EXPECT_EQ(multi.manifests, 3u);
  EXPECT_EQ(multi.logical_bytes, index);
  EXPECT_EQ(multi.exclusive_bytes, index - L(r.os));
  EXPECT_EQ(multi.shared_bytes, L(r.os));
  EXPECT_EQ(SharedBetween(usage, "lib/base", "apps/web"), L(r.os) + L(r.libs));
  EXPECT_EQ(SharedBetween(usage, "lib/base", "multi"), L(r.os));
  EXPECT_EQ(SharedBetween(usage, "apps/web", "multi"), L(r.os));
  ASSERT_EQ(usage.shared_pairs.size(), 3u);
  EXPECT_EQ(usage.shared_pairs[0].bytes, L(r.os) + L(r.libs)) << "largest first";

  // Totals.
  const uint64_t untagged = r.U.size + L(r.cU) + L(r.old);
  const uint64_t referenced = r.B.size + L(r.cB) + L(r.os) + L(r.libs) + r.W.size + L(r.cW) +
                              L(r.web) + signature + r.I.size + r.A.size + L(r.cA) + L(r.amd) +
                              arm64;
  const Totals& t = usage.totals;
  EXPECT_EQ(t.blobs, 8u + 6u + 7u);  // layers, configs, manifests
  EXPECT_EQ(t.blob_bytes, referenced + untagged + L(r.orphan));
  EXPECT_EQ(t.referenced_blobs, 17u);
  EXPECT_EQ(t.referenced_bytes, referenced);
  EXPECT_EQ(t.unreferenced_blobs, 4u);  // U, cU, old, orphan
  EXPECT_EQ(t.unreferenced_bytes, untagged + L(r.orphan));
  EXPECT_EQ(t.unused_by_manifests_blobs, 1u);  // without -m only the orphan goes
  EXPECT_EQ(t.unused_by_manifests_bytes, L(r.orphan));
  EXPECT_EQ(t.manifests, 7u);
  EXPECT_EQ(t.tags, 5u);
  EXPECT_EQ(t.repositories, 3u);
  EXPECT_EQ(t.image_bytes, 2 * base + web + index + amd64);
  EXPECT_DOUBLE_EQ(t.dedup_ratio, static_cast<double>(2 * base + web + index + amd64) /
                                      static_cast<double>(referenced));
  EXPECT_GE(t.allocated_bytes, t.blob_bytes > 0 ? 4096u : 0u);
}

TEST_F(UsageAccountingTest, ExclusiveBytesAreWhatGcFreesWhenUntaggingTheTag) {
  const uint64_t baseline = Pipeline(builder_, TagsOnly()).plan().deleted.blob_bytes;
  const Usage usage = ComputeUsage(Pipeline(builder_, TagsOnly()).graph(), 0);
  for (const TagUsage& tag : usage.tags) {
    GcPolicy policy = TagsOnly();
    policy.untag.push_back(TagRef{tag.repository, tag.tag});
    const uint64_t freed = Pipeline(builder_, policy).plan().deleted.blob_bytes;
    EXPECT_EQ(freed - baseline, tag.exclusive_bytes) << tag.repository << ":" << tag.tag;
  }
  for (const RepositoryUsage& repository : usage.repositories) {
    GcPolicy policy = TagsOnly();
    policy.delete_repositories.push_back(repository.name);
    const uint64_t freed = Pipeline(builder_, policy).plan().deleted.blob_bytes;
    EXPECT_EQ(freed - baseline, repository.exclusive_bytes) << repository.name;
  }
}

TEST_F(UsageAccountingTest, TopBlobsNameTheTagsUsingThem) {
  const Usage usage = ComputeUsage(Pipeline(builder_, TagsOnly()).graph(), 100);
  ASSERT_EQ(usage.top_blobs.size(), 21u) << "at most every blob";
  for (size_t i = 1; i < usage.top_blobs.size(); ++i) {
    EXPECT_GE(usage.top_blobs[i - 1].size, usage.top_blobs[i].size) << "largest first";
  }
  auto find = [&](const std::string& content) {
    const Digest digest = HashBytes(DigestAlgorithm::kSha256, content);
    return *std::find_if(usage.top_blobs.begin(), usage.top_blobs.end(),
                         [&](const BlobUsage& blob) { return blob.digest == digest; });
  };
  const BlobUsage os = find(r_.os);
  EXPECT_EQ(os.size, 1000u);
  EXPECT_EQ(os.repositories, (std::vector<std::string>{"apps/web", "lib/base", "multi"}));
  EXPECT_EQ(os.tags, (std::vector<std::string>{"apps/web:1.0", "lib/base:1.0", "lib/base:stable",
                                               "multi:1.0", "multi:amd64"}));
  EXPECT_EQ(find(r_.libs).tags,
            (std::vector<std::string>{"apps/web:1.0", "lib/base:1.0", "lib/base:stable"}));
  EXPECT_EQ(find(r_.sig).tags, (std::vector<std::string>{"apps/web:1.0"})) << "via the referrer";
  EXPECT_EQ(find(r_.arm).tags, (std::vector<std::string>{"multi:1.0"}));
  EXPECT_TRUE(find(r_.orphan).tags.empty());
  EXPECT_TRUE(find(r_.old).repositories.empty()) << "untagged: no holder under -m";
}

TEST_F(UsageAccountingTest, ARepositoryKeptWholeHoldsEverythingItHas) {
  builder_.WriteFile(distribution::BlobData(r_.U.digest), "{}");  // tampered untagged manifest
  const Usage usage = ComputeUsage(Pipeline(builder_, TagsOnly()).graph(), 0);
  const RepositoryUsage& apps = Repo(usage, "apps/web");
  EXPECT_TRUE(apps.kept_whole);
  // Everything apps/web has: W and its signature, the tampered U (2 bytes now) and the layers
  // linked in apps/web (cU and old among them).
  const uint64_t everything = r_.W.size + L(r_.cW) + L(r_.os) + L(r_.libs) + L(r_.web) + r_.S.size +
                              L(r_.cS) + L(r_.sig) + 2 + L(r_.cU) + L(r_.old);
  EXPECT_EQ(apps.logical_bytes, everything);
  EXPECT_EQ(apps.exclusive_bytes, everything - L(r_.os) - L(r_.libs));
  EXPECT_EQ(Tag(usage, "apps/web", "1.0").exclusive_bytes, 0u) << "gc keeps it all anyway";
  EXPECT_TRUE(Tag(usage, "apps/web", "1.0").kept_whole);
  EXPECT_EQ(usage.totals.unreferenced_bytes, L(r_.orphan));
  EXPECT_FALSE(usage.problems.empty());
}

}  // namespace
}  // namespace regsweep::usage
