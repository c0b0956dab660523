// DecideBlobFates on blobs no mark keeps: only a blob whose data was examined, and found older
// than the grace period, is reclaimed.
#include "core/reclaim.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/fs.h"
#include "core/hash.h"
#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::TempDir;

constexpr int64_t kHourNs = 3600LL * 1000000000;

TEST(ReclaimTest, OnlyExaminedBlobsOlderThanTheGracePeriodAreReclaimed) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const Folder v2(UniqueFd(open(builder.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  GcPolicy policy;
  policy.now_ns = 100 * kHourNs;
  policy.min_age_ns = kHourNs;
  auto blob = [](const std::string& content, bool known) {
    BlobRecord record;
    record.digest = HashBytes(DigestAlgorithm::kSha256, content);
    record.data_known = known;
    record.has_data = known;
    return record;
  };
  Inventory inventory;
  BlobFacts old_facts;
  old_facts.size = 10;
  old_facts.mtime_ns = 90 * kHourNs;
  BlobFacts young_facts = old_facts;
  young_facts.mtime_ns = policy.now_ns - kHourNs / 2;
  inventory.AddBlob(blob("old", true), old_facts);
  inventory.AddBlob(blob("young", true), young_facts);
  inventory.blobs.push_back(blob("never examined", false));
  inventory.blobs.push_back(blob("examined, but no facts kept", true));
  // The expected fates by digest; sorted like a scan's, each record keeps its facts.
  std::vector<std::pair<Digest, BlobFate>> expected;
  const BlobFate fates_in_order[] = {BlobFate::kReclaimed, BlobFate::kSpared, BlobFate::kSpared,
                                     BlobFate::kSpared};
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    expected.emplace_back(inventory.blobs[i].digest, fates_in_order[i]);
  }
  std::sort(inventory.blobs.begin(), inventory.blobs.end(),
            [](const BlobRecord& a, const BlobRecord& b) { return a.digest < b.digest; });
  const Graph graph = Graph::Build(inventory, v2);
  const MarkResult marks = Mark(graph, policy);
  const std::vector<BlobFate> fates =
      DecideBlobFates(graph, marks, policy, [](uint32_t, const Digest&) { return false; });
  for (const auto& [digest, fate] : expected) {
    const auto id = graph.Find(digest);
    ASSERT_TRUE(id);
    EXPECT_EQ(fates[*id], fate) << digest.ToString();
  }
}

}  // namespace
}  // namespace regsweep
