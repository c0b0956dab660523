// Mark phase: a worklist over (repository, manifest) pairs.
#include "core/mark.h"

#include <algorithm>
#include <regex>
#include <set>
#include <utility>

#include "core/distribution_layout.h"
#include "core/layout.h"

namespace regsweep {
namespace {

class Marker {
 public:
  Marker(const Graph& graph, const GcPolicy& policy) : graph_(graph), policy_(policy) {
    result_.live.assign(graph.nodes().size(), 0);
    marked_in_.assign(graph.nodes().size(), kNotMarked);
    result_.repositories.resize(graph.repositories().size());
  }

  MarkResult Run() {
    const std::set<TagRef> untag(policy_.untag.begin(), policy_.untag.end());
    std::set<TagRef> untag_found;
    std::vector<std::pair<std::regex, std::regex>> patterns;
    for (const TagPattern& pattern : policy_.untag_patterns) {
      patterns.emplace_back(std::regex(pattern.repository), std::regex(pattern.tag));
    }
    std::vector<uint8_t> pattern_matched(patterns.size(), 0);
    const std::set<std::string> deleted(policy_.delete_repositories.begin(),
                                        policy_.delete_repositories.end());
    std::set<std::string> deleted_found;
    // An OCI layout's tags are entries of index.json, which gc never rewrites: never dropped,
    // whatever the policy says (RunGc refuses such a policy before it gets here).
    const bool tags_droppable = graph_.inventory().layout->HasLinkFiles();
    for (size_t r = 0; r < graph_.repositories().size(); ++r) {
      const RepositoryNode& repository = graph_.repositories()[r];
      const RepositoryRecord& record = *repository.record;
      const bool deleting = deleted.count(record.name) != 0;
      if (deleting) deleted_found.insert(record.name);
      if (!record.valid_name) Taint(r, "its name is not a valid repository name");
      if (record.incomplete) Taint(r, "part of it could not be read (see the findings above)");
      for (uint32_t t = 0; t < record.tags.size(); ++t) {
        const TagRecord& tag = record.tags[t];
        bool dropped = false;
        if (tag.valid_name && tags_droppable) {
          if (untag.count(TagRef{record.name, tag.name}) != 0) {
            untag_found.insert(TagRef{record.name, tag.name});
            dropped = true;
          }
          for (size_t p = 0; p < patterns.size(); ++p) {
            if (std::regex_match(record.name, patterns[p].first) &&
                std::regex_match(tag.name, patterns[p].second)) {
              pattern_matched[p] = 1;
              dropped = true;
            }
          }
          dropped = dropped || deleting;
        }
        if (dropped) {
          result_.repositories[r].dropped_tags.push_back(t);
          continue;
        }
        if (tag.current_state == LinkState::kOk) {
          result_.roots.push_back(MarkRoot{MarkRoot::Kind::kTag, static_cast<uint32_t>(r), t});
          Visit(r, repository.tag_targets[t], "tag " + tag.name);
        }
      }
      for (uint32_t i = 0; i < record.revisions.size(); ++i) {
        const RevisionRecord& revision = record.revisions[i];
        if (revision.link != LinkState::kOk) continue;
        // An unusable manifest is visited even when untagged: it might be a referrer of a
        // kept subject, so what it references cannot be known to be garbage.
        const NodeId id = repository.revision_nodes[i];
        if ((!policy_.DeletesUntagged(record.name) && !deleting) ||
            policy_.IsRecent(revision.mtime_ns) || graph_.node(id).status != ManifestStatus::kOk) {
          result_.roots.push_back(MarkRoot{MarkRoot::Kind::kRevision, static_cast<uint32_t>(r), i});
          Visit(r, id, "revision");
        }
      }
      std::vector<NodeId>& kept = result_.repositories[r].kept_manifests;
      std::sort(kept.begin(), kept.end());
      if (deleting) {
        result_.repositories[r].deleted = !result_.repositories[r].tainted;
        if (result_.repositories[r].tainted) {
          result_.problems.push_back(Finding{
              Severity::kWarning, "delete_repo_refused", distribution::RepositoryDir(record.name),
              record.name, "", "--delete-repo " + record.name + ": kept whole, not deleted"});
        }
      }
    }
    for (const TagRef& ref : policy_.untag) {
      if (untag_found.count(ref) == 0) {
        result_.problems.push_back(Finding{
            Severity::kWarning, "untag_not_found", "", ref.repository, "",
            "--untag " + ref.repository + ":" + ref.tag + ": no such tag (already deleted?)"});
      }
    }
    for (size_t p = 0; p < patterns.size(); ++p) {
      if (pattern_matched[p] != 0) continue;
      const TagPattern& pattern = policy_.untag_patterns[p];
      result_.problems.push_back(
          Finding{Severity::kWarning, "untag_regex_no_match", "", "", "",
                  "--untag-regex " + pattern.repository + ":" + pattern.tag + ": matches no tag"});
    }
    for (const std::string& name : policy_.delete_repositories) {
      if (deleted_found.count(name) != 0) continue;
      result_.problems.push_back(Finding{Severity::kWarning, "delete_repo_not_found", "", name, "",
                                         "--delete-repo " + name + ": no such repository"});
    }
    KeepEveryBlobIfRepositoriesUnknown();
    return std::move(result_);
  }

 private:
  // How a manifest was reached, to say so should it taint its repository.
  struct Reached {
    NodeId id;
    enum class How : uint8_t { kRoot, kChild, kReferrer } how;
    NodeId from;  // the index or subject that led here (kChild, kReferrer)
  };

