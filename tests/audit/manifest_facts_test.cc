// ManifestFactsCollector and ManifestFactsTable: the facts the observer saw, found by node, and
// empty facts for every node it did not see.
#include "audit/check/manifest_facts.h"

#include <gtest/gtest.h>
#include <tbb/parallel_for.h>

#include <map>
#include <string>

namespace regsweep::audit {
namespace {

const char kImage[] =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":7,)"
    R"("digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},"layers":[]})";

TEST(ManifestFactsTest, FindsWhatEachThreadObservedAndNothingElse) {
  ManifestFactsCollector collector;
  const ManifestObserver observer = collector.Observer();
  simdjson::dom::parser parser;
  const ParsedManifest image = ParseManifest(parser, kImage);
  ASSERT_TRUE(image.manifest);
  const ParsedManifest refused = ParseManifest(parser, "not json");
  ASSERT_FALSE(refused.manifest);
  // Every third node of 3000 is observed, from many threads: a parsed manifest, or every
  // ninth a refused one.
  constexpr NodeId kNodes = 3000;
  tbb::parallel_for(NodeId{0}, kNodes, [&](NodeId id) {
    if (id % 3 != 0) return;
    // The observer may take the parse: each call gets its own.
    ParsedManifest parsed = id % 9 == 0 ? refused : image;
    observer(id, id % 9 == 0 ? std::string_view("not json") : std::string_view(kImage), parsed);
  });
  const ManifestFactsTable table = collector.Take(kNodes);
  std::map<NodeId, int> visits;
  table.ForEach([&](NodeId id, const ManifestFacts&) { ++visits[id]; });
  EXPECT_EQ(visits.size(), kNodes / 3);
  for (NodeId id = 0; id < kNodes; ++id) {
    const ManifestFacts& facts = table[id];
    if (id % 3 != 0) {
      EXPECT_FALSE(facts.verified_bytes) << id;
      EXPECT_FALSE(facts.manifest) << id;
      EXPECT_EQ(visits.count(id), 0U) << id;
      continue;
    }
    EXPECT_EQ(visits[id], 1) << id;
    if (id % 9 == 0) {
      EXPECT_EQ(facts.verified_bytes, sizeof "not json" - 1) << id;
      EXPECT_FALSE(facts.manifest) << id;
      EXPECT_EQ(facts.kind, "manifest_not_json") << id;
    } else {
      EXPECT_EQ(facts.verified_bytes, sizeof kImage - 1) << id;
      ASSERT_TRUE(facts.manifest) << id;
      EXPECT_EQ(facts.manifest->config->size, 7U) << id;
    }
  }
  // A node beyond the graph's count has none.
  EXPECT_FALSE(table[kNodes + 5].verified_bytes);
}

}  // namespace
}  // namespace regsweep::audit
