// Structural checks of each repository's links against its manifests and the blob store:
// revision links whose blob is missing, tags whose current link names no revision, tag index
// entries pointing nowhere, blobs a manifest needs that are not linked in `_layers` (the
// registry then answers "blob unknown"), index children that are not revisions of the same
// repository, referrers whose subject is gone, dangling `_layers` links, stale uploads and
// empty repositories.
#ifndef REGSWEEP_AUDIT_CHECK_REPOSITORY_CHECKS_H_
#define REGSWEEP_AUDIT_CHECK_REPOSITORY_CHECKS_H_

#include <cstdint>
#include <vector>

#include "audit/check/manifest_facts.h"
#include "core/finding.h"
#include "core/graph.h"

namespace regsweep::audit {

// distribution purges uploads older than this (168h); an older one is reported as stale.
inline constexpr int64_t kStaleUploadNs = int64_t{168} * 3600 * 1000000000;

Findings CheckRepositories(const Graph& graph, const ManifestFactsTable& facts, int64_t now_ns);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_REPOSITORY_CHECKS_H_
