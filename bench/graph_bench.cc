// Graph build, mark and plan of a synthetic registry held in memory (bench/synthetic_registry
// read through bench/memory_tree_reader): the cost of Graph::Build (manifest hashing and parsing,
// interning, referrer maps) and Mark alone, and of MakePlan alone, without the scan and the
// disk, for 10k and 100k manifests with about ten blobs each.
//
// Besides the time, it reports the heap held afterwards by the Inventory, the Graph and the
// MarkResult, measured with mallinfo2 outside the timed loop, per object (objects = blobs +
// manifests): the figure behind the target of 10 million blobs and 1 million manifests in
// under 4 GiB, which is about 390 bytes per object. Transient allocations during the build
// (parsed manifests before interning) are not in it.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "bench/memory_tree_reader.h"
#include "bench/synthetic_registry.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/mark.h"
#include "core/policy.h"
#include "gc/plan.h"

namespace regsweep {
namespace {

// Bytes malloc has handed out and not taken back: chunks in every arena plus mmapped ones.
size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

GcPolicy DeleteUntagged() {
  GcPolicy policy;
  policy.delete_untagged = true;
  policy.min_age_ns = 0;
  policy.now_ns = NowNs();
  return policy;
}

// Why `marks` are not what the registry expects ("" when they are): no problem reported, every
// graph node a blob of the store, and exactly the expected blobs live.
std::string CheckMarks(const SyntheticRegistry& registry, const Graph& graph,
                       const MarkResult& marks) {
  if (!marks.problems.empty()) return "mark problem: " + marks.problems.front().ToLine();
  if (graph.nodes().size() != registry.inventory.blobs.size()) {
    return "the graph names digests that are not in the blob store";
  }
  for (const Digest& digest : registry.expected_live) {
    const auto id = graph.Find(digest);
    if (!id || marks.live[*id] == 0) return digest.ToString() + " is not marked live";
  }
  const auto live = static_cast<size_t>(std::count(marks.live.begin(), marks.live.end(), 1));
  if (live != registry.expected_live.size()) {
    return std::to_string(live - registry.expected_live.size()) +
           " blobs marked live that no tag needs";
  }
  return "";
}

// The heap held by each result of one build and mark, and the graph's size.
struct HeapHeld {
  size_t inventory = 0;
  size_t graph = 0;
  size_t marks = 0;
  size_t nodes = 0;
};

// One untimed build and mark of a copy of the registry's inventory (so that only the
// inventory is counted, not the generator's leftovers): the heap each result holds, and in
// *wrong what the marks got wrong.
HeapHeld MeasureAndCheck(const SyntheticRegistry& registry, MemoryTreeReader& reader,
                         const Folder& root, const GcPolicy& policy, std::string* wrong) {
  HeapHeld held;
  const size_t start = HeapInUse();
  const Inventory inventory = registry.inventory;
  const size_t copied = HeapInUse();
  const Graph graph = Graph::Build(inventory, root, &reader);
  const size_t built = HeapInUse();
  const MarkResult marks = Mark(graph, policy);
  held.inventory = copied - start;
  held.graph = built - copied;
  held.marks = HeapInUse() - built;
  held.nodes = graph.nodes().size();
  *wrong = CheckMarks(registry, graph, marks);
  return held;
}

void SetCounters(benchmark::State& state, const SyntheticRegistry& registry, const HeapHeld& held) {
  const size_t blobs = registry.inventory.blobs.size();
  const size_t objects = blobs + registry.manifests;
  auto per = [](size_t bytes, size_t count) {
    return static_cast<double>(bytes) / static_cast<double>(count);
  };
  state.counters["nodes"] = static_cast<double>(held.nodes);
  state.counters["blobs"] = static_cast<double>(blobs);
  state.counters["manifests"] = static_cast<double>(registry.manifests);
  state.counters["objects/s"] = benchmark::Counter(static_cast<double>(objects),
                                                   benchmark::Counter::kIsIterationInvariantRate);
  state.counters["inventory_bytes_per_blob"] = per(held.inventory, blobs);
  state.counters["graph_bytes_per_node"] = per(held.graph, held.nodes);
  state.counters["mark_bytes_per_node"] = per(held.marks, held.nodes);
  state.counters["bytes_per_object"] = per(held.inventory + held.graph + held.marks, objects);
}

// state.range(0): manifests. Timed: Graph::Build and Mark (with --delete-untagged), and the
// release of both.
void BM_GraphBuildMark(benchmark::State& state) {
  const SyntheticRegistry registry = MakeSyntheticRegistry(static_cast<size_t>(state.range(0)));
  MemoryTreeReader reader(registry.files);
  const Folder root = reader.OpenRoot();
  const GcPolicy policy = DeleteUntagged();
  std::string wrong;
  const HeapHeld held = MeasureAndCheck(registry, reader, root, policy, &wrong);
  if (!wrong.empty()) {
    state.SkipWithError(wrong.c_str());
    return;
  }
  for (auto _ : state) {
    const Graph graph = Graph::Build(registry.inventory, root, &reader);
    const MarkResult marks = Mark(graph, policy);
    benchmark::DoNotOptimize(marks.live.data());
  }
  SetCounters(state, registry, held);
}
BENCHMARK(BM_GraphBuildMark)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// state.range(0): manifests. Timed: MakePlan with --delete-untagged and no grace period (no
// link is statted), given the graph and the marks: the plan's walk over every repository's
// tags, revisions and layer links and over every blob.
void BM_Plan(benchmark::State& state) {
  const SyntheticRegistry registry = MakeSyntheticRegistry(static_cast<size_t>(state.range(0)));
  MemoryTreeReader reader(registry.files);
  const Folder root = reader.OpenRoot();
  const GcPolicy policy = DeleteUntagged();
  const Graph graph = Graph::Build(registry.inventory, root, &reader);
  const MarkResult marks = Mark(graph, policy);
  size_t layer_links = 0;
  for (const RepositoryRecord& record : registry.inventory.repositories) {
    layer_links += record.layer_links.size();
  }
  for (auto _ : state) {
    const Plan plan = MakePlan(graph, marks, policy, reader, root);
    benchmark::DoNotOptimize(plan.actions.data());
  }
  state.counters["blobs"] = static_cast<double>(registry.inventory.blobs.size());
  state.counters["layer_links"] = static_cast<double>(layer_links);
}
BENCHMARK(BM_Plan)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace regsweep
