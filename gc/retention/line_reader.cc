// Chunked line splitting over read(2) or zlib's inflate, with one reused buffer.
#include "gc/retention/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace regsweep {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `size` bytes; 0 at the end of the file, -1 on error (errno set).
ssize_t ReadSome(int fd, char* out, size_t size) {
  while (true) {
    const ssize_t got = read(fd, out, size);
    if (got >= 0 || errno != EINTR) return got;
  }
}

// The bytes of a file, decompressed or not.
class Source {
 public:
  virtual ~Source() = default;
  // Fills out[0, size) with up to size bytes; sets *got (0 at the end). False on error.
  virtual bool Read(char* out, size_t size, size_t* got, std::string* error) = 0;
};

class PlainSource : public Source {
 public:
  // `head` holds the bytes already read to detect the format.
  PlainSource(int fd, std::string head) : fd_(fd), head_(std::move(head)) {}

  bool Read(char* out, size_t size, size_t* got, std::string* error) override {
    if (head_used_ < head_.size()) {
      const size_t n = std::min(size, head_.size() - head_used_);
      std::memcpy(out, head_.data() + head_used_, n);
      head_used_ += n;
      *got = n;
      return true;
    }
    const ssize_t n = ReadSome(fd_, out, size);
    if (n < 0) {
      *error = std::strerror(errno);
      return false;
    }
    *got = static_cast<size_t>(n);
    return true;
  }

 private:
  int fd_;
  std::string head_;
  size_t head_used_ = 0;
};

class GzipSource : public Source {
 public:
  GzipSource(int fd, std::string head) : fd_(fd), input_(kChunkBytes) {
    std::memcpy(input_.data(), head.data(), head.size());
    stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
    stream_.avail_in = static_cast<uInt>(head.size());
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ~GzipSource() override {
    if (initialized_) inflateEnd(&stream_);
  }

  bool Init(std::string* error) {
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) {  // 16: gzip wrapper only
      *error = "cannot start zlib";
      return false;
    }
    initialized_ = true;
    return true;
  }

  bool Read(char* out, size_t size, size_t* got, std::string* error) override {
    *got = 0;
    if (finished_) return true;
    const auto want = static_cast<uInt>(std::min<size_t>(size, size_t{1} << 30));
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = want;
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !Refill(error)) return false;
      if (stream_.avail_in == 0) {  // end of file
        if (!member_done_) {
          *error = "truncated gzip data";
          return false;
        }
        finished_ = true;
        break;
      }
      if (member_done_) {
        // Another member follows (concatenated .gz files).
        if (inflateReset(&stream_) != Z_OK) {
          *error = "cannot restart zlib";
          return false;
        }
        member_done_ = false;
      }
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        member_done_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        *error = std::string("corrupt gzip data") +
                 (stream_.msg != nullptr ? std::string(": ") + stream_.msg : std::string());
        return false;
      }
      if (stream_.avail_out < want) break;  // hand out what is there
    }
    *got = want - stream_.avail_out;
    return true;
  }

 private:
  bool Refill(std::string* error) {
    const ssize_t n = ReadSome(fd_, input_.data(), input_.size());
    if (n < 0) {
      *error = std::strerror(errno);
      return false;
    }
    stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
    stream_.avail_in = static_cast<uInt>(n);
    return true;
  }

  int fd_;
  std::vector<char> input_;
  z_stream stream_{};
  bool initialized_ = false;
  bool member_done_ = false;
  bool finished_ = false;
};

// Splits the source into lines.
bool SplitLines(Source& source, const std::function<void(std::string_view)>& on_line,
                LineReadStats* stats, std::string* error) {
  std::vector<char> buffer(kMaxLogLineBytes + kChunkBytes);
  size_t have = 0;        // bytes in buffer[0, have): the start of an unfinished line
  bool skipping = false;  // inside a line that was too long
  while (true) {
    size_t got = 0;
    if (!source.Read(buffer.data() + have, buffer.size() - have, &got, error)) return false;
    stats->bytes += got;
    if (got == 0) {
      if (have > 0 && !skipping) on_line(std::string_view(buffer.data(), have));
      return true;
    }
    const size_t end = have + got;
    size_t start = 0;
    size_t scan = have;
    while (scan < end) {
      const void* newline = std::memchr(buffer.data() + scan, '\n', end - scan);
      if (newline == nullptr) break;
      const size_t at = static_cast<size_t>(static_cast<const char*>(newline) - buffer.data());
      if (skipping) {
        skipping = false;
      } else {
        on_line(std::string_view(buffer.data() + start, at - start));
      }
      start = at + 1;
      scan = start;
    }
    have = end - start;
    if (have > kMaxLogLineBytes || (skipping && have > 0)) {
      if (!skipping) ++stats->long_lines;
      skipping = true;
      have = 0;
    } else if (start > 0 && have > 0) {
      std::memmove(buffer.data(), buffer.data() + start, have);
    }
  }
}

}  // namespace

bool ForEachLogLine(const std::string& path, const std::function<void(std::string_view)>& on_line,
                    LineReadStats* stats, std::string* error) {
  const Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  std::string head(2, '\0');
  size_t head_size = 0;
  while (head_size < head.size()) {
    const ssize_t n = ReadSome(fd.get(), head.data() + head_size, head.size() - head_size);
    if (n < 0) {
      *error = path + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    head_size += static_cast<size_t>(n);
  }
  head.resize(head_size);
  std::unique_ptr<Source> source;
  stats->gzip = head_size == 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
                static_cast<unsigned char>(head[1]) == 0x8b;
  if (stats->gzip) {
    auto gzip = std::make_unique<GzipSource>(fd.get(), std::move(head));
    if (!gzip->Init(error)) {
      *error = path + ": " + *error;
      return false;
    }
    source = std::move(gzip);
  } else {
    source = std::make_unique<PlainSource>(fd.get(), std::move(head));
  }
  if (!SplitLines(*source, on_line, stats, error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

}  // namespace regsweep
