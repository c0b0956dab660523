// The read side of the storage seam: every way the scanner and the graph look at a tree.
//
// gc and audit read a registry only through a TreeReader (ninja's DiskInterface, read half),
// audit's blob hashing included (OpenStream): the real one is a thin layer over core/fs, and
// tests substitute one that fails the k-th read or makes the file it is about to read vanish,
// to prove that no read failure and no concurrent removal can make a collection delete what a
// tag still needs, or an audit call a blob it could not read corrupt; another adds a delay to
// every request (core/latency_tree_reader.h).
//
// A read names a path relative to a Folder the reader opened before, and never leaves it (see
// core/fs.h). Results carry a status (core/io_status.h), never errno. Every method may be
// called from many threads at once: callers keep up to --io-depth requests in flight.
#ifndef REGSWEEP_CORE_TREE_READER_H_
#define REGSWEEP_CORE_TREE_READER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/blob_stream.h"
#include "core/fs.h"
#include "core/io_status.h"

namespace regsweep {

// A folder opened by a TreeReader: what its backend needs to reach what is below it (on the
// local filesystem, an open descriptor; in an object store, the key prefix of everything below
// it). Callers only hand it back to the backend that opened it (its TreeReader, or the Storage
// over the same tree: core/storage.h); an invalid Folder is what a failed open returns.
class Folder {
 public:
  Folder() = default;
  explicit Folder(UniqueFd fd) : fd_(std::move(fd)) {}
  // A folder of an object store: `key_prefix` ends in '/' (or is empty: the bucket's top).
  static Folder OfKeyPrefix(std::string key_prefix) {
    Folder folder;
    folder.key_prefix_ = std::move(key_prefix);
    folder.is_key_prefix_ = true;
    return folder;
  }

  bool valid() const { return fd_.valid() || is_key_prefix_; }
  // The descriptor; for the local filesystem's reader and storage only.
  int fd() const { return fd_.get(); }
  // The key prefix; for an object store's reader and storage only.
  const std::string& key_prefix() const { return key_prefix_; }

 private:
  UniqueFd fd_;
  std::string key_prefix_;
  bool is_key_prefix_ = false;
};

class TreeReader {
 public:
  virtual ~TreeReader() = default;
  // Opens the folder `relative` below `at`; an invalid Folder and *status on failure (kSymlink
  // when it or a folder on the way is a symbolic link; absent() when it is not there).
  virtual Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) = 0;
  // Lists `folder` (without "." and ".."), replacing *entries.
  virtual IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) = 0;
  // Reads `relative` below `at` if it is a regular file of at most `max_bytes` (as
  // ReadSmallFile).
  virtual SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) = 0;
  // Reads `relative` below `at` as ReadSmall does, for callers that want only its bytes and
  // reject any but those they expect (link files): a backend may leave mtime_ns 0, and the
  // local filesystem returns a FIFO's or device's bytes too rather than stat first
  // (ReadSmallFileContent). A status other than kOk is the one ReadSmall gives. This default
  // is ReadSmall.
  virtual SmallFile ReadContent(const Folder& at, std::string_view relative, size_t max_bytes) {
    return ReadSmall(at, relative, max_bytes);
  }
  // Reads the first `bytes` bytes of `relative` below `at` (all of it when it is shorter) if it
  // is a regular file, as ReadSmall does otherwise. This default reads the file through
  // OpenStream (all of it); the local filesystem reads only the head.
  virtual SmallFile ReadHead(const Folder& at, std::string_view relative, size_t bytes);
  // lstat of `relative` below `at`. *status is ok when the entry exists and when it is simply
  // absent (then the result's `exists` is false).
  virtual FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) = 0;
  // lstat of `<child>/<name>` where `child` is a folder of `at` just listed as a directory (one
  // request instead of Stat's walk, for the blob store's data files). *status as for Stat.
  virtual FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                               IoStatus* status) = 0;
  // Opens `relative` below `at` for reading its bytes in order (core/blob_stream.h), if it is a
  // regular file: never a symbolic link (kSymlink), and a FIFO or device is not read
  // (kNotRegular). *facts says what the open found; the stream is nullptr unless facts->status
  // is kOk. Opening is one request; reading the bytes is the stream's.
  virtual std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                                 OpenedFacts* facts) = 0;
  // Whether the storage vouches, without a read, that `relative` below `at` is a regular file
  // holding exactly `content` (an object store: its listed size and ETag, which is the MD5 of a
  // single-part object's bytes); *mtime_ns is then its mtime. False when it cannot tell, and
  // the caller reads the file: always on the local filesystem, where a read costs no more.
  virtual bool HoldsExactly(const Folder& /*at*/, std::string_view /*relative*/,
                            std::string_view /*content*/, int64_t* /*mtime_ns*/) {
    return false;
  }
};

// The local filesystem.
class PosixTreeReader final : public TreeReader {
 public:
  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override;
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override;
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override;
  SmallFile ReadContent(const Folder& at, std::string_view relative, size_t max_bytes) override;
  SmallFile ReadHead(const Folder& at, std::string_view relative, size_t bytes) override;
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override;
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override;
  // core/posix_blob_stream.h: mmap for files over 1 MiB, read() otherwise.
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override;
};

// Opens `relative` below `at` into *folder and lists it into *entries: the status of the open,
// or of the listing when the open succeeded.
IoStatus OpenAndList(TreeReader& reader, const Folder& at, std::string_view relative,
                     Folder* folder, std::vector<DirEntry>* entries);

// The reader to use when none is given: a shared PosixTreeReader.
TreeReader& DefaultTreeReader();

// Opens the folder at `path` (absolute, or relative to the working directory) on the local
// filesystem, following symbolic links in `path` itself: the root of a tree to read.
Folder OpenRootFolder(const std::string& path, IoStatus* status);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_TREE_READER_H_
