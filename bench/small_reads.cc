// small_reads: the question "thread pool or io_uring" of the POSIX backend (issue "many requests
// in flight"), measured on the reads that dominate a cold gc: open, read and close many small
// files below the v2 folder (every revision link, then every manifest it names).
//
// The file list is made first (listing the revision folders, untimed); with --cold the page
// cache is then dropped (root only), so the timed part finds no inode or data cached. Two
// engines keep N files in flight:
//   threads  N blocking threads, each openat + read + close
//   uring    one io_uring of N slots; per file a linked chain OPENAT (into a registered
//            descriptor slot) -> READ (fixed file) -> CLOSE, a new chain as soon as one ends
//
//   small_reads [--engine threads|uring] [--depth N] [--cold] V2_DIR
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "bench/floor_io.h"

namespace {

using regsweep::bench::List;
using regsweep::bench::OpenDir;
using regsweep::bench::ReadSmall;
using regsweep::bench::RunTasks;

constexpr size_t kBufferBytes = 64 << 10;

struct Totals {
  std::atomic<uint64_t> files{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> failed{0};
};

void ReadWithThreads(int v2, const std::vector<std::string>& paths, unsigned depth,
                     Totals* totals) {
  RunTasks(paths.size(), depth, [&](size_t i) {
    thread_local std::vector<char> buffer(kBufferBytes);
    const int fd = openat(v2, paths[i].c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      ++totals->failed;
      return;
    }
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    close(fd);
    ++totals->files;
    if (n > 0) totals->bytes += static_cast<uint64_t>(n);
  });
}

// user_data of a chain's requests: slot * 4 + step (0 open, 1 read, 2 close).
uint64_t Tag(unsigned slot, unsigned step) { return uint64_t{slot} * 4 + step; }

bool ReadWithUring(int v2, const std::vector<std::string>& paths, unsigned depth, Totals* totals) {
  io_uring ring;
  if (io_uring_queue_init(depth * 3, &ring, 0) != 0) return false;
  if (io_uring_register_files_sparse(&ring, depth) != 0) {
    io_uring_queue_exit(&ring);
    return false;
  }
  std::vector<std::vector<char>> buffers(depth, std::vector<char>(kBufferBytes));
  size_t next = 0;
  unsigned busy = 0;
  auto start_chain = [&](unsigned slot) {
    const std::string& path = paths[next++];
    io_uring_sqe* open = io_uring_get_sqe(&ring);
    io_uring_prep_openat_direct(open, v2, path.c_str(), O_RDONLY | O_NOFOLLOW, 0, slot);
    open->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data64(open, Tag(slot, 0));
    io_uring_sqe* read = io_uring_get_sqe(&ring);
    io_uring_prep_read(read, static_cast<int>(slot), buffers[slot].data(), kBufferBytes, 0);
    read->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
    io_uring_sqe_set_data64(read, Tag(slot, 1));
    io_uring_sqe* close = io_uring_get_sqe(&ring);
    io_uring_prep_close_direct(close, slot);
    io_uring_sqe_set_data64(close, Tag(slot, 2));
    ++busy;
  };
  for (unsigned slot = 0; slot < depth && next < paths.size(); ++slot) start_chain(slot);
  io_uring_submit(&ring);
  while (busy > 0) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(&ring, &cqe) != 0) break;
    const uint64_t tag = io_uring_cqe_get_data64(cqe);
    const unsigned slot = static_cast<unsigned>(tag / 4);
    const unsigned step = static_cast<unsigned>(tag % 4);
    if (step == 0 && cqe->res < 0) ++totals->failed;
    if (step == 1 && cqe->res >= 0) {
      ++totals->files;
      totals->bytes += static_cast<uint64_t>(cqe->res);
    }
    io_uring_cqe_seen(&ring, cqe);
    if (step == 2) {  // the chain is over (its close ran, or was cancelled)
      --busy;
      if (next < paths.size()) {
        start_chain(slot);
        io_uring_submit(&ring);
      }
    }
  }
  io_uring_queue_exit(&ring);
  return true;
}

// Revision link paths (relative to v2) of every repository.
std::vector<std::string> RevisionLinks(int v2, int repositories) {
  std::vector<std::string> links;
  for (const std::string& repo : regsweep::bench::FindRepositories(repositories, 8)) {
    const std::string dir = "repositories/" + repo + "/_manifests/revisions/sha256";
    const int fd = OpenDir(v2, dir);
    if (fd < 0) continue;
    for (const std::string& hex : List(fd)) links.push_back(dir + "/" + hex + "/link");
    close(fd);
  }
  return links;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned depth = 32;
  std::string engine = "threads";
  bool cold = false;
  const char* root = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
      depth = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (std::strcmp(argv[i], "--engine") == 0 && i + 1 < argc) {
      engine = argv[++i];
    } else if (std::strcmp(argv[i], "--cold") == 0) {
      cold = true;
    } else {
      root = argv[i];
    }
  }
  if (root == nullptr || (engine != "threads" && engine != "uring")) {
    std::fprintf(stderr, "usage: small_reads [--engine threads|uring] [--depth N] [--cold] V2\n");
    return 2;
  }
  const int v2 = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int repositories = OpenDir(v2, "repositories");
  if (v2 < 0 || repositories < 0) {
    std::fprintf(stderr, "small_reads: %s is not a registry v2 folder\n", root);
    return 2;
  }
  const std::vector<std::string> links = RevisionLinks(v2, repositories);
  // The manifests, read now once to learn their names (untimed).
  std::set<std::string> manifests;
  for (const std::string& link : links) {
    const std::string digest = ReadSmall(v2, link);
    if (digest.size() == 71 && digest.compare(0, 7, "sha256:") == 0) {
      const std::string hex = digest.substr(7);
      manifests.insert("blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data");
    }
  }
  std::vector<std::string> paths = links;
  paths.insert(paths.end(), manifests.begin(), manifests.end());
  if (cold) {
    sync();
    std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
  }
  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  if (engine == "threads") {
    ReadWithThreads(v2, paths, depth, &totals);
  } else if (!ReadWithUring(v2, paths, depth, &totals)) {
    std::fprintf(stderr, "small_reads: io_uring is not available here\n");
    return 2;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("small_reads: %s, depth %u%s: %llu files (%llu failed), %llu bytes in %.3f s\n",
              engine.c_str(), depth, cold ? ", cold" : "",
              static_cast<unsigned long long>(totals.files.load()),
              static_cast<unsigned long long>(totals.failed.load()),
              static_cast<unsigned long long>(totals.bytes.load()), seconds);
  return 0;
}
