// The retention rules of decide.h, applied in order: pull times, keep entries, same image,
// the allow_empty valve, then referrer tags following their subjects.
#include "gc/retention/decide.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "gc/retention/pull_times.h"
#include "gc/retention/referrer_tags.h"
#include "gc/retention/semver.h"

namespace regsweep {
namespace {

using DigestSet = std::unordered_set<Digest, DigestHash>;

class Decider {
 public:
  Decider(const RepositoryPolicy& policy, const RepositoryInput& input, int64_t now_ns,
          RepositoryDecision* out)
      : policy_(policy), input_(input), now_ns_(now_ns), out_(*out) {}

  void Run() {
    for (size_t i = 0; i < out_.tags.size(); ++i) {
      if (!out_.tags[i].subject) images_.push_back(i);
    }
    for (size_t e = 0; e < policy_.keep.size(); ++e) ApplyEntry(e);
    KeepSameImages();
    bool any_kept = false;
    for (size_t i : images_) any_kept = any_kept || out_.tags[i].keep;
    if (!policy_.allow_empty && !any_kept && !out_.tags.empty()) {
      out_.protected_would_empty = true;
      for (TagDecision& tag : out_.tags) {
        tag.keep = true;
        tag.rule = "keep: protected: the policy would drop every tag (allow_empty: false)";
      }
      return;
    }
    for (size_t i : images_) {
      if (!out_.tags[i].keep) out_.tags[i].rule = "drop: no keep entry keeps it";
    }
    FollowSubjects();
  }

 private:
  // Keeps what entry e keeps among the image tags not yet kept by an earlier entry (its rank
  // still counts the ones already kept).
  void ApplyEntry(size_t e) {
    const KeepEntry& entry = policy_.keep[e];
    std::vector<size_t> candidates;
    for (size_t i : images_) {
      if (!entry.tags || entry.tags->Matches(out_.tags[i].tag)) candidates.push_back(i);
    }
    std::vector<size_t> kept;
    switch (entry.condition) {
      case KeepCondition::kNone:
        kept = candidates;
        break;
      case KeepCondition::kPushedWithin:
        for (size_t i : candidates) {
          if (out_.tags[i].push_time_ns >= now_ns_ - entry.within_ns) kept.push_back(i);
        }
        break;
      case KeepCondition::kPulledWithin:
        for (size_t i : candidates) {
          if (out_.tags[i].pull_time_ns >= now_ns_ - entry.within_ns) kept.push_back(i);
        }
        break;
      case KeepCondition::kMostRecent:
        if (entry.order == RecentOrder::kSemver) {
          SortBySemver(&candidates);
        } else {
          SortBy(&candidates, &TagDecision::push_time_ns);
        }
        kept = TopImages(candidates, entry.count);
        break;
      case KeepCondition::kMostRecentlyPulled:
        SortBy(&candidates, &TagDecision::pull_time_ns);
        kept = TopImages(candidates, entry.count);
        break;
    }
    for (size_t i : kept) {
      TagDecision& tag = out_.tags[i];
      if (tag.keep) continue;
      tag.keep = true;
      tag.entry = static_cast<int>(e);
      tag.rule = "keep[" + std::to_string(e) + "]: " + entry.Describe();
      if (entry.UsesPulls() && tag.pull_time_is_push_time) {
        tag.rule += " (never pulled: push time used)";
      }
    }
  }

  // Later first by `time` (push or pull), then later pushed, then by tag name.
  void SortBy(std::vector<size_t>* tags, int64_t TagDecision::*time) const {
    std::sort(tags->begin(), tags->end(), [&](size_t a, size_t b) {
      const TagDecision& x = out_.tags[a];
      const TagDecision& y = out_.tags[b];
      if (x.*time != y.*time) return x.*time > y.*time;
      if (x.push_time_ns != y.push_time_ns) return x.push_time_ns > y.push_time_ns;
      return x.tag < y.tag;
    });
  }

  // Highest version first (non-versions last), then later pushed, then by tag name.
  void SortBySemver(std::vector<size_t>* tags) const {
    std::vector<std::optional<SemVer>> versions(out_.tags.size());
    for (size_t i : *tags) versions[i] = ParseSemVer(out_.tags[i].tag);
    std::sort(tags->begin(), tags->end(), [&](size_t a, size_t b) {
      const std::optional<SemVer>& x = versions[a];
      const std::optional<SemVer>& y = versions[b];
      if (x.has_value() != y.has_value()) return x.has_value();
      if (x && y) {
        if (const int c = CompareSemVer(*x, *y); c != 0) return c > 0;
      }
      const TagDecision& p = out_.tags[a];
      const TagDecision& q = out_.tags[b];
      if (p.push_time_ns != q.push_time_ns) return p.push_time_ns > q.push_time_ns;
      return p.tag < q.tag;
    });
  }

