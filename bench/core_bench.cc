// Microbenchmarks of the per-object work of a scan: link parsing, manifest hashing and
// parsing. Run: build/bench/regsweep_bench. Results go to docs/performance.md, never to tests.
#include <benchmark/benchmark.h>

#include <string>

#include "core/hash.h"
#include "core/manifest.h"
#include "core/scan.h"

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

}  // namespace
}  // namespace regsweep
