// The read side of the storage seam: every way the scanner and the graph look at a tree.
//
// gc and audit read a registry only through a TreeReader (ninja's DiskInterface, read half):
// the real one is a thin layer over core/fs, and tests substitute one that fails the k-th
// read with an errno or makes the file it is about to read vanish, to prove that no read
// failure and no concurrent removal can make a collection delete what a tag still needs.
// Every path is relative to an open folder and never leaves it (see core/fs.h).
#ifndef REGSWEEP_CORE_TREE_READER_H_
#define REGSWEEP_CORE_TREE_READER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/fs.h"

namespace regsweep {

class TreeReader {
 public:
  virtual ~TreeReader() = default;
  // As OpenDirBeneath: an invalid fd and errno on failure.
  virtual UniqueFd OpenDir(int dirfd, std::string_view relative) = 0;
  // As ListDir: false and errno on failure.
  virtual bool List(int dirfd, std::vector<DirEntry>* entries) = 0;
  // As ReadSmallFile.
  virtual SmallFile ReadSmall(int dirfd, std::string_view relative, size_t max_bytes) = 0;
  // As StatBeneath.
  virtual FileStat Stat(int dirfd, std::string_view relative, int* error) = 0;
  // lstat of `<child>/<name>` where `child` is a folder of `dirfd` just listed as a directory
  // (one system call instead of StatBeneath's three, for the blob store's data files).
  // *error as for Stat.
  virtual FileStat StatInChild(int dirfd, std::string_view child, std::string_view name,
                               int* error) = 0;
};

// The local filesystem.
class PosixTreeReader final : public TreeReader {
 public:
  UniqueFd OpenDir(int dirfd, std::string_view relative) override;
  bool List(int dirfd, std::vector<DirEntry>* entries) override;
  SmallFile ReadSmall(int dirfd, std::string_view relative, size_t max_bytes) override;
  FileStat Stat(int dirfd, std::string_view relative, int* error) override;
  FileStat StatInChild(int dirfd, std::string_view child, std::string_view name,
                       int* error) override;
};

// The reader to use when none is given: a shared PosixTreeReader.
TreeReader& DefaultTreeReader();

}  // namespace regsweep

#endif  // REGSWEEP_CORE_TREE_READER_H_
