// RegistryRun: open, lock, read, time.
#include "core/registry_run.h"

#include <tbb/task_group.h>

#include "core/io_depth.h"
#include "core/progress.h"

namespace regsweep {

std::optional<RegistryRun> RegistryRun::Open(const std::string& root,
                                             const BackendSettings& settings,
                                             const RunAccess& access, std::string* error,
                                             std::string* notice) {
  std::unique_ptr<Backend> backend = OpenBackend(root, settings, error);
  if (!backend) return std::nullopt;
  // The lock file lives in the v2 folder; a taken lock keeps what it needs to remove it.
  LockFiles& locks = backend->locks();
  const std::string& where = backend->location();
  std::optional<RunLock> lock;
  if (access.exclusive) {
    std::string cleared;
    lock = RunLock::Acquire(locks, where, access.break_stale_lock, error, &cleared);
    if (!lock) return std::nullopt;
    if (notice != nullptr) *notice = cleared;
  } else if (const auto holder = RunLock::LiveHolder(locks)) {
    *error = "a regsweep run is changing " + where + " (" + *holder + ", holding " +
             locks.LockPath(where, kLockFileName) + "): " + access.wait_advice +
             " once that run has finished" + RunLock::LeftLockAdvice(locks);
    return std::nullopt;
  }
  return RegistryRun(std::move(backend), std::move(lock));
}

void RegistryRun::StartPhase(const char* name, const char* unit, uint64_t total) {
  if (phase_ != nullptr) EndPhase();
  phase_ = name;
  phase_start_ = std::chrono::steady_clock::now();
  if (progress_ != nullptr) progress_->StartPhase(name, unit, total);
}

void RegistryRun::EndPhase() {
  if (phase_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  timings_.emplace_back(phase_, std::chrono::duration<double>(now - phase_start_).count());
  phase_ = nullptr;
}

std::unique_ptr<RegistryModel> RegistryRun::Read(ScanOptions options, unsigned io_depth,
                                                 const ManifestObserver* observer,
                                                 const BesideBuild* beside) {
  auto model = std::make_unique<RegistryModel>();
  options.progress = progress_;
  if (options.reader == nullptr) options.reader = &backend_->reader();
  RunWithIoDepth(io_depth, [&] {
    StartPhase("scan", "folders");
    model->inventory = backend_->layout().Scan(v2(), v2_path(), options);
    StartPhase("manifests", "manifests");
    tbb::task_group beside_group;
    if (beside != nullptr) {
      beside->prepare(&model->inventory);
      beside_group.run(beside->run);
    }
    model->graph = Graph::Build(model->inventory, v2(), options.reader, observer, progress_);
    EndPhase();
    if (beside != nullptr) {
      StartPhase(beside->phase, beside->unit);
      beside_group.wait();
    }
  });
  return model;
}

std::optional<RequestTally> RegistryRun::Finish() {
  lock_.reset();
  return backend_->requests();
}

}  // namespace regsweep
