// Microbenchmarks of the hot paths: link parsing, digest lookup, manifest hashing and parsing,
// hashing per buffer size, and the whole read-only gc pipeline on a generated tree (set
// REGSWEEP_BENCH_TREE to a tree made by scripts/gen-registry). Run: build/bench/regsweep_bench.
// Results go to docs/performance.md, never to tests.
#include <benchmark/benchmark.h>
#include <fcntl.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/distribution_layout.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/mark.h"

#include "core/hash.h"
#include "core/manifest.h"
#include "core/scan.h"
#include "core/tree_reader.h"

namespace regsweep {
namespace {

void BM_ParseLink(benchmark::State& state) {
  const std::string link = HashBytes(DigestAlgorithm::kSha256, "x").ToString();
  std::string why;
  for (auto _ : state) benchmark::DoNotOptimize(ParseLinkContent(link, &why));
}
BENCHMARK(BM_ParseLink);

std::string ImageManifest(int layers) {
  std::string json =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
      HashBytes(DigestAlgorithm::kSha256, "config").ToString() + "\",\"size\":1234},\"layers\":[";
  for (int i = 0; i < layers; ++i) {
    if (i != 0) json += ',';
    json += "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" +
            HashBytes(DigestAlgorithm::kSha256, std::to_string(i)).ToString() +
            "\",\"size\":123456}";
  }
  return json + "]}";
}

void BM_ParseImageManifest(benchmark::State& state) {
  const std::string json = ImageManifest(static_cast<int>(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) benchmark::DoNotOptimize(ParseManifest(parser, json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ParseImageManifest)->Arg(1)->Arg(10)->Arg(50);

void BM_HashManifest(benchmark::State& state) {
  const std::string json = ImageManifest(10);
  for (auto _ : state) benchmark::DoNotOptimize(HashBytes(DigestAlgorithm::kSha256, json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_HashManifest);

void BM_DigestLookup(benchmark::State& state) {
  const auto count = std::max<size_t>(1, static_cast<size_t>(state.range(0)));
  std::unordered_map<Digest, uint32_t, DigestHash> ids;
  std::vector<Digest> digests;
  for (size_t i = 0; i < count; ++i) {
    digests.push_back(HashBytes(DigestAlgorithm::kSha256, std::to_string(i)));
    ids.emplace(digests.back(), static_cast<uint32_t>(i));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ids.find(digests[i]));
    i = (i + 7919) % count;
  }
}
BENCHMARK(BM_DigestLookup)->Arg(1000)->Arg(1000000);

void BM_HashBuffer(benchmark::State& state) {
  const std::string buffer(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(HashBytes(DigestAlgorithm::kSha256, buffer));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashBuffer)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20)->Arg(8 << 20);

// Scan, graph and mark of a real tree: the whole read-only half of `gc --dry-run -m`.
void BM_ScanGraphMark(benchmark::State& state) {
  const char* tree = std::getenv("REGSWEEP_BENCH_TREE");
  const auto v2 = tree != nullptr ? distribution::FindV2Folder(tree) : std::nullopt;
  if (!v2) {
    state.SkipWithError("set REGSWEEP_BENCH_TREE to a registry made by scripts/gen-registry");
    return;
  }
  const Folder v2_folder(UniqueFd(open(v2->c_str(), O_RDONLY | O_DIRECTORY)));
  GcPolicy policy;
  policy.delete_untagged = true;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  size_t nodes = 0;
  for (auto _ : state) {
    const Inventory inventory = ScanRegistry(v2_folder);
    const Graph graph = Graph::Build(inventory, v2_folder);
    const MarkResult marks = Mark(graph, policy);
    nodes = graph.nodes().size();
    benchmark::DoNotOptimize(marks.live.data());
  }
  state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(BM_ScanGraphMark)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace regsweep
