// The real TreeReader: forwards to core/fs.
#include "core/tree_reader.h"

namespace regsweep {

UniqueFd PosixTreeReader::OpenDir(int dirfd, std::string_view relative) {
  return OpenDirBeneath(dirfd, relative);
}

bool PosixTreeReader::List(int dirfd, std::vector<DirEntry>* entries) {
  return ListDir(dirfd, entries);
}

SmallFile PosixTreeReader::ReadSmall(int dirfd, std::string_view relative, size_t max_bytes) {
  return ReadSmallFile(dirfd, relative, max_bytes);
}

FileStat PosixTreeReader::Stat(int dirfd, std::string_view relative, int* error) {
  return StatBeneath(dirfd, relative, error);
}

FileStat PosixTreeReader::StatInChild(int dirfd, std::string_view child, std::string_view name,
                                      int* error) {
  return StatInChildFolder(dirfd, child, name, error);
}

TreeReader& DefaultTreeReader() {
  static PosixTreeReader reader;
  return reader;
}

}  // namespace regsweep
