// The manifest pulls read from access logs, grouped by repository: what pulled_within and
// most_recently_pulled are decided by (decide.h). Filled by access_log.h.
#ifndef REGSWEEP_GC_RETENTION_PULL_LOG_H_
#define REGSWEEP_GC_RETENTION_PULL_LOG_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace regsweep {

// One pull of a repository's manifest.
struct Pull {
  std::string reference;  // a tag, or a digest "sha256:<hex>"
  int64_t time_ns = 0;    // nanoseconds since the epoch, UTC
};

// A pull event as the brief of issue 15 names it: repository, reference and time.
struct PullEvent {
  std::string repository;
  std::string reference;
  int64_t time_ns = 0;
};

class PullLog {
 public:
  PullLog() = default;
  // Copies and moves drop the cache of the last repository (it points into the map).
  PullLog(const PullLog& other);
  PullLog(PullLog&& other) noexcept;
  PullLog& operator=(const PullLog& other);
  PullLog& operator=(PullLog&& other) noexcept;
  ~PullLog() = default;

  // Records a pull (copies the strings).
  void Add(std::string_view repository, std::string_view reference, int64_t time_ns);
  // Moves every pull of `other` in after this log's own.
  void Merge(PullLog&& other);

  // The pulls of one repository, in the order they were added (empty when none).
  std::span<const Pull> ForRepository(std::string_view repository) const;
  // The repositories that have pulls, sorted.
  std::vector<std::string> Repositories() const;
  // Every pull as events, sorted by repository, then time, then reference (tests, reports).
  std::vector<PullEvent> Events() const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  void ForgetLast() {
    last_name_ = {};
    last_pulls_ = nullptr;
  }

  std::unordered_map<std::string, std::vector<Pull>, Hash, std::equal_to<>> by_repository_;
  // The repository Add saw last: consecutive lines are often about the same one.
  std::string_view last_name_;
  std::vector<Pull>* last_pulls_ = nullptr;
  size_t size_ = 0;
};

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_PULL_LOG_H_
