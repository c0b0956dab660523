// Matching repositories and tags against a retention policy, and describing its keep entries.
#include "gc/retention/retention_policy.h"

#include "core/duration.h"

namespace regsweep {

bool NamePattern::Matches(std::string_view name) const {
  return std::regex_match(name.begin(), name.end(), regex);
}

std::string KeepEntry::Describe() const {
  std::string out;
  if (tags) out = "tags \"" + tags->source + "\"";
  std::string condition_text;
  switch (condition) {
    case KeepCondition::kNone:
      break;
    case KeepCondition::kMostRecent:
      condition_text = "most_recent " + std::to_string(count) +
                       (order == RecentOrder::kSemver ? " (semver)" : " (push)");
      break;
    case KeepCondition::kPushedWithin:
      condition_text = "pushed_within " + FormatDuration(within_ns);
      break;
    case KeepCondition::kPulledWithin:
      condition_text = "pulled_within " + FormatDuration(within_ns);
      break;
    case KeepCondition::kMostRecentlyPulled:
      condition_text = "most_recently_pulled " + std::to_string(count);
      break;
  }
  if (!condition_text.empty()) {
    if (!out.empty()) out += ", ";
    out += condition_text;
  }
  return out;
}

bool KeepEntry::UsesPulls() const {
  return condition == KeepCondition::kPulledWithin ||
         condition == KeepCondition::kMostRecentlyPulled;
}

std::optional<size_t> RetentionPolicy::Find(std::string_view repository) const {
  for (size_t i = 0; i < policies.size(); ++i) {
    if (policies[i].repositories.Matches(repository)) return i;
  }
  return std::nullopt;
}

bool RetentionPolicy::UsesPulls() const {
  for (const RepositoryPolicy& policy : policies) {
    for (const KeepEntry& entry : policy.keep) {
      if (entry.UsesPulls()) return true;
    }
  }
  return false;
}

}  // namespace regsweep
