// LatencyTreeReader: wait, count, delegate.
#include "core/latency_tree_reader.h"

#include <thread>

namespace regsweep {

class LatencyTreeReader::InFlight {
 public:
  explicit InFlight(LatencyTreeReader* reader) : reader_(reader) {
    ++reader_->requests_;
    const int now = ++reader_->in_flight_;
    int peak = reader_->peak_.load();
    while (now > peak && !reader_->peak_.compare_exchange_weak(peak, now)) {
    }
    std::this_thread::sleep_for(reader_->delay_);
  }
  ~InFlight() { --reader_->in_flight_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  LatencyTreeReader* reader_;
};

UniqueFd LatencyTreeReader::OpenDir(int dirfd, std::string_view relative) {
  InFlight request(this);
  return inner_.OpenDir(dirfd, relative);
}

bool LatencyTreeReader::List(int dirfd, std::vector<DirEntry>* entries) {
  InFlight request(this);
  return inner_.List(dirfd, entries);
}

SmallFile LatencyTreeReader::ReadSmall(int dirfd, std::string_view relative, size_t max_bytes) {
  InFlight request(this);
  return inner_.ReadSmall(dirfd, relative, max_bytes);
}

FileStat LatencyTreeReader::Stat(int dirfd, std::string_view relative, int* error) {
  InFlight request(this);
  return inner_.Stat(dirfd, relative, error);
}

FileStat LatencyTreeReader::StatInChild(int dirfd, std::string_view child, std::string_view name,
                                        int* error) {
  InFlight request(this);
  return inner_.StatInChild(dirfd, child, name, error);
}

}  // namespace regsweep
