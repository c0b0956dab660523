// Test support: runs the read-only half of gc (scan, graph, mark, plan) on a builder's tree
// and answers questions about the result by digest.
#ifndef REGSWEEP_TESTS_TESTING_PIPELINE_H_
#define REGSWEEP_TESTS_TESTING_PIPELINE_H_

#include <fcntl.h>

#include <memory>
#include <string>

#include "core/fs.h"
#include "core/graph.h"
#include "core/mark.h"
#include "core/scan.h"
#include "core/storage.h"
#include "core/tree_reader.h"
#include "gc/plan.h"
#include "tests/testing/registry_builder.h"

namespace regsweep::testing {

class Pipeline {
 public:
  Pipeline(const RegistryBuilder& builder, const GcPolicy& policy)
      : v2_(UniqueFd(open(builder.v2().c_str(), O_RDONLY | O_DIRECTORY))),
        inventory_(ScanRegistry(v2_)),
        graph_(Graph::Build(inventory_, v2_)),
        marks_(Mark(graph_, policy)),
        storage_(v2_),
        plan_(MakePlan(graph_, marks_, policy, DefaultTreeReader(), v2_)) {}

  const Inventory& inventory() const { return inventory_; }
  const Graph& graph() const { return graph_; }
  const MarkResult& marks() const { return marks_; }
  const Plan& plan() const { return plan_; }
  PosixStorage& storage() { return storage_; }

  bool Live(const Digest& digest) const {
    const auto id = graph_.Find(digest);
    return id && marks_.live[*id] != 0;
  }
  bool Plans(ActionKind kind, const Digest& digest, const std::string& repository = "") const {
    for (const Action& a : plan_.actions) {
      if (a.kind == kind && a.digest == digest && plan_.Repository(a) == repository) return true;
    }
    return false;
  }
  bool Tainted(const std::string& repository) const {
    for (size_t r = 0; r < graph_.repositories().size(); ++r) {
      if (graph_.repositories()[r].record->name == repository)
        return marks_.repositories[r].tainted;
    }
    return false;
  }

 private:
  Folder v2_;
  Inventory inventory_;
  Graph graph_;
  MarkResult marks_;
  PosixStorage storage_;
  Plan plan_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_PIPELINE_H_
