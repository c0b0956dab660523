// Tests for gc/closure: the closures of the mark's roots add up to exactly its live set, under
// every roots rule, and roots are named the way reports print them.
#include "core/closure.h"

#include <gtest/gtest.h>

#include "core/distribution_layout.h"
#include "tests/testing/pipeline.h"
#include "tests/usage/usage_fixture.h"

namespace regsweep {
namespace {

using testing::Pipeline;
using testing::RegistryBuilder;
using testing::SharingRegistry;
using testing::TempDir;

GcPolicy Policy(bool delete_untagged) {
  GcPolicy policy;
  policy.delete_untagged = delete_untagged;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  return policy;
}

std::vector<uint8_t> UnionOfClosures(const Pipeline& p) {
  std::vector<uint8_t> live(p.graph().nodes().size(), 0);
  ClosureWalker walker(p.graph());
  std::vector<NodeId> nodes;
  for (const MarkRoot& root : p.marks().roots) {
    walker.Walk(root, &nodes);
    for (const NodeId id : nodes) live[id] = 1;
  }
  return live;
}

TEST(ClosureTest, UnionOfRootClosuresIsTheLiveSet) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const SharingRegistry registry(builder);
  for (const bool delete_untagged : {false, true}) {
    Pipeline p(builder, Policy(delete_untagged));
    EXPECT_EQ(UnionOfClosures(p), p.marks().live) << "delete_untagged=" << delete_untagged;
  }
  builder.WriteFile(distribution::BlobData(registry.U.digest), "{}");  // apps/web kept whole
  for (const bool delete_untagged : {false, true}) {
    Pipeline p(builder, Policy(delete_untagged));
    ASSERT_TRUE(p.Tainted("apps/web"));
    EXPECT_EQ(UnionOfClosures(p), p.marks().live) << "delete_untagged=" << delete_untagged;
  }
}

TEST(ClosureTest, RootsAreNamedForPeople) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const SharingRegistry registry(builder);
  builder.WriteFile(distribution::BlobData(registry.U.digest), "{}");
  Pipeline p(builder, Policy(false));
  std::vector<std::string> names;
  for (const MarkRoot& root : p.marks().roots) names.push_back(DescribeRoot(p.graph(), root));
  EXPECT_NE(std::find(names.begin(), names.end(), "lib/base:stable"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "apps/web (kept whole)"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(),
                      "lib/base@" + registry.B.digest.ToString().substr(0, 19) + " (untagged)"),
            names.end());
}

}  // namespace
}  // namespace regsweep
