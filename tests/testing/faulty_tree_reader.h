// Test support: a TreeReader over the real filesystem that records every read and can disturb
// the k-th one, either by failing it with the status of an errno (an unreadable disk, a denied
// permission) or by removing what it is about to read first, so that the read then sees a file
// or folder that vanished during the scan, as it would if something else deleted it at that
// moment. A third mode counts blob streams only and breaks the k-th one part way: its open
// succeeds, then the read fails after half the bytes were handed over.
#ifndef REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_
#define REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_

#include <unistd.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/tree_reader.h"

namespace regsweep::testing {

class FaultyTreeReader : public TreeReader {
 public:
  // kFail, kVanish: the `fault_at`-th read of any kind. kBreakStream: the `fault_at`-th stream
  // opened (an OpenStream that found a regular file), which fails with `error` after handing
  // over half the file's bytes; nothing else is disturbed or counted.
  enum class Mode { kFail, kVanish, kBreakStream };

  // Disturbs the `fault_at`-th (1-based) read; 0 never does. `error` is used by kFail and
  // kBreakStream. Only a reader that never disturbs records the reads (resolving each path
  // costs a readlink).
  explicit FaultyTreeReader(int fault_at = 0, Mode mode = Mode::kFail, int error = EIO)
      : fault_at_(fault_at), mode_(mode), error_(error), record_(fault_at == 0) {}

  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override {
    if (Disturb("open_dir", at, relative)) {
      *status = IoStatus::FromErrno(error_);
      return Folder();
    }
    return real_.OpenFolder(at, relative, status);
  }
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override {
    if (Disturb("list", folder, "")) return IoStatus::FromErrno(error_);
    return real_.List(folder, entries);
  }
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override {
    if (Disturb("read", at, relative)) {
      SmallFile failed;
      failed.status = ReadStatus::kIoError;
      failed.error = error_;
      return failed;
    }
    return real_.ReadSmall(at, relative, max_bytes);
  }
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override {
    if (Disturb("stat", at, relative)) {
      *status = IoStatus::FromErrno(error_);
      return FileStat();
    }
    return real_.Stat(at, relative, status);
  }
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override {
    const std::string relative = std::string(child) + "/" + std::string(name);
    if (Disturb("stat", at, relative)) {
      *status = IoStatus::FromErrno(error_);
      return FileStat();
    }
    return real_.StatInChild(at, child, name, status);
  }
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override {
    if (mode_ == Mode::kBreakStream) {
      std::unique_ptr<BlobStream> real = real_.OpenStream(at, relative, facts);
      if (real == nullptr || ++streams_ != fault_at_) return real;
      return std::make_unique<BrokenStream>(std::move(real), error_);
    }
    if (Disturb("open_stream", at, relative)) {
      *facts = OpenedFacts();
      facts->status = ReadStatus::kIoError;
      facts->io = IoStatus::FromErrno(error_);
      return nullptr;
    }
    return real_.OpenStream(at, relative, facts);
  }

  // "op path" of every read so far, in order (paths absolute); only when fault_at is 0.
  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // What kVanish removed (absolute); empty before the fault or when there was nothing there.
  std::string removed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return removed_;
  }

 private:
  // A stream that hands over the first half of the real stream's bytes, then fails.
  class BrokenStream final : public BlobStream {
   public:
    BrokenStream(std::unique_ptr<BlobStream> real, int error)
        : real_(std::move(real)), error_(error) {}
    IoStatus ForEachChunk(ChunkSink& sink) override {
      Collect all;
      const IoStatus read = real_->ForEachChunk(all);
      if (!read.ok()) return read;
      sink.Begin();
      const size_t half = all.bytes.size() / 2;
      if (half > 0) sink.Consume(all.bytes.data(), half);
      return IoStatus::FromErrno(error_);
    }

   private:
    struct Collect final : ChunkSink {
      void Begin() override { bytes.clear(); }
      void Consume(const unsigned char* data, size_t size) override {
        bytes.insert(bytes.end(), data, data + size);
      }
      std::vector<unsigned char> bytes;
    };
    std::unique_ptr<BlobStream> real_;
    const int error_;
  };

  // Records the read; returns true when it must fail (kFail at the chosen read). For kVanish
  // the target is removed here and the read then goes on to the real filesystem.
  bool Disturb(const char* op, const Folder& at, std::string_view relative) {
    if (mode_ == Mode::kBreakStream) return false;  // only its streams are disturbed
    const int n = ++count_;
    if (n != fault_at_ && !record_) return false;
    std::string path = FolderOf(at.fd());
    if (!relative.empty()) path += "/" + std::string(relative);
    std::lock_guard<std::mutex> lock(mutex_);
    if (record_) calls_.push_back(std::string(op) + " " + path);
    if (n != fault_at_) return false;
    if (mode_ == Mode::kFail) return true;
    boost::system::error_code ignored;
    if (boost::filesystem::remove_all(path, ignored) > 0) removed_ = path;
    return false;
  }

  static std::string FolderOf(int dirfd) {
    char target[4096];
    const std::string proc = "/proc/self/fd/" + std::to_string(dirfd);
    const ssize_t n = readlink(proc.c_str(), target, sizeof target - 1);
    return n < 0 ? "<fd " + std::to_string(dirfd) + ">" : std::string(target, size_t(n));
  }

  PosixTreeReader real_;
  const int fault_at_;
  const Mode mode_;
  const int error_;
  const bool record_;
  std::atomic<int> count_{0};
  std::atomic<int> streams_{0};  // streams opened, for kBreakStream
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
  std::string removed_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_FAULTY_TREE_READER_H_
