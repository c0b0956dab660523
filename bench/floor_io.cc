// Floor programs' reads.
#include "bench/floor_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace regsweep::bench {

std::vector<std::string> List(int fd) {
  std::vector<std::string> names;
  DIR* dir = fdopendir(dup(fd));
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  return names;
}

int OpenDir(int parent, const std::string& name) {
  return openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

std::string ReadSmall(int dir, const std::string& relative) {
  const int fd = openat(dir, relative.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::string();
  char buffer[256];
  const ssize_t n = read(fd, buffer, sizeof buffer);
  close(fd);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

bool ParseFloorArguments(int argc, char** argv, unsigned* depth, const char** root,
                         unsigned default_depth) {
  *depth = default_depth != 0 ? default_depth : std::max(1u, std::thread::hardware_concurrency());
  *root = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
      *depth = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else {
      *root = argv[i];
    }
  }
  return *root != nullptr;
}

void RunTasks(size_t count, unsigned threads, const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) task(i);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

std::vector<std::string> FindRepositories(int repositories, unsigned threads) {
  std::vector<std::string> found;
  std::vector<std::string> level = List(repositories);
  std::mutex mutex;
  while (!level.empty()) {
    std::vector<std::string> next;
    RunTasks(level.size(), threads, [&](size_t i) {
      const int dir = OpenDir(repositories, level[i]);
      if (dir < 0) return;
      const std::vector<std::string> names = List(dir);
      close(dir);
      std::lock_guard<std::mutex> lock(mutex);
      for (const std::string& name : names) {
        if (name == "_layers") found.push_back(level[i]);
        if (name[0] != '_') next.push_back(level[i] + "/" + name);
      }
    });
    level = std::move(next);
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace regsweep::bench
