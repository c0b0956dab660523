// Grouping pulls by repository, with one hash lookup per change of repository.
#include "gc/retention/pull_log.h"

#include <algorithm>
#include <tuple>

namespace regsweep {

PullLog::PullLog(const PullLog& other) : by_repository_(other.by_repository_), size_(other.size_) {}

PullLog::PullLog(PullLog&& other) noexcept
    : by_repository_(std::move(other.by_repository_)), size_(other.size_) {
  other.by_repository_.clear();
  other.ForgetLast();
  other.size_ = 0;
}

PullLog& PullLog::operator=(const PullLog& other) {
  if (this != &other) {
    by_repository_ = other.by_repository_;
    size_ = other.size_;
    ForgetLast();
  }
  return *this;
}

PullLog& PullLog::operator=(PullLog&& other) noexcept {
  if (this != &other) {
    by_repository_ = std::move(other.by_repository_);
    size_ = other.size_;
    ForgetLast();
    other.by_repository_.clear();
    other.ForgetLast();
    other.size_ = 0;
  }
  return *this;
}

void PullLog::Add(std::string_view repository, std::string_view reference, int64_t time_ns) {
  if (last_pulls_ == nullptr || repository != last_name_) {
    auto it = by_repository_.find(repository);
    if (it == by_repository_.end()) {
      it = by_repository_.emplace(std::string(repository), std::vector<Pull>()).first;
    }
    last_name_ = it->first;  // node keys never move
    last_pulls_ = &it->second;
  }
  last_pulls_->push_back(Pull{std::string(reference), time_ns});
  ++size_;
}

void PullLog::Merge(PullLog&& other) {
  for (auto& [name, pulls] : other.by_repository_) {
    std::vector<Pull>& mine = by_repository_[name];
    if (mine.empty()) {
      mine = std::move(pulls);
    } else {
      mine.insert(mine.end(), std::make_move_iterator(pulls.begin()),
                  std::make_move_iterator(pulls.end()));
    }
  }
  size_ += other.size_;
  other.by_repository_.clear();
  other.ForgetLast();
  other.size_ = 0;
}

std::span<const Pull> PullLog::ForRepository(std::string_view repository) const {
  const auto it = by_repository_.find(repository);
  if (it == by_repository_.end()) return {};
  return it->second;
}

std::vector<std::string> PullLog::Repositories() const {
  std::vector<std::string> names;
  names.reserve(by_repository_.size());
  for (const auto& [name, pulls] : by_repository_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<PullEvent> PullLog::Events() const {
  std::vector<PullEvent> events;
  events.reserve(size_);
  for (const auto& [name, pulls] : by_repository_) {
    for (const Pull& pull : pulls) events.push_back(PullEvent{name, pull.reference, pull.time_ns});
  }
  std::sort(events.begin(), events.end(), [](const PullEvent& a, const PullEvent& b) {
    return std::tie(a.repository, a.time_ns, a.reference) <
           std::tie(b.repository, b.time_ns, b.reference);
  });
  return events;
}

}  // namespace regsweep
