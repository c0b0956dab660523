// What audit knows about each manifest beyond the graph: the full parse (descriptor sizes,
// media types, `urls`) of every manifest the graph could use, and, for those it refused, why in
// terms of a finding kind (not JSON, unknown media type, wrong schemaVersion, a digest
// algorithm OCI does not register, or otherwise invalid).
#ifndef REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
#define REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/graph.h"
#include "core/manifest.h"

namespace regsweep::audit {

struct ManifestFacts {
  std::optional<Manifest> manifest;  // set when the graph parsed it (status kOk)
  // For a manifest the graph refused as invalid: the finding it deserves.
  Severity severity = Severity::kError;
  std::string kind;
  std::string reason;
};

// Indexed by NodeId. Reads every loaded manifest again (in parallel), which costs little next
// to the links and blobs an audit reads anyway, and keeps core's graph lean for gc.
std::vector<ManifestFacts> LoadManifestFacts(const Graph& graph, int v2fd);

// True when `text` matches the OCI digest grammar [a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+;
// sets *algorithm to the part before ':'.
bool MatchesDigestGrammar(std::string_view text, std::string_view* algorithm);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
