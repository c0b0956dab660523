// Planning: marks + grace period -> ordered deletions.
#include "gc/plan.h"

#include <array>
#include <iterator>
#include <span>

#include "core/distribution_layout.h"
#include "core/reclaim.h"
#include "gc/link_ages.h"

namespace regsweep {
namespace {

constexpr std::array<std::string_view, kActionKindCount> kActionNames = {
    "delete_tag",  "delete_tag_index_entry", "delete_revision",  "delete_layer_link",
    "delete_blob", "delete_upload",          "prune_repository",
};

class Planner {
 public:
  Planner(const Graph& graph, const MarkResult& marks, const GcPolicy& policy,
          LinkAgeSource& link_ages, bool keep_actions)
      : graph_(graph),
        marks_(marks),
        policy_(policy),
        link_ages_(link_ages),
        keep_actions_(keep_actions) {
    empty_candidate_.assign(graph.repositories().size(), true);
    if (keep_actions_) ReserveActions();
  }

  Plan Run() {
    plan_.layout = graph_.inventory().layout;
    // Actions name a repository by its index among the graph's, so the plan holds every name.
    if (keep_actions_) {
      plan_.repositories.reserve(graph_.repositories().size());
      for (const RepositoryNode& repository : graph_.repositories()) {
        plan_.repositories.push_back(repository.record->name);
      }
    }
    for (size_t r = 0; r < graph_.repositories().size(); ++r) {
      PlanTagsAndRevisions(r);
    }
    for (auto& staged : staged_) {
      plan_.actions.insert(plan_.actions.end(), std::make_move_iterator(staged.begin()),
                           std::make_move_iterator(staged.end()));
      staged = std::vector<Action>();
    }
    fates_ = DecideBlobFates(graph_, marks_, policy_, [this](uint32_t r, const Digest& link) {
      return links_ &&
             RecentLink(distribution::LayerLinkDir(graph_.repositories()[r].record->name, link));
    });
    for (size_t r = 0; r < graph_.repositories().size(); ++r) PlanLayerLinks(r);
    PlanBlobs();
    for (size_t r = 0; r < graph_.repositories().size(); ++r) PlanUploads(r);
    for (size_t r = 0; r < graph_.repositories().size(); ++r) PlanPrune(r);
    return std::move(plan_);
  }

 private:
  // The actions are in sweep order (ActionKind order). Tags, tag index entries and revisions are
  // planned together per repository, so they are staged per kind and moved into the plan once
  // all repositories are done; every later kind is planned in order and goes straight in.
  static constexpr size_t kStagedKinds = static_cast<size_t>(ActionKind::kDeleteRevision) + 1;

  // A plan holds at most one action per object. Reserving that bound up front means the actions
  // are never reallocated (no copy, no transient double); the pages of a bound that is not
  // reached are never touched, so they cost address space, not memory.
  void ReserveActions() {
    size_t tags = 0, index_entries = 0, revisions = 0, links = 0, uploads = 0;
    for (const RepositoryRecord& record : graph_.inventory().repositories) {
      tags += record.tags.size();
      for (const TagRecord& tag : record.tags) index_entries += tag.index_entries.size();
      revisions += record.revisions.size();
      links += record.layer_links.size();
      uploads += record.uploads.size();
    }
    staged_[static_cast<size_t>(ActionKind::kDeleteTag)].reserve(tags);
    staged_[static_cast<size_t>(ActionKind::kDeleteTagIndexEntry)].reserve(index_entries);
    staged_[static_cast<size_t>(ActionKind::kDeleteRevision)].reserve(revisions);
    plan_.actions.reserve(tags + index_entries + revisions + links + uploads +
                          graph_.inventory().blobs.size() + graph_.repositories().size());
  }

  void Add(Action action) {
    if (!keep_actions_) return;
    PlanCounts& d = plan_.deleted;
    switch (action.kind) {
      case ActionKind::kDeleteTag:
        ++d.tags;
        break;
      case ActionKind::kDeleteRevision:
        ++d.manifests;
        break;
      case ActionKind::kDeleteLayerLink:
        ++d.layer_links;
        break;
      case ActionKind::kDeleteBlob:
        ++d.blobs;
        d.blob_bytes += action.size;
        break;
      case ActionKind::kDeleteUpload:
        ++d.uploads;
        d.upload_bytes += action.size;
        break;
      case ActionKind::kDeleteTagIndexEntry:
      case ActionKind::kPruneRepository:
        break;
    }
    const size_t kind = static_cast<size_t>(action.kind);
    if (kind < kStagedKinds) {
      staged_[kind].push_back(std::move(action));
    } else {
      plan_.actions.push_back(std::move(action));
    }
  }

