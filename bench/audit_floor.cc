// audit_floor: the least file system work any audit with a data check of a distribution tree
// must do, timed, as a floor to read `regsweep audit --verify-data` against
// (scripts/compare-reference).
//
// It reads every link file (`_layers`, revisions, tag `current` and tag index links), each below
// its open parent folder, and hashes every blob's `data` with sha256, below its open shard
// folder. It checks nothing, builds nothing and reports nothing; repositories are found at any
// depth by their `_layers` folder, and only sha256 is read. Whatever audit spends beyond this is
// its own cost; the rest is the machine's. `--depth N` runs N blocking readers (default: one per
// core): on a cold cache or network storage, that is how many reads are in flight.
//
//   audit_floor [--depth N] V2_DIR
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/floor_io.h"

namespace {

using regsweep::bench::List;
using regsweep::bench::OpenDir;
using regsweep::bench::ReadSmall;

// Reads `relative` below `dir`; the bytes are not looked at.
void ReadLink(int dir, const std::string& relative) { ReadSmall(dir, relative); }

// Reads every `<hex>/link` below `<parent>/<name>/sha256`.
void ReadDigestLinks(int parent, const std::string& name) {
  const int dir = OpenDir(parent, name + "/sha256");
  if (dir < 0) return;
  for (const std::string& hex : List(dir)) ReadLink(dir, hex + "/link");
  close(dir);
}

void ReadRepository(int repositories, const std::string& name) {
  const int repo = OpenDir(repositories, name);
  if (repo < 0) return;
  ReadDigestLinks(repo, "_layers");
  ReadDigestLinks(repo, "_manifests/revisions");
  const int tags = OpenDir(repo, "_manifests/tags");
  if (tags >= 0) {
    for (const std::string& tag : List(tags)) {
      ReadLink(tags, tag + "/current/link");
      ReadDigestLinks(tags, tag + "/index");
    }
    close(tags);
  }
  close(repo);
}

void HashShard(int sha256, const std::string& shard, const EVP_MD* algorithm, EVP_MD_CTX* context,
               std::vector<unsigned char>* buffer) {
  const int dir = OpenDir(sha256, shard);
  if (dir < 0) return;
  for (const std::string& hex : List(dir)) {
    const int fd = openat(dir, (hex + "/data").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    fstat(fd, &st);
    EVP_DigestInit_ex(context, algorithm, nullptr);
    ssize_t n;
    while ((n = read(fd, buffer->data(), buffer->size())) > 0) {
      EVP_DigestUpdate(context, buffer->data(), static_cast<size_t>(n));
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context, out, &length);
    close(fd);
  }
  close(dir);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned depth = 0;
  const char* root = nullptr;
  if (!regsweep::bench::ParseFloorArguments(argc, argv, &depth, &root)) {
    std::fprintf(stderr, "usage: audit_floor [--depth N] V2_DIR\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const int v2 = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int repositories = OpenDir(v2, "repositories");
  const int sha256 = OpenDir(v2, "blobs/sha256");
  if (v2 < 0 || repositories < 0 || sha256 < 0) {
    std::fprintf(stderr, "audit_floor: %s is not a registry v2 folder\n", root);
    return 2;
  }
  const std::vector<std::string> repos = regsweep::bench::FindRepositories(repositories, depth);
  const std::vector<std::string> shards = List(sha256);
  // Tasks: every repository, then every shard, taken in turn by `depth` threads.
  EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  regsweep::bench::RunTasks(repos.size() + shards.size(), depth, [&](size_t task) {
    if (task < repos.size()) {
      ReadRepository(repositories, repos[task]);
      return;
    }
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
        EVP_MD_CTX_new(), EVP_MD_CTX_free);
    thread_local std::vector<unsigned char> buffer(size_t{1} << 20);
    HashShard(sha256, shards[task - repos.size()], algorithm, context.get(), &buffer);
  });
  EVP_MD_free(algorithm);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("audit_floor: %zu repositories, %zu shards, depth %u in %.3f s\n", repos.size(),
              shards.size(), depth, seconds);
  return 0;
}
