// s3_put_tree: uploads a local folder into a bucket, many PUTs in flight, so that benchmarks and
// tests can fill an S3-compatible store (Ceph RGW) with a generated registry in seconds where
// s3cmd takes minutes. Every regular file below LOCAL_DIR becomes the key
// PREFIX/<its path below LOCAL_DIR>; symbolic links and other files are skipped (and counted).
// Endpoint and credentials come from the environment as for regsweep (AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, ...). Exits 1 when any upload failed.
//
//   s3_put_tree [--depth N] LOCAL_DIR s3://BUCKET[/PREFIX]      (default depth 64)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/floor_io.h"
#include "bench/s3_bench_client.h"

namespace {

namespace fs = std::filesystem;

bool ReadWhole(const fs::path& path, std::string* content) {
  std::ifstream in(path, std::ios::binary);
  content->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  unsigned depth = 64;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
      depth = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else {
      positional.emplace_back(argv[i]);
    }
  }
  if (positional.size() != 2) {
    std::fprintf(stderr, "usage: s3_put_tree [--depth N] LOCAL_DIR s3://BUCKET[/PREFIX]\n");
    return 2;
  }
  const fs::path local = positional[0];
  std::string prefix;
  std::string error;
  const auto client = regsweep::bench::OpenBenchClient(positional[1], depth, &prefix, &error);
  if (client == nullptr) {
    std::fprintf(stderr, "s3_put_tree: %s\n", error.c_str());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<fs::path> files;
  size_t skipped = 0;
  std::error_code walk_error;
  for (fs::recursive_directory_iterator it(local, walk_error), end; !walk_error && it != end;
       it.increment(walk_error)) {
    const bool symlink = it->is_symlink();
    if (!symlink && it->is_regular_file()) {
      files.push_back(it->path());
    } else if (symlink || !it->is_directory()) {
      ++skipped;
    }
  }
  if (walk_error) {
    std::fprintf(stderr, "s3_put_tree: %s: %s\n", local.c_str(), walk_error.message().c_str());
    return 2;
  }
  std::atomic<size_t> failed{0};
  regsweep::bench::RunTasks(files.size(), depth, [&](size_t i) {
    std::string content;
    if (!ReadWhole(files[i], &content)) {
      std::fprintf(stderr, "s3_put_tree: cannot read %s\n", files[i].c_str());
      ++failed;
      return;
    }
    const std::string key = prefix + files[i].lexically_relative(local).generic_string();
    const regsweep::s3::Result result = client->Put(key, content);
    if (!result.ok()) {
      std::fprintf(stderr, "s3_put_tree: PUT %s: %s\n", key.c_str(), result.Text().c_str());
      ++failed;
    }
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("s3_put_tree: %zu files, %zu failed, %zu skipped, depth %u in %.3f s; %s\n",
              files.size(), failed.load(), skipped, depth, seconds,
              regsweep::bench::RequestSummary(*client).c_str());
  return failed == 0 ? 0 : 1;
}
