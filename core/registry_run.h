// One command's run over a registry, the part gc, audit and usage share: open the registry
// (core/registry_root), take the run lock or make sure no run holds it (core/run_lock), read it
// (scan and manifests, with --io-depth reads in flight), and time and show each phase.
//
//   std::optional<RegistryRun> run = RegistryRun::Open(root, access, &error);
//   std::unique_ptr<RegistryModel> model = run->Read(scan_options, io_depth, observer);
//   run->StartPhase("mark");  ...  run->EndPhase();
//   outcome.timings = run->timings();
//
// What a command does with the model (mark and sweep, check, account) stays in the command.
#ifndef REGSWEEP_CORE_REGISTRY_RUN_H_
#define REGSWEEP_CORE_REGISTRY_RUN_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/graph.h"
#include "core/run_lock.h"
#include "core/scan.h"

namespace regsweep {

class Progress;

// How a run treats the run lock.
struct RunAccess {
  // Takes the lock for the whole run (gc, when it may delete); otherwise the run only reads, and
  // refuses to start while another run holds the lock.
  bool exclusive = false;
  bool break_stale_lock = false;  // with `exclusive`: --break-lock
  // For the refusal of a reading run: what to do once the other has finished ("audit it").
  std::string wait_advice = "run again";
};

// What a run read: the inventory and the graph over it (which points into it, so the two move
// together, on the heap).
struct RegistryModel {
  Inventory inventory;
  Graph graph;
};

// Work a command runs beside the graph's build, on the cores and reads the build leaves idle
// (audit hashes the blobs the graph cannot need there: audit/check/data_verify.h).
struct BesideBuild {
  // Called once the scan is done, before the build starts: it may change the inventory.
  std::function<void(Inventory*)> prepare;
  // Runs while Graph::Build reads the inventory: it may read it, but must not change a blob's
  // record (the build reads those of the manifests it loads) or move anything the build reads.
  std::function<void()> run;
  // The phase that runs from the build's end until `run` has finished. Read returns with it
  // still running: the command's next StartPhase or EndPhase ends it.
  const char* phase = "";
  const char* unit = "";
};

class RegistryRun {
 public:
  // Opens the registry at `root` (its rootdirectory or v2 folder, `s3://BUCKET/PREFIX`, or
  // empty with settings.config; core/backend.h) with `access`. nullopt with
  // *error (the run's fatal message) when there is no registry there or the lock says no;
  // *notice tells of a stale lock that was cleared.
  static std::optional<RegistryRun> Open(const std::string& root, const BackendSettings& settings,
                                         const RunAccess& access, std::string* error,
                                         std::string* notice = nullptr);

  // The registry's storage (core/backend.h), chosen from `root`.
  Backend& backend() const { return *backend_; }
  const std::string& v2_path() const { return backend_->location(); }
  // The open v2 folder.
  const Folder& v2() const { return backend_->root(); }

  // Where phases are shown (not owned; may be null).
  void set_progress(Progress* progress) { progress_ = progress; }
  Progress* progress() const { return progress_; }

  // Starts phase `name`, counted in `unit` (empty: not counted) towards `total` (0: unknown),
  // ending the previous one if it was not ended.
  void StartPhase(const char* name, const char* unit = "", uint64_t total = 0);
  // Ends the phase started last, recording its time.
  void EndPhase();
  const std::vector<std::pair<std::string, double>>& timings() const { return timings_; }

  // The phases "scan" and "manifests": scans the tree with `options` and builds its graph, each
  // manifest shown to `observer` (may be null), with `io_depth` reads in flight. The tree is
  // read through options.reader, or the backend's reader when that is null. With `beside`
  // (may be null), its work runs next to the build, within the same reads in flight.
  std::unique_ptr<RegistryModel> Read(ScanOptions options, unsigned io_depth,
                                      const ManifestObserver* observer = nullptr,
                                      const BesideBuild* beside = nullptr);

  // Ends the run: gives the run lock back, if taken (on an object store, the last request),
  // then returns the requests the backend sent in all (nullopt when it does not count them).
  std::optional<RequestTally> Finish();

 private:
  RegistryRun(std::unique_ptr<Backend> backend, std::optional<RunLock> lock)
      : backend_(std::move(backend)), lock_(std::move(lock)) {}

  std::unique_ptr<Backend> backend_;
  std::optional<RunLock> lock_;
  Progress* progress_ = nullptr;
  const char* phase_ = nullptr;  // the phase running, if any
  std::chrono::steady_clock::time_point phase_start_;
  std::vector<std::pair<std::string, double>> timings_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_REGISTRY_RUN_H_
