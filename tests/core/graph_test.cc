// Tests for the graph's node ids: the inventory's blobs and each repository's layer links are
// reached by node without a lookup by digest, and always name the node of their own digest.
#include "core/graph.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "core/fs.h"
#include "core/hash.h"
#include "core/tree_reader.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::RegistryBuilder;
using testing::TempDir;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

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
