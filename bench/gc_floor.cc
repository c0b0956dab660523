// gc_floor: the reads `regsweep gc` needs and nothing else, timed, with a chosen number of reads
// in flight: the floor to read `gc --dry-run` against, warm or cold (scripts/compare-reference,
// issue "many requests in flight").
//
// For every repository (found at any depth by its `_layers` folder) it lists `_layers/sha256`
// and `_manifests/revisions/sha256`, reads every revision link, reads every tag's
// `current/link` and lists its `index/sha256`; it lists every blob shard; then it reads every
// manifest a revision link names (each once) and hashes it with sha256. It checks and builds
// nothing. `--depth N` runs N blocking readers (default: one per core): on storage where every
// read waits on a device or the network, that is how many requests are in flight.
//
// `--examine FILE` adds the one read `gc --delete-untagged` needs beyond these: an lstat of the
// `data` of every blob it may delete (its size, and its age for the grace period), for the
// digests listed in FILE, one "sha256:<hex>" per line (scripts/compare-reference takes them from
// a `gc --dry-run --delete-untagged --json` report of the same tree).
//
//   gc_floor [--depth N] [--examine FILE] V2_DIR
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "bench/floor_io.h"

namespace {

using regsweep::bench::List;
using regsweep::bench::OpenDir;
using regsweep::bench::ReadSmall;
using regsweep::bench::RunTasks;

// Lists `<parent>/<name>/sha256`; with `read_links`, reads each `<hex>/link` and returns them.
std::vector<std::string> DigestFolders(int parent, const std::string& name, bool read_links) {
  std::vector<std::string> links;
  const int dir = OpenDir(parent, name + "/sha256");
  if (dir < 0) return links;
  for (const std::string& hex : List(dir)) {
    if (read_links) links.push_back(ReadSmall(dir, hex + "/link"));
  }
  close(dir);
  return links;
}

// The repository's reads; returns the manifest digests its revision links name.
std::vector<std::string> ReadRepository(int repositories, const std::string& name) {
  const int repo = OpenDir(repositories, name);
  if (repo < 0) return {};
  DigestFolders(repo, "_layers", false);
  std::vector<std::string> manifests = DigestFolders(repo, "_manifests/revisions", true);
  const int tags = OpenDir(repo, "_manifests/tags");
  if (tags >= 0) {
    for (const std::string& tag : List(tags)) {
      ReadSmall(tags, tag + "/current/link");
      DigestFolders(tags, tag + "/index", false);
    }
    close(tags);
  }
  close(repo);
  return manifests;
}

// The path of the blob `digest`'s data ("sha256:<hex>") below blobs/sha256; empty for any
// other text.
std::string BlobDataPath(const std::string& digest) {
  if (digest.size() != 71 || digest.compare(0, 7, "sha256:") != 0) return "";
  const std::string hex = digest.substr(7);
  return hex.substr(0, 2) + "/" + hex + "/data";
}

// Reads and hashes the manifest `digest` ("sha256:<hex>") below the open blobs/sha256 folder.
void HashManifest(int sha256, const std::string& digest, const EVP_MD* algorithm,
                  EVP_MD_CTX* context) {
  const std::string path = BlobDataPath(digest);
  if (path.empty()) return;
  const int fd = openat(sha256, path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  thread_local std::vector<unsigned char> bytes(4 << 20);  // allocated once per reader
  size_t size = 0;
  ssize_t n;
  while (size < bytes.size() && (n = read(fd, bytes.data() + size, bytes.size() - size)) > 0) {
    size += static_cast<size_t>(n);
  }
  close(fd);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(context, algorithm, nullptr);
  EVP_DigestUpdate(context, bytes.data(), size);
  EVP_DigestFinal_ex(context, out, &length);
}

// The lstat of the blob `digest`'s data ("sha256:<hex>") below the open blobs/sha256 folder.
void ExamineBlobData(int sha256, const std::string& digest) {
  const std::string path = BlobDataPath(digest);
  struct stat data;
  if (!path.empty()) fstatat(sha256, path.c_str(), &data, AT_SYMLINK_NOFOLLOW);
}

// Takes `--examine FILE` out of the arguments: the digests FILE lists, in *digests. False when
// the option has no FILE or FILE cannot be read.
bool TakeExamineOption(std::vector<char*>* args, std::vector<std::string>* digests) {
  for (size_t i = 1; i < args->size(); ++i) {
    if (std::strcmp((*args)[i], "--examine") != 0) continue;
    if (i + 1 == args->size()) return false;
    std::ifstream file((*args)[i + 1]);
    if (!file) return false;
    for (std::string line; std::getline(file, line);) {
      if (!line.empty()) digests->push_back(line);
    }
    args->erase(args->begin() + static_cast<std::ptrdiff_t>(i),
                args->begin() + static_cast<std::ptrdiff_t>(i) + 2);
    return true;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned depth = 0;
  const char* root = nullptr;
  std::vector<char*> args(argv, argv + argc);
  std::vector<std::string> examined;
  if (!TakeExamineOption(&args, &examined) ||
      !regsweep::bench::ParseFloorArguments(static_cast<int>(args.size()), args.data(), &depth,
                                            &root)) {
    std::fprintf(stderr, "usage: gc_floor [--depth N] [--examine FILE] V2_DIR\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const int v2 = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int repositories = OpenDir(v2, "repositories");
  const int sha256 = OpenDir(v2, "blobs/sha256");
  if (v2 < 0 || repositories < 0 || sha256 < 0) {
    std::fprintf(stderr, "gc_floor: %s is not a registry v2 folder\n", root);
    return 2;
  }
  const std::vector<std::string> repos = regsweep::bench::FindRepositories(repositories, depth);
  const std::vector<std::string> shards = List(sha256);
  std::mutex mutex;
  std::set<std::string> manifests;
  RunTasks(repos.size() + shards.size(), depth, [&](size_t task) {
    if (task >= repos.size()) {
      const int dir = OpenDir(sha256, shards[task - repos.size()]);
      if (dir >= 0) {
        List(dir);
        close(dir);
      }
      return;
    }
    std::vector<std::string> named = ReadRepository(repositories, repos[task]);
    std::lock_guard<std::mutex> lock(mutex);
    manifests.insert(named.begin(), named.end());
  });
  const std::vector<std::string> unique(manifests.begin(), manifests.end());
  EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  std::vector<EVP_MD_CTX*> contexts;
  std::mutex contexts_mutex;
  RunTasks(unique.size(), depth, [&](size_t i) {
    thread_local EVP_MD_CTX* context = nullptr;
    if (context == nullptr) {
      context = EVP_MD_CTX_new();
      std::lock_guard<std::mutex> lock(contexts_mutex);
      contexts.push_back(context);
    }
    HashManifest(sha256, unique[i], algorithm, context);
  });
  for (EVP_MD_CTX* context : contexts) EVP_MD_CTX_free(context);
  EVP_MD_free(algorithm);
  RunTasks(examined.size(), depth, [&](size_t i) { ExamineBlobData(sha256, examined[i]); });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "gc_floor: %zu repositories, %zu shards, %zu manifests, %zu blobs examined, depth %u in "
      "%.3f s\n",
      repos.size(), shards.size(), unique.size(), examined.size(), depth, seconds);
  return 0;
}
