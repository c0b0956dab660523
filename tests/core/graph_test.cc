// Tests for the graph's node ids: the inventory's blobs and each repository's layer links,
// revisions, tag targets and tag index entries are reached by node without a lookup by digest,
// and always name the node of their own digest.
#include "core/graph.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <span>

#include "core/distribution_layout.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::TempDir;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

// The scan audit does: every link read, tag index entries included.
Inventory ScanReadingAllLinks(const Folder& v2) {
  ScanOptions options;
  options.read_all_links = true;
  return ScanRegistry(v2, options);
}

TEST(GraphTest, BlobsAndLayerLinksAreTheNodesOfTheirDigests) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  builder.Tag("a", "v1", builder.PushImage("a", {"one", "two"}).digest);
  builder.PushImage("b", {"two", "three"});
  builder.LinkLayer("b", builder.AddBlob("unused").digest);
  builder.LinkLayer("b", Sha("a layer link whose blob is gone"));
  const Folder v2(UniqueFd(open(builder.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  const Inventory inventory = ScanRegistry(v2);
  const Graph graph = Graph::Build(inventory, v2);

  ASSERT_GE(inventory.blobs.size(), 6u);
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    EXPECT_EQ(graph.BlobNode(i), *graph.Find(inventory.blobs[i].digest));
    EXPECT_EQ(graph.node(graph.BlobNode(i)).digest, inventory.blobs[i].digest);
  }
  size_t links = 0;
  for (const RepositoryNode& repository : graph.repositories()) {
    const std::vector<Digest>& digests = repository.record->layer_links;
    ASSERT_EQ(repository.layer_links.size(), digests.size());
    for (size_t l = 0; l < digests.size(); ++l) {
      EXPECT_EQ(graph.node(repository.layer_links[l]).digest, digests[l]);
      ++links;
    }
  }
  EXPECT_GE(links, 8u);  // a: config, one, two; b: config, two, three, unused, gone
}

// Revisions, tag targets and tag index entries are reached by node too, each list in its
// record's order: the mark, the plan and the checks look none of them up by digest.
TEST(GraphTest, RevisionsAndTagsAreTheNodesOfTheirDigests) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const Digest first = builder.PushImage("a", {"one"}).digest;
  const Digest second = builder.PushImage("a", {"two"}).digest;
  const Digest third = builder.PushImage("a", {"three"}).digest;
  builder.Tag("a", "old", first);
  builder.Tag("a", "old", second);  // two index entries, the current one second
  builder.Tag("a", "new", third);
  builder.Tag("a", "broken", third);
  builder.WriteFile(distribution::TagCurrentLink("a", "broken"), "not a digest");
  builder.Tag("a", "gone", Sha("a manifest nobody pushed"));
  const Folder v2(UniqueFd(open(builder.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  const Inventory inventory = ScanReadingAllLinks(v2);
  const Graph graph = Graph::Build(inventory, v2);

  ASSERT_EQ(graph.repositories().size(), 1u);
  const RepositoryNode& repository = graph.repositories()[0];
  const RepositoryRecord& record = *repository.record;
  ASSERT_EQ(record.revisions.size(), 3u);
  ASSERT_EQ(repository.revision_nodes.size(), 3u);
  for (size_t i = 0; i < record.revisions.size(); ++i) {
    EXPECT_EQ(graph.node(repository.revision_nodes[i]).digest, record.revisions[i].digest);
  }
  ASSERT_EQ(record.tags.size(), 4u);
  ASSERT_EQ(repository.tag_targets.size(), 4u);
  size_t entries = 0;
  size_t targets = 0;
  for (size_t t = 0; t < record.tags.size(); ++t) {
    const TagRecord& tag = record.tags[t];
    if (tag.current_state == LinkState::kOk) {
      EXPECT_EQ(graph.node(repository.tag_targets[t]).digest, tag.current) << tag.name;
      ++targets;
    }
    const std::span<const NodeId> nodes = repository.TagIndexNodes(t);
    ASSERT_EQ(nodes.size(), tag.index_entries.size()) << tag.name;
    for (size_t e = 0; e < nodes.size(); ++e) {
      EXPECT_EQ(graph.node(nodes[e]).digest, tag.index_entries[e]) << tag.name;
      ++entries;
    }
  }
  EXPECT_EQ(targets, 3u);  // all but "broken"
  EXPECT_EQ(entries, 5u);  // old: 2, new, broken, gone: 1 each
}

// The stores name each digest once, but a blob listed twice must not shift the nodes of the
// blobs after it.
TEST(GraphTest, ABlobListedTwiceLeavesEveryBlobOnItsOwnNode) {
  TempDir dir;
  RegistryBuilder builder(dir.path());
  const Folder v2(UniqueFd(open(builder.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  Inventory inventory;
  for (const char* content : {"first", "second", "second", "third"}) {
    BlobRecord blob;
    blob.digest = Sha(content);
    inventory.blobs.push_back(blob);
  }
  const Graph graph = Graph::Build(inventory, v2);
  EXPECT_EQ(graph.nodes().size(), 3u);
  for (size_t i = 0; i < inventory.blobs.size(); ++i) {
    EXPECT_EQ(graph.node(graph.BlobNode(i)).digest, inventory.blobs[i].digest) << i;
  }
}

}  // namespace
}  // namespace regsweep
