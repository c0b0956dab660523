// Floor programs' reads.
#include "bench/floor_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace regsweep::bench {
namespace {

void FindBelow(int repositories, const std::string& relative, std::vector<std::string>* out) {
  const int dir = OpenDir(repositories, relative);
  if (dir < 0) return;
  for (const std::string& name : List(dir)) {
    if (name == "_layers") out->push_back(relative);
    if (name[0] != '_') FindBelow(repositories, relative + "/" + name, out);
  }
  close(dir);
}

}  // namespace

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

std::vector<std::string> FindRepositories(int repositories) {
  std::vector<std::string> out;
  for (const std::string& name : List(repositories)) FindBelow(repositories, name, &out);
  return out;
}

}  // namespace regsweep::bench
