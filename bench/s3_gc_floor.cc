// s3_gc_floor: the requests `regsweep gc` needs on an S3 registry and nothing else, timed, with
// a chosen number of requests in flight: the floor to read `gc --dry-run s3://...` against
// (scripts/compare-reference s3, issue "S3-compatible object storage").
//
// It lists `repositories/` and `blobs/sha256/` of the registry's v2 folder with a delimiter,
// then lists every key below each top repository folder and each blob shard (ListObjectsV2,
// 1000 keys a page, the folders in parallel), and GETs and hashes (SHA-256) every manifest a
// revision link's key names (`.../_manifests/revisions/sha256/<hex>/link`), each once. It
// reads no link: what a link holds is taken from its key. It checks and builds nothing.
//
//   s3_gc_floor [--depth N] s3://BUCKET[/PREFIX]       (default depth 64, regsweep's default)
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench/floor_io.h"
#include "bench/s3_bench_client.h"

namespace {

using regsweep::s3::ObjectInfo;

// The manifest hex a revision link key names, or "" for any other key.
std::string_view RevisionHex(std::string_view key) {
  constexpr std::string_view kMarker = "/_manifests/revisions/sha256/";
  constexpr std::string_view kLink = "/link";
  const size_t at = key.rfind(kMarker);
  if (at == std::string_view::npos || key.size() != at + kMarker.size() + 64 + kLink.size() ||
      key.substr(key.size() - kLink.size()) != kLink) {
    return {};
  }
  return key.substr(at + kMarker.size(), 64);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned depth = 0;
  const char* root = nullptr;
  if (!regsweep::bench::ParseFloorArguments(argc, argv, &depth, &root, 64)) {
    std::fprintf(stderr, "usage: s3_gc_floor [--depth N] s3://BUCKET[/PREFIX]\n");
    return 2;
  }
  std::string prefix;
  std::string error;
  const auto client = regsweep::bench::OpenBenchClient(root, depth, &prefix, &error);
  if (client == nullptr) {
    std::fprintf(stderr, "s3_gc_floor: %s\n", error.c_str());
    return 2;
  }
  const std::string v2 = prefix + "docker/registry/v2/";
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> folders;
  std::vector<ObjectInfo> ignored;
  if (!regsweep::bench::ListAll(*client, v2 + "repositories/", "/", &ignored, &folders) ||
      !regsweep::bench::ListAll(*client, v2 + "blobs/sha256/", "/", &ignored, &folders)) {
    return 1;
  }
  std::mutex mutex;
  std::set<std::string> manifests;
  std::atomic<size_t> keys{0};
  std::atomic<bool> failed{false};
  regsweep::bench::RunTasks(folders.size(), depth, [&](size_t i) {
    std::vector<ObjectInfo> objects;
    if (!regsweep::bench::ListAll(*client, folders[i], "", &objects, nullptr)) {
      failed = true;
      return;
    }
    keys += objects.size();
    std::vector<std::string> named;
    for (const ObjectInfo& object : objects) {
      const std::string_view hex = RevisionHex(object.key);
      if (!hex.empty()) named.emplace_back(hex);
    }
    std::lock_guard<std::mutex> lock(mutex);
    manifests.insert(named.begin(), named.end());
  });
  if (failed) return 1;
  const std::vector<std::string> unique(manifests.begin(), manifests.end());
  EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  regsweep::bench::RunTasks(unique.size(), depth, [&](size_t i) {
    const std::string& hex = unique[i];
    std::string body;
    ObjectInfo info;
    const regsweep::s3::Result result = client->Get(
        v2 + "blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data", 4 << 20, &body, &info);
    if (!result.ok()) return;  // a floor does not judge: a missing manifest costs its GET
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(body.data(), body.size(), out, &length, algorithm, nullptr);
  });
  EVP_MD_free(algorithm);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("s3_gc_floor: %zu folders, %zu keys, %zu manifests, depth %u in %.3f s; %s\n",
              folders.size(), keys.load(), unique.size(), depth, seconds,
              regsweep::bench::RequestSummary(*client).c_str());
  return 0;
}
