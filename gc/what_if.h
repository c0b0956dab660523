// The what-if of a run that drops images (--untag, --untag-regex, --delete-repo): of the blobs
// the dropped images used, which the plan frees and which stay, and for each one that stays,
// which remaining roots keep it alive ("kept: shared with library/base:1.0 and 3 more") or that
// the grace period spares it. Computed from the same marks and plan the run carries out, so the
// bytes it announces are the bytes the sweep frees.
#ifndef REGSWEEP_GC_WHAT_IF_H_
#define REGSWEEP_GC_WHAT_IF_H_

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/digest.h"
#include "core/graph.h"
#include "core/mark.h"
#include "gc/plan.h"

namespace regsweep {

struct KeptBlob {
  Digest digest;
  uint64_t size = 0;
  std::vector<std::string> kept_by;  // the first kKeptByNames roots keeping it, by name
  size_t kept_by_count = 0;          // how many roots keep it (0: spared by --min-age)
};

inline constexpr size_t kKeptByNames = 10;

struct WhatIf {
  uint64_t released_blobs = 0;  // blobs the dropped images used
  uint64_t released_bytes = 0;
  uint64_t freed_blobs = 0;  // of those, deleted by the plan
  uint64_t freed_bytes = 0;
  std::vector<KeptBlob> kept;  // the others, largest first
};

// By NodeId: 1 for the blobs `plan` deletes.
std::vector<uint8_t> BlobsThePlanDeletes(const Graph& graph, const Plan& plan);

// Every node the dropped tags (and the revisions of deleted repositories) kept alive.
std::unordered_set<NodeId> Released(const Graph& graph, const MarkResult& marks);

// `released` is Released(graph, marks).
WhatIf ExplainWhatIf(const Graph& graph, const MarkResult& marks, const Plan& plan,
                     const std::unordered_set<NodeId>& released);

// "shared with a:1 and 3 more" or "younger than --min-age".
std::string DescribeKept(const KeptBlob& blob);

}  // namespace regsweep

#endif  // REGSWEEP_GC_WHAT_IF_H_
