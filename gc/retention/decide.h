// The retention decision for one repository: which tags a policy keeps and which it drops, and
// why. A pure function of what the caller read (tags, their history, referrers, pulls) and the
// time; nothing is read from disk or deleted here. gc untags the dropped tags (as --untag does)
// and collects what that leaves unreachable.
//
// Rules (issue 15):
// - The first policy whose `repositories` pattern matches the repository applies; with none
//   the repository is untouched (every tag kept, RepositoryDecision::policy empty).
// - Image tags are every tag but the referrer tags below. A keep entry considers the image tags
//   its `tags` pattern matches (all when absent) and keeps:
//     no condition            all of them;
//     most_recent N           the N most recent *images* (distinct digests) among them, by
//                             push time, or with `order: semver` by version (semver.h:
//                             non-versions last, then by push time); a tag whose image is
//                             already counted comes along without using a slot;
//     pushed_within D         those pushed at or after now - D;
//     pulled_within D         those whose image was last pulled at or after now - D;
//     most_recently_pulled N  the N images pulled last.
//   Ties are broken by push time (later first), then tag name (ascending).
// - A tag is kept if any entry keeps it; the rule reported is the first entry's.
// - The image is the unit: a tag pointing at the same digest as a kept tag is kept
//   (gitlab#351538).
// - Referrer tags follow their subject and never count against N: cosign tags
//   "sha256-<hex>.sig|.att|.sbom" and the fallback tag "sha256-<hex>" (referrer_tags.h), and
//   tags whose manifest is an OCI referrer (RepositoryInput::referrers). One is kept exactly
//   when its subject is kept: the digest of a kept image tag, a child of a kept index, or a
//   kept referrer (signatures of SBOMs), transitively.
// - Pull time of a tag: the latest pull of its current digest. A pull by digest counts for
//   every tag pointing at that digest; a pull by tag counts for the digest the tag pointed to
//   at that moment, from its history (TagInput::history; the link of each digest in the tag's
//   index/ is rewritten on every push of it, so its mtime is the last time the tag was set to
//   it; a pull before every recorded setting counts for the current digest). A tag whose image
//   was never pulled uses its push time instead, and says so (harbor#18479).
// - allow_empty: false (the default): when no image tag would be kept, nothing is dropped and
//   the repository is reported (RepositoryDecision::protected_would_empty).
#ifndef REGSWEEP_GC_RETENTION_DECIDE_H_
#define REGSWEEP_GC_RETENTION_DECIDE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "gc/retention/retention_input.h"
#include "gc/retention/retention_policy.h"

namespace regsweep {

struct TagDecision {
  std::string tag;
  Digest digest;
  bool keep = true;
  // Why, for the report: "keep[2]: most_recent 5 (semver)", "keep: same image as \"v1\"
  // (keep[0]: tags \"v.*\")", "keep: follows sha256:... (kept)", "drop: no keep entry keeps
  // it", "keep: protected: ...", "untouched: no policy matches".
  std::string rule;
  int entry = -1;  // the keep entry that kept it, directly or as the same image; -1 otherwise
  int64_t push_time_ns = 0;
  int64_t pull_time_ns = 0;             // the pull time used (push time when never pulled)
  bool pull_time_is_push_time = false;  // never pulled according to the logs
  std::optional<Digest> subject;        // set for referrer tags: the digest they follow
};

struct RepositoryDecision {
  std::string repository;
  std::optional<size_t> policy;  // index in RetentionPolicy::policies; empty: untouched
  bool delete_untagged = false;  // the policy's delete_untagged
  // The policy would have dropped every image tag and allow_empty is false: nothing dropped.
  bool protected_would_empty = false;
  std::vector<TagDecision> tags;  // in the order of RepositoryInput::tags

  // The tags to untag, sorted.
  std::vector<std::string> DroppedTags() const;
};

// Decides one repository at time `now_ns` (nanoseconds since the epoch). Pure and thread-safe:
// repositories may be decided in parallel against the same policy.
RepositoryDecision DecideRetention(const RetentionPolicy& policy, const RepositoryInput& repository,
                                   int64_t now_ns);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_DECIDE_H_
