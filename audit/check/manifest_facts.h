// What audit knows about each manifest beyond the graph: the full parse (descriptor sizes,
// media types, `urls`) of every manifest the graph could use, and, for those it refused, why in
// terms of a finding kind (not JSON, unknown media type, wrong schemaVersion, a digest
// algorithm OCI does not register, or otherwise invalid).
#ifndef REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
#define REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/finding.h"
#include "core/graph.h"
#include "core/manifest.h"

namespace regsweep::audit {

struct ManifestFacts {
  // The graph read the manifest and its bytes hashed to its digest: their count (the data
  // check need not read this blob again).
  std::optional<uint64_t> verified_bytes;
  std::optional<Manifest> manifest;  // set when the graph parsed it (status kOk)
  // For a manifest the graph refused as invalid: the finding it deserves.
  Severity severity = Severity::kError;
  std::string kind;
  std::string reason;
};

// Gathers the facts of every manifest while the graph is built: its observer sees the verified
// bytes of each manifest as the graph reads them (from the loading threads), so no manifest is
// read twice and core's graph stays lean for gc.
class ManifestFactsCollector {
 public:
  // For Graph::Build; must not outlive the collector.
  ManifestObserver Observer();
  // The facts by NodeId once the graph is built (nodes it did not read have none).
  std::vector<ManifestFacts> Take(size_t node_count);

 private:
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers_;
  tbb::enumerable_thread_specific<std::vector<std::pair<NodeId, ManifestFacts>>> collected_;
};

// True when `text` matches the OCI digest grammar [a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+;
// sets *algorithm to the part before ':'.
bool MatchesDigestGrammar(std::string_view text, std::string_view* algorithm);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