  // Whether the link in `dir` is within the grace period; no stat at all when there is none.
  bool RecentLink(const std::string& dir) {
    return policy_.min_age_ns > 0 && policy_.IsRecent(link_ages_.Mtime(dir, &plan_.problems));
  }

  static uint32_t Index(size_t r) { return static_cast<uint32_t>(r); }
  bool Collectable(size_t r) const { return RepositoryCollectable(graph_, marks_, r); }
  bool Spared(NodeId id) const { return fates_[id] == BlobFate::kSpared; }

  void PlanTagsAndRevisions(size_t r) {
    const RepositoryNode& repository = graph_.repositories()[r];
    const RepositoryRecord& record = *repository.record;
    const RepositoryMarks& marks = marks_.repositories[r];
    if (!record.valid_name) return;
    std::vector<uint8_t> dropped(record.tags.size(), 0);
    // A repository kept whole keeps its tags too; an OCI layout's tags are index.json entries,
    // which gc never rewrites (RunGc refuses to drop one).
    if (!marks.tainted && links_) {
      for (const uint32_t t : marks.dropped_tags) {
        dropped[t] = 1;
        Add(Action{ActionKind::kDeleteTag, Digest(), Index(r), record.tags[t].name, 0});
      }
    }
    size_t tags_left = 0;
    for (size_t t = 0; t < record.tags.size(); ++t) {
      if (dropped[t]) continue;
      ++tags_left;
      ++plan_.kept.tags;
      const TagRecord& tag = record.tags[t];
      if (!tag.valid_name || marks.tainted || !links_) continue;
      const std::span<const NodeId> entry_nodes = repository.TagIndexNodes(t);
      for (size_t e = 0; e < entry_nodes.size(); ++e) {
        if (marks.Keeps(entry_nodes[e])) continue;
        const Digest& entry = tag.index_entries[e];
        const std::string dir = distribution::TagIndexEntryDir(record.name, tag.name, entry);
        if (RecentLink(dir)) {
          ++plan_.spared_count;
          continue;
        }
        Add(Action{ActionKind::kDeleteTagIndexEntry, entry, Index(r), tag.name, 0});
      }
    }
    size_t revisions_left = 0;
    for (size_t i = 0; i < record.revisions.size(); ++i) {
      const RevisionRecord& revision = record.revisions[i];
      const bool kept = marks.tainted || revision.link == LinkState::kBad ||
                        marks.Keeps(repository.revision_nodes[i]);
      const bool recent =
          !kept && (revision.link == LinkState::kMissing
                        ? RecentLink(distribution::RevisionDir(record.name, revision.digest))
                        : policy_.IsRecent(revision.mtime_ns));
      if (kept || recent) {
        if (!kept) ++plan_.spared_count;
        if (revision.link == LinkState::kOk) ++plan_.kept.manifests;
        ++revisions_left;
        continue;
      }
      // Without link files (OCI) a manifest is only its blob, which the blob phase deletes.
      if (links_) Add(Action{ActionKind::kDeleteRevision, revision.digest, Index(r), "", 0});
    }
    if (tags_left != 0 || revisions_left != 0) empty_candidate_[r] = false;
  }

  // In a deleted repository every layer link goes, unless it or its blob is younger than the
  // grace period; elsewhere a link goes exactly when its blob does.
  void PlanLayerLinks(size_t r) {
    if (!links_) return;  // an OCI layout's blobs are its repository's: nothing to unlink
    const RepositoryRecord& record = *graph_.repositories()[r].record;
    const bool deleted = marks_.repositories[r].deleted;
    const std::vector<NodeId>& link_nodes = graph_.repositories()[r].layer_links;
    size_t left = 0;
    for (size_t l = 0; l < link_nodes.size(); ++l) {
      const Digest& link = record.layer_links[l];
      const NodeId id = link_nodes[l];
      const bool young_link = deleted && marks_.live[id] && !Spared(id) &&
                              RecentLink(distribution::LayerLinkDir(record.name, link));
      if (!Collectable(r) || (marks_.live[id] && !deleted) || Spared(id) || young_link) {
        if (Spared(id) || young_link) ++plan_.spared_count;
        ++plan_.kept.layer_links;
        ++left;
        continue;
      }
      Add(Action{ActionKind::kDeleteLayerLink, link, Index(r), "", 0});
    }
    if (left != 0) empty_candidate_[r] = false;
  }

  void PlanBlobs() {
    const Inventory& inventory = graph_.inventory();
    for (size_t i = 0; i < inventory.blobs.size(); ++i) {
      const BlobRecord& blob = inventory.blobs[i];
      const uint64_t size = inventory.Facts(blob).size;
      const NodeId id = graph_.BlobNode(i);
      if (fates_[id] != BlobFate::kReclaimed) {
        if (Spared(id)) {
          ++plan_.spared_count;
          plan_.spared_bytes += size;
        }
        ++plan_.kept.blobs;
        plan_.kept.blob_bytes += size;
        if (!blob.data_known) plan_.kept_blob_bytes_known = false;
        continue;
      }
      Add(Action{ActionKind::kDeleteBlob, blob.digest, kNoRepository, "", size});
    }
  }