  // Marks manifest `id` in repository `r` (its marking runs before the next repository's),
  // then everything it leads to. `root` says how the root was reached.
  void Visit(size_t r, NodeId id, const std::string& root) {
    std::vector<NodeId>& kept = result_.repositories[r].kept_manifests;
    std::vector<Reached> work{{id, Reached::How::kRoot, id}};
    while (!work.empty()) {
      const Reached reached = work.back();
      work.pop_back();
      const NodeId current = reached.id;
      if (marked_in_[current] == r) continue;
      marked_in_[current] = static_cast<uint32_t>(r);
      kept.push_back(current);
      result_.live[current] = 1;
      const Node& node = graph_.node(current);
      const RepositoryNode& repository = graph_.repositories()[r];
      if (node.status != ManifestStatus::kOk) {
        const std::string from =
            reached.how == Reached::How::kRoot
                ? root
                : (reached.how == Reached::How::kChild ? "child of " : "referrer of ") +
                      graph_.node(reached.from).digest.ToString();
        Taint(r,
              "manifest " + node.digest.ToString() + " (" + from + ") is " +
                  std::string(ManifestStatusText(node.status)) + ": " + graph_.Problem(current),
              graph_.inventory().layout->BlobData(node.digest), node.digest.ToString());
        continue;
      }
      const ManifestNode& manifest = graph_.manifest(current);
      for (const NodeId blob : manifest.blobs) result_.live[blob] = 1;
      // Without link files (OCI) a repository's manifests are simply in its blob store.
      const bool links = graph_.inventory().layout->HasLinkFiles();
      for (const NodeId child : manifest.children) {
        if (links && !repository.HasRevision(child)) {
          result_.problems.push_back(
              Finding{Severity::kWarning, "index_child_not_in_repository",
                      distribution::RevisionDir(repository.record->name, graph_.node(child).digest),
                      repository.record->name, graph_.node(child).digest.ToString(),
                      "index " + node.digest.ToString() +
                          " names a manifest that is not a revision of this repository"});
        }
        work.push_back(Reached{child, Reached::How::kChild, current});
      }
      const auto referrers = repository.referrers.find(current);
      if (referrers != repository.referrers.end()) {
        for (const NodeId referrer : referrers->second) {
          work.push_back(Reached{referrer, Reached::How::kReferrer, current});
        }
      }
    }
  }

  // A folder of the repository tree that could not be listed, or a symbolic link in it (which
  // the registry follows and regsweep does not), may hold repositories or manifests that use
  // any blob.
  void KeepEveryBlobIfRepositoriesUnknown() {
    const Inventory& inventory = graph_.inventory();
    for (const std::string& folder : inventory.unlisted_repository_folders) {
      result_.problems.push_back(
          Finding{Severity::kError, "blob_sweep_refused", folder, "", "",
                  "could not be listed, so what it references is unknown; keeping every blob"});
    }
    for (const std::string& link : inventory.repository_symlinks) {
      result_.problems.push_back(Finding{
          Severity::kError, "blob_sweep_refused", link, "", "",
          "is a symbolic link, which the registry follows and regsweep never does, so the "
          "images behind it are unknown; keeping every blob (no blob is deleted in this run). "
          "Move the folder back into the tree, or mount it there with a bind mount"});
    }
    if (inventory.unlisted_repository_folders.empty() && inventory.repository_symlinks.empty()) {
      return;
    }
    std::fill(result_.live.begin(), result_.live.end(), 1);
  }

  // Keeps everything the repository might need: all its revisions and linked layers.
  void Taint(size_t r, const std::string& reason, const std::string& path = "",
             const std::string& digest = "") {
    const RepositoryNode& repository = graph_.repositories()[r];
    const RepositoryRecord& record = *repository.record;
    const std::string name = PrintedName(record);
    result_.problems.push_back(Finding{Severity::kError, "repository_kept_whole", path, name,
                                       digest,
                                       reason + "; keeping every revision and layer of " + name});
    if (result_.repositories[r].tainted) return;
    result_.repositories[r].tainted = true;
    result_.roots.push_back(
        MarkRoot{MarkRoot::Kind::kRepositoryKeptWhole, static_cast<uint32_t>(r), 0});
    for (const NodeId link : repository.layer_links) result_.live[link] = 1;
    for (const Digest& link : record.unusable_layer_links) result_.live[*graph_.Find(link)] = 1;
    for (size_t i = 0; i < record.revisions.size(); ++i) {
      const RevisionRecord& revision = record.revisions[i];
      if (revision.other_target) result_.live[*graph_.Find(*revision.other_target)] = 1;
      Visit(r, repository.revision_nodes[i], "revision of a repository kept whole");
    }
    for (size_t t = 0; t < record.tags.size(); ++t) {
      if (record.tags[t].current_state == LinkState::kOk) {
        Visit(r, repository.tag_targets[t], "tag " + record.tags[t].name);
      }
    }
  }

  static constexpr uint32_t kNotMarked = UINT32_MAX;

  const Graph& graph_;
  const GcPolicy& policy_;
  MarkResult result_;
  // By NodeId: the repository whose marking last kept it (kNotMarked: none yet).
  std::vector<uint32_t> marked_in_;
};

}  // namespace

MarkResult Mark(const Graph& graph, const GcPolicy& policy) { return Marker(graph, policy).Run(); }

}  // namespace regsweep
