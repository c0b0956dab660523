// Resolving logged pulls to digests through the tags' history.
#include "gc/retention/pull_times.h"

#include <algorithm>
#include <string>
#include <vector>

namespace regsweep {
namespace {

// A tag's history sorted by time, with its current digest at its push time added.
std::vector<TagHistoryEntry> SortedHistory(const TagInput& tag) {
  std::vector<TagHistoryEntry> history = tag.history;
  history.push_back(TagHistoryEntry{tag.digest, tag.push_time_ns});
  // Stable: at equal times the current digest, added last, is the one found.
  std::stable_sort(
      history.begin(), history.end(),
      [](const TagHistoryEntry& a, const TagHistoryEntry& b) { return a.time_ns < b.time_ns; });
  return history;
}

// The entry set last at or before time_ns, if any.
const TagHistoryEntry* EntryAt(const std::vector<TagHistoryEntry>& sorted, int64_t time_ns) {
  auto it =
      std::upper_bound(sorted.begin(), sorted.end(), time_ns,
                       [](int64_t t, const TagHistoryEntry& entry) { return t < entry.time_ns; });
  if (it == sorted.begin()) return nullptr;
  return &*std::prev(it);
}

}  // namespace

PullTimes::PullTimes(const RepositoryInput& repository) {
  if (repository.pulls.empty()) return;
  std::unordered_map<std::string_view, std::vector<TagHistoryEntry>> histories;
  std::unordered_map<std::string_view, const TagInput*> tags;
  for (const TagInput& tag : repository.tags) tags.emplace(tag.tag, &tag);
  for (const Pull& pull : repository.pulls) {
    Digest digest;
    if (std::optional<Digest> parsed = Digest::Parse(pull.reference)) {
      digest = *parsed;
    } else {
      const auto tag = tags.find(pull.reference);
      if (tag == tags.end()) continue;  // a tag that no longer exists
      auto history = histories.find(tag->first);
      if (history == histories.end()) {
        history = histories.emplace(tag->first, SortedHistory(*tag->second)).first;
      }
      const TagHistoryEntry* entry = EntryAt(history->second, pull.time_ns);
      digest = entry != nullptr ? entry->digest : tag->second->digest;
    }
    auto [it, inserted] = last_pull_.emplace(digest, pull.time_ns);
    if (!inserted) it->second = std::max(it->second, pull.time_ns);
  }
}

std::optional<int64_t> PullTimes::LastPull(const Digest& digest) const {
  const auto it = last_pull_.find(digest);
  if (it == last_pull_.end()) return std::nullopt;
  return it->second;
}

Digest PullTimes::DigestAt(const TagInput& tag, int64_t time_ns) {
  const std::vector<TagHistoryEntry> sorted = SortedHistory(tag);
  const TagHistoryEntry* entry = EntryAt(sorted, time_ns);
  return entry != nullptr ? entry->digest : tag.digest;
}

}  // namespace regsweep
