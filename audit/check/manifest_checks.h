// Structural checks of manifests themselves: each manifest the graph loaded is readable, at most
// 4 MiB, hashes to its digest and parses; and each descriptor it holds (config, layers, index
// children, subject) names a blob that is in the store with the size the descriptor says, and an
// index child's own `mediaType` agrees with the descriptor pointing at it.
#ifndef REGSWEEP_AUDIT_CHECK_MANIFEST_CHECKS_H_
#define REGSWEEP_AUDIT_CHECK_MANIFEST_CHECKS_H_

#include <vector>

#include "audit/check/manifest_facts.h"
#include "core/finding.h"
#include "core/graph.h"

namespace regsweep::audit {

Findings CheckManifests(const Graph& graph, const ManifestFactsTable& facts);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_MANIFEST_CHECKS_H_
