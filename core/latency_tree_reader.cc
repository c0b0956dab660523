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

Folder LatencyTreeReader::OpenFolder(const Folder& at, std::string_view relative,
                                     IoStatus* status) {
  InFlight request(this);
  return inner_.OpenFolder(at, relative, status);
}

IoStatus LatencyTreeReader::List(const Folder& folder, std::vector<DirEntry>* entries) {
  InFlight request(this);
  return inner_.List(folder, entries);
}

SmallFile LatencyTreeReader::ReadSmall(const Folder& at, std::string_view relative,
                                       size_t max_bytes) {
  InFlight request(this);
  return inner_.ReadSmall(at, relative, max_bytes);
}

FileStat LatencyTreeReader::Stat(const Folder& at, std::string_view relative, IoStatus* status) {
  InFlight request(this);
  return inner_.Stat(at, relative, status);
}

FileStat LatencyTreeReader::StatInChild(const Folder& at, std::string_view child,
                                        std::string_view name, IoStatus* status) {
  InFlight request(this);
  return inner_.StatInChild(at, child, name, status);
}

std::unique_ptr<BlobStream> LatencyTreeReader::OpenStream(const Folder& at,
                                                          std::string_view relative,
                                                          OpenedFacts* facts) {
  InFlight request(this);
  return inner_.OpenStream(at, relative, facts);
}

}  // namespace regsweep