  void PlanUploads(size_t r) {
    const RepositoryRecord& record = *graph_.repositories()[r].record;
    for (const UploadRecord& upload : record.uploads) {
      const bool old = marks_.repositories[r].deleted ||
                       policy_.now_ns - upload.started_ns > policy_.upload_max_age_ns;
      if (!Collectable(r) || !old || policy_.IsRecent(upload.mtime_ns)) {
        if (Collectable(r) && old) ++plan_.spared_count;
        ++plan_.kept.uploads;
        plan_.kept.upload_bytes += upload.size;
        empty_candidate_[r] = false;
        continue;
      }
      Add(Action{ActionKind::kDeleteUpload, Digest(), Index(r), upload.id, upload.size});
    }
  }

  // A deleted repository's folder goes too; the sweep removes only folders left empty.
  void PlanPrune(size_t r) {
    const bool deleted = marks_.repositories[r].deleted;
    if (!links_ || !Collectable(r) ||
        !(deleted || (policy_.prune_empty_repositories && empty_candidate_[r]))) {
      return;
    }
    Add(Action{ActionKind::kPruneRepository, Digest(), Index(r), "", 0});
  }

  const Graph& graph_;
  const MarkResult& marks_;
  const GcPolicy& policy_;
  LinkAgeSource& link_ages_;
  const bool keep_actions_;  // false in the pass that only finds the link ages needed
  // Whether the layout has link files and repository folders (core/layout.h); without them
  // (OCI) only blobs are deleted.
  const bool links_ = graph_.inventory().layout->HasLinkFiles();
  Plan plan_;
  std::vector<BlobFate> fates_;        // by NodeId (core/reclaim.h)
  std::vector<bool> empty_candidate_;  // by repository
  std::array<std::vector<Action>, kStagedKinds> staged_;
};

}  // namespace

std::string_view ActionKindName(ActionKind kind) { return kActionNames[static_cast<size_t>(kind)]; }

bool ParseActionKind(std::string_view name, ActionKind* kind) {
  for (size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) {
      *kind = static_cast<ActionKind>(i);
      return true;
    }
  }
  return false;
}

std::string ActionPath(const Action& action, const std::string& repository, const Layout& layout) {
  const std::string& name = action.name;
  const Digest& digest = action.digest;
  switch (action.kind) {
    case ActionKind::kDeleteTag:
      return distribution::TagDir(repository, name);
    case ActionKind::kDeleteTagIndexEntry:
      return distribution::TagIndexEntryDir(repository, name, digest);
    case ActionKind::kDeleteRevision:
      return distribution::RevisionDir(repository, digest);
    case ActionKind::kDeleteLayerLink:
      return distribution::LayerLinkDir(repository, digest);
    case ActionKind::kDeleteBlob:
      return layout.BlobPath(digest);
    case ActionKind::kDeleteUpload:
      return distribution::UploadDir(repository, name);
    case ActionKind::kPruneRepository:
      return distribution::RepositoryDir(repository);
  }
  return std::string();
}

std::string ActionKey(const Action& action, const std::string& repository) {
  const ActionKind kind = action.kind;
  std::string key(ActionKindName(kind));
  key += ' ';
  key += repository;
  key += ' ';
  key += action.name;
  if (kind != ActionKind::kDeleteTag && kind != ActionKind::kDeleteUpload &&
      kind != ActionKind::kPruneRepository) {
    key += ' ';
    key += action.digest.ToString();
  }
  return key;
}

const std::string& Plan::Repository(const Action& action) const {
  static const std::string kNone;
  return action.repository < repositories.size() ? repositories[action.repository] : kNone;
}

std::string Plan::Path(const Action& action) const {
  return ActionPath(action, Repository(action), *layout);
}

std::string Plan::Key(const Action& action) const { return ActionKey(action, Repository(action)); }

Plan MakePlan(const Graph& graph, const MarkResult& marks, const GcPolicy& policy,
              TreeReader& reader, const Folder& v2) {
  // Two passes (gc/link_ages.h): the first finds which link ages the plan needs, they are read
  // together, the second plans with them.
  RecordingLinkAges asked;
  Planner(graph, marks, policy, asked, /*keep_actions=*/false).Run();
  LinkAges ages(reader, v2, asked.TakeAsked());
  return Planner(graph, marks, policy, ages, /*keep_actions=*/true).Run();
}

}  // namespace regsweep
