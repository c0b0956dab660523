// The retention policy model (issue 15): which repositories a policy applies to and which of
// their tags it keeps. Built by policy_file.h from YAML, read by decide.h; nothing here touches
// the registry.
//
//   policies:                       RetentionPolicy::policies, in file order
//     - repositories: "apps/.*"     RepositoryPolicy::repositories (anchored)
//       delete_untagged: true       RepositoryPolicy::delete_untagged (as -m for these)
//       allow_empty: false          RepositoryPolicy::allow_empty
//       keep:                       RepositoryPolicy::keep: a tag is kept if any entry keeps it
//         - tags: "main-.*"         KeepEntry::tags (anchored); absent: every tag
//           most_recent: 3          KeepEntry::condition; absent: every matching tag
//
// Patterns are ECMAScript regular expressions matched against the whole name
// (std::regex_match): "app" matches the repository "app" only, never "team/app" or "apps".
#ifndef REGSWEEP_GC_RETENTION_RETENTION_POLICY_H_
#define REGSWEEP_GC_RETENTION_RETENTION_POLICY_H_

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace regsweep {

// An anchored pattern and the text it was compiled from (for messages and reports).
struct NamePattern {
  std::string source;
  std::regex regex;

  // True when the pattern matches the whole of `name`.
  bool Matches(std::string_view name) const;
};

// What a keep entry asks of a tag besides its name. At most one per entry.
enum class KeepCondition {
  kNone,                // every tag the entry's `tags` pattern matches
  kMostRecent,          // most_recent N, by push time or semantic version
  kPushedWithin,        // pushed_within DURATION
  kPulledWithin,        // pulled_within DURATION (never pulled: push time counts)
  kMostRecentlyPulled,  // most_recently_pulled N (never pulled: push time counts)
};

// The order most_recent ranks tags by.
enum class RecentOrder { kPush, kSemver };

struct KeepEntry {
  std::optional<NamePattern> tags;  // absent: every tag of the repository
  KeepCondition condition = KeepCondition::kNone;
  int64_t count = 0;                       // kMostRecent, kMostRecentlyPulled: N (>= 0)
  int64_t within_ns = 0;                   // kPushedWithin, kPulledWithin
  RecentOrder order = RecentOrder::kPush;  // kMostRecent only
  int line = 0;                            // 1-based line of the entry in the policy file

  // The entry as a policy file writes it, for rules in reports:
  // `tags "main-.*", most_recent 3 (push)`, `pulled_within 14d`.
  std::string Describe() const;
  // True for pulled_within and most_recently_pulled, which need the access logs.
  bool UsesPulls() const;
};

struct RepositoryPolicy {
  NamePattern repositories;
  bool delete_untagged = false;
  // false (the default): a policy that would drop every tag of a repository drops none.
  bool allow_empty = false;
  std::vector<KeepEntry> keep;
  int line = 0;  // 1-based line of the policy in the file
};

struct RetentionPolicy {
  std::vector<RepositoryPolicy> policies;

  // The index of the first policy whose pattern matches `repository`, or nullopt: a repository
  // no policy matches is left untouched.
  std::optional<size_t> Find(std::string_view repository) const;
  // True when some keep entry needs pull times (gc should then ask for --access-log).
  bool UsesPulls() const;
};

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_RETENTION_POLICY_H_