  // The tags (in ranked order) of the first `count` distinct digests.
  std::vector<size_t> TopImages(const std::vector<size_t>& ranked, int64_t count) const {
    DigestSet counted;
    std::vector<size_t> kept;
    for (size_t i : ranked) {
      const Digest& digest = out_.tags[i].digest;
      if (counted.count(digest) == 0) {
        if (static_cast<int64_t>(counted.size()) >= count) continue;
        counted.insert(digest);
      }
      kept.push_back(i);
    }
    return kept;
  }

  // gitlab#351538: a tag on the same digest as a kept tag is kept with it.
  void KeepSameImages() {
    std::unordered_map<Digest, size_t, DigestHash> keeper;  // digest -> the tag that keeps it
    for (size_t i : images_) {
      const TagDecision& tag = out_.tags[i];
      if (!tag.keep) continue;
      auto [it, inserted] = keeper.emplace(tag.digest, i);
      const TagDecision& current = out_.tags[it->second];
      if (!inserted && std::tie(tag.entry, tag.tag) < std::tie(current.entry, current.tag)) {
        it->second = i;
      }
    }
    for (size_t i : images_) {
      TagDecision& tag = out_.tags[i];
      if (tag.keep) continue;
      const auto it = keeper.find(tag.digest);
      if (it == keeper.end()) continue;
      const TagDecision& by = out_.tags[it->second];
      tag.keep = true;
      tag.entry = by.entry;
      tag.rule = "keep: same image as \"" + by.tag + "\" (" + by.rule + ")";
    }
  }

  // Referrer tags are kept exactly when what they follow is kept, through index children,
  // OCI referrers and other referrer tags, until nothing changes.
  void FollowSubjects() {
    DigestSet kept;
    for (size_t i : images_) {
      if (out_.tags[i].keep) kept.insert(out_.tags[i].digest);
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const IndexChild& edge : input_.index_children) {
        if (kept.count(edge.index) != 0) changed |= kept.insert(edge.child).second;
      }
      for (const ReferrerLink& edge : input_.referrers) {
        if (kept.count(edge.subject) != 0) changed |= kept.insert(edge.referrer).second;
      }
      for (TagDecision& tag : out_.tags) {
        if (!tag.subject || tag.keep || kept.count(*tag.subject) == 0) continue;
        tag.keep = true;
        tag.rule = "keep: follows " + tag.subject->ToString() + " (kept)";
        kept.insert(tag.digest);
        changed = true;
      }
    }
    for (TagDecision& tag : out_.tags) {
      if (tag.subject && !tag.keep) {
        tag.rule = "drop: follows " + tag.subject->ToString() + " (not kept)";
      }
    }
  }

  const RepositoryPolicy& policy_;
  const RepositoryInput& input_;
  const int64_t now_ns_;
  RepositoryDecision& out_;
  std::vector<size_t> images_;  // indices of image (non-referrer) tags
};

}  // namespace

std::vector<std::string> RepositoryDecision::DroppedTags() const {
  std::vector<std::string> dropped;
  for (const TagDecision& tag : tags) {
    if (!tag.keep) dropped.push_back(tag.tag);
  }
  std::sort(dropped.begin(), dropped.end());
  return dropped;
}

RepositoryDecision DecideRetention(const RetentionPolicy& policy, const RepositoryInput& repository,
                                   int64_t now_ns) {
  RepositoryDecision out;
  out.repository = repository.name;
  out.policy = policy.Find(repository.name);

  std::unordered_map<Digest, Digest, DigestHash> subject_of;
  for (const ReferrerLink& link : repository.referrers)
    subject_of.emplace(link.referrer, link.subject);
  const PullTimes pulls(repository);
  out.tags.reserve(repository.tags.size());
  for (const TagInput& input : repository.tags) {
    TagDecision tag;
    tag.tag = input.tag;
    tag.digest = input.digest;
    tag.push_time_ns = input.push_time_ns;
    const std::optional<int64_t> pulled = pulls.LastPull(input.digest);
    tag.pull_time_ns = pulled.value_or(input.push_time_ns);
    tag.pull_time_is_push_time = !pulled;
    tag.subject = SubjectOfReferrerTag(input.tag);
    if (!tag.subject) {
      if (const auto it = subject_of.find(input.digest); it != subject_of.end()) {
        tag.subject = it->second;
      }
    }
    tag.keep = !out.policy.has_value();
    tag.rule = out.policy ? "" : "untouched: no policy matches";
    out.tags.push_back(std::move(tag));
  }
  if (!out.policy) return out;

  const RepositoryPolicy& matched = policy.policies[*out.policy];
  out.delete_untagged = matched.delete_untagged;
  Decider(matched, repository, now_ns, &out).Run();
  return out;
}

}  // namespace regsweep
