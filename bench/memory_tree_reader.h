// A TreeReader over files held in memory, so that benchmarks can build the graph of a large
// synthetic registry (bench/synthetic_registry) without writing a tree to disk.
//
// Paths are relative to a root obtained from OpenRoot(). Every folder exists: OpenFolder returns a
// real descriptor (an O_PATH handle on `/`, which nothing reads through) and remembers which
// folder it stands for; ReadSmall finds `<folder>/<relative>` in the map. Listing, stat and
// streams are not supported and fail (kIoError, ENOTSUP). Safe for concurrent reads while folders
// are opened.
#ifndef REGSWEEP_BENCH_MEMORY_TREE_READER_H_
#define REGSWEEP_BENCH_MEMORY_TREE_READER_H_

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tree_reader.h"

namespace regsweep {

class MemoryTreeReader final : public TreeReader {
 public:
  // `files`: content by path relative to the root; must outlive the reader.
  explicit MemoryTreeReader(const std::unordered_map<std::string, std::string>& files)
      : files_(files) {}

  // The root folder, where the first OpenFolder or ReadSmall starts.
  Folder OpenRoot() { return NewFolder(""); }

  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override;
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override;
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override;
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override;
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override;
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override;

 private:
  // A new descriptor standing for the folder `path`; invalid when none can be opened.
  Folder NewFolder(std::string path);
  // The path below the root that `relative` names from the folder open as `dirfd`, or nullopt
  // when `dirfd` was not opened here.
  std::optional<std::string> Resolve(int dirfd, std::string_view relative) const;

  const std::unordered_map<std::string, std::string>& files_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<int, std::string> folders_;  // open descriptor -> folder below the root
};

}  // namespace regsweep

#endif  // REGSWEEP_BENCH_MEMORY_TREE_READER_H_
