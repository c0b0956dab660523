// What the operator asked the collector to do: the roots rule, the tags to drop and the
// grace periods. `now_ns` is part of the policy so that every age decision is a pure function
// of it (tests pass a fixed clock; nothing sleeps).
#ifndef REGSWEEP_CORE_POLICY_H_
#define REGSWEEP_CORE_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace regsweep {

struct TagRef {
  std::string repository;
  std::string tag;
  bool operator<(const TagRef& o) const {
    return repository != o.repository ? repository < o.repository : tag < o.tag;
  }
  bool operator==(const TagRef& o) const { return repository == o.repository && tag == o.tag; }
};

// --untag-regex: every tag whose repository name and tag both fully match (ECMAScript syntax).
struct TagPattern {
  std::string repository;
  std::string tag;
};

struct GcPolicy {
  // Roots are tags only (plus what kept manifests need); without it every revision is a root.
  bool delete_untagged = false;
  // Repositories whose roots are tags only while delete_untagged is off (a retention policy's
  // `delete_untagged`, gc --policy); sorted.
  std::vector<std::string> delete_untagged_repositories;
  // Tags treated as deleted (and deleted when applying).
  std::vector<TagRef> untag;
  std::vector<TagPattern> untag_patterns;
  // Repositories deleted whole: tags, revisions, layer links, uploads, then the folder.
  std::vector<std::string> delete_repositories;
  // Nothing modified more recently than this is deleted; 0 turns the grace period off.
  int64_t min_age_ns = 3600LL * 1000000000;
  // Uploads started longer ago than this are deleted.
  int64_t upload_max_age_ns = 168LL * 3600 * 1000000000;
  // Remove repositories left with no tags, manifests, layers or uploads.
  bool prune_empty_repositories = false;
  int64_t now_ns = 0;

  // True when something last modified at `mtime_ns` is within the grace period.
  bool IsRecent(int64_t mtime_ns) const { return min_age_ns > 0 && now_ns - mtime_ns < min_age_ns; }
  // True when the untagged manifests of `repository` are collected.
  bool DeletesUntagged(const std::string& repository) const;
  // True when tags or repositories are to be dropped (a what-if when dry-running).
  bool DropsImages() const {
    return !untag.empty() || !untag_patterns.empty() || !delete_repositories.empty();
  }
};

// Parses "REPO:TAG" (the tag is what follows the last ':').
bool ParseTagRef(const std::string& text, TagRef* out, std::string* why);
// Parses "REPO_REGEX:TAG_REGEX", split at the first ':' that does not open a "(?:" group;
// both halves must compile.
bool ParseTagPattern(const std::string& text, TagPattern* out, std::string* why);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_POLICY_H_
