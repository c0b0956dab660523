// What audit knows about each manifest beyond the graph: the full parse (descriptor sizes,
// media types, `urls`) of every manifest the graph could use, and, for those it refused, why in
// terms of a finding kind (not JSON, unknown media type, wrong schemaVersion, a digest
// algorithm OCI does not register, or otherwise invalid).
#ifndef REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
#define REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <deque>
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

// The facts by NodeId, held only for the nodes the graph read: a registry's blobs far
// outnumber its manifests, and a ManifestFacts is some 300 bytes. Move-only: it points into
// the facts it holds.
class ManifestFactsTable {
 public:
  ManifestFactsTable() = default;
  ManifestFactsTable(ManifestFactsTable&&) = default;
  ManifestFactsTable& operator=(ManifestFactsTable&&) = default;
  ManifestFactsTable(const ManifestFactsTable&) = delete;
  ManifestFactsTable& operator=(const ManifestFactsTable&) = delete;

  // The facts of `id`: empty ones (no verified bytes, no manifest) for a node the graph did not
  // read.
  const ManifestFacts& operator[](NodeId id) const;
  // Calls fn(id, facts) for each node the graph read, in no particular order.
  template <typename Function>
  void ForEach(Function&& fn) const {
    for (const Part& part : parts_) {
      for (const auto& [id, facts] : part) fn(id, facts);
    }
  }

 private:
  friend class ManifestFactsCollector;
  // As one loading thread gathered them; a deque, as it grows without moving what it holds.
  using Part = std::deque<std::pair<NodeId, ManifestFacts>>;
  std::vector<Part> parts_;
  std::vector<const ManifestFacts*> by_node_;  // NodeId -> its facts in parts_, or null
};

// Gathers the facts of every manifest while the graph is built: its observer sees the verified
// bytes of each manifest as the graph reads them (from the loading threads), so no manifest is
// read twice and core's graph stays lean for gc.
class ManifestFactsCollector {
 public:
  // For Graph::Build; must not outlive the collector.
  ManifestObserver Observer();
  // The facts by NodeId once the graph (of `node_count` nodes) is built.
  ManifestFactsTable Take(size_t node_count);

 private:
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers_;
  tbb::enumerable_thread_specific<ManifestFactsTable::Part> collected_;
};

// True when `text` matches the OCI digest grammar [a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+;
// sets *algorithm to the part before ':'.
bool MatchesDigestGrammar(std::string_view text, std::string_view* algorithm);

}  // namespace regsweep::audit

#endif  // REGSWEEP_AUDIT_CHECK_MANIFEST_FACTS_H_
