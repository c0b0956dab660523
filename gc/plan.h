// The plan: the ordered list of deletions a collection performs, and the numbers around it.
//
// A plan is computed from the inventory, the graph and the marks, plus the grace period (which
// stats the link files whose age the scan did not record, all at once: gc/link_ages.h). It is plain
// data: a dry run prints it, `--plan` saves it, the sweep carries it out. Actions come in the order
// that keeps the tree consistent if the run stops at any point:
//   1. tags being dropped
//   2. tag index entries and revision links of manifests that are not kept
//   3. `_layers` links of blobs that are deleted
//   4. blob folders
//   5. uploads past their maximum age
//   6. repositories left empty (with --prune-empty-repos) or deleted (--delete-repo)
// so no manifest the registry can still serve ever points at a blob already gone.
#ifndef REGSWEEP_GC_PLAN_H_
#define REGSWEEP_GC_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/finding.h"
#include "core/graph.h"
#include "core/layout.h"
#include "core/mark.h"
#include "core/policy.h"
#include "core/tree_reader.h"

namespace regsweep {

enum class ActionKind : uint8_t {
  kDeleteTag,
  kDeleteTagIndexEntry,
  kDeleteRevision,
  kDeleteLayerLink,
  kDeleteBlob,
  kDeleteUpload,
  kPruneRepository,
};

inline constexpr int kActionKindCount = 7;

std::string_view ActionKindName(ActionKind kind);  // "delete_blob", ...
bool ParseActionKind(std::string_view name, ActionKind* kind);

// Action::repository of the actions that name none (blobs).
inline constexpr uint32_t kNoRepository = UINT32_MAX;

struct Action {
  ActionKind kind = ActionKind::kDeleteBlob;
  Digest digest;                        // revision, link, index entry or blob
  uint32_t repository = kNoRepository;  // index into Plan::repositories
  std::string name;                     // tag or upload id
  uint64_t size = 0;                    // blob or upload bytes
};

// What `action` removes in `layout`, relative to the registry's root folder, from validated parts
// only; `repository` is the name the action's index stands for ("" for none). Only a blob's
// path depends on the layout: the other actions remove link files, which only distribution's
// layout has.
std::string ActionPath(const Action& action, const std::string& repository, const Layout& layout);
// Identity of the action, for matching a saved plan against a fresh one.
std::string ActionKey(const Action& action, const std::string& repository);

struct PlanCounts {
  uint64_t manifests = 0;  // revision links
  uint64_t blobs = 0;
  uint64_t blob_bytes = 0;
  uint64_t layer_links = 0;
  uint64_t tags = 0;
  uint64_t uploads = 0;
  uint64_t upload_bytes = 0;
};

struct Plan {
  const Layout* layout = &DefaultLayout();  // the graph's; never null
  // The names Action::repository stands for: a plan of a large registry holds hundreds of
  // thousands of actions, which hold an index instead of a copy of the name (40 bytes less each).
  std::vector<std::string> repositories;
  std::vector<Action> actions;  // in sweep order
  PlanCounts deleted;           // what the actions remove
  PlanCounts kept;              // what stays
  // False when some kept blob's data was not examined (gc examines only candidates), so
  // kept.blob_bytes counts only the examined ones and is not reported.
  bool kept_blob_bytes_known = true;
  uint64_t spared_count = 0;  // candidates younger than --min-age
  uint64_t spared_bytes = 0;
  Findings problems;

  // The name of the action's repository; "" for an action that names none.
  const std::string& Repository(const Action& action) const;
  // ActionPath in the plan's layout, and ActionKey.
  std::string Path(const Action& action) const;
  std::string Key(const Action& action) const;
};

// Computes the plan. Which blobs go is core/reclaim.h's decision. `reader` is used only to stat
// the links of candidates for the grace period, below the v2 folder `v2`.
Plan MakePlan(const Graph& graph, const MarkResult& marks, const GcPolicy& policy,
              TreeReader& reader, const Folder& v2);

}  // namespace regsweep

#endif  // REGSWEEP_GC_PLAN_H_
