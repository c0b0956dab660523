// Sweep: phase-ordered, one batch per phase, stops after a failed phase.
#include "gc/sweep.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/distribution_layout.h"
#include "core/progress.h"

namespace regsweep {
namespace {

// Removes what a pruned repository leaves behind: its empty layout folders, then the
// repository folder and its parents up to `repositories/` while they are empty. Anything
// unexpected inside keeps the folder (ENOTEMPTY is not a failure here).
StorageStatus PruneRepository(const std::string& repository, Storage& storage) {
  const std::string base = distribution::RepositoryDir(repository);
  const char* const kInner[] = {
      "/_manifests/revisions/sha256",
      "/_manifests/revisions/sha512",
      "/_manifests/revisions",
      "/_manifests/tags",
      "/_manifests",
      "/_layers/sha256",
      "/_layers/sha512",
      "/_layers",
      "/_uploads",
  };
  for (const char* inner : kInner) {
    StorageStatus status = storage.RemoveEmptyDir(base + inner);
    if (status.error == ENOTEMPTY) return StorageStatus::Ok();
    if (!status.ok()) return status;
  }
  std::string dir = base;
  while (dir.size() > distribution::kRepositoriesDir.size()) {
    StorageStatus status = storage.RemoveEmptyDir(dir);
    if (status.error == ENOTEMPTY) return StorageStatus::Ok();
    if (!status.ok()) return status;
    dir.resize(dir.rfind('/'));
  }
  return StorageStatus::Ok();
}

// Carries out actions [begin, end) of one phase into statuses[begin, end): one batch of paths
// for the storage, except pruning, which removes folders one level at a time.
void ExecutePhase(const Plan& plan, size_t begin, size_t end, Storage& storage, Progress* progress,
                  std::vector<StorageStatus>* statuses) {
  if (plan.actions[begin].kind == ActionKind::kPruneRepository) {
    tbb::parallel_for(begin, end, [&](size_t i) {
      (*statuses)[i] = PruneRepository(plan.Repository(plan.actions[i]), storage);
      Advance(progress);
    });
    return;
  }
  std::vector<std::string> batch;
  batch.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) batch.push_back(plan.Path(plan.actions[i]));
  std::vector<StorageStatus> done = storage.RemoveTrees(batch, [progress] { Advance(progress); });
  std::move(done.begin(), done.end(), statuses->begin() + static_cast<std::ptrdiff_t>(begin));
}

}  // namespace

SweepResult Sweep(const Plan& plan, Storage& storage, Progress* progress) {
  SweepResult result;
  result.done.assign(plan.actions.size(), 0);
  std::vector<StorageStatus> statuses(plan.actions.size());
  size_t begin = 0;
  while (begin < plan.actions.size()) {
    size_t end = begin;
    while (end < plan.actions.size() && plan.actions[end].kind == plan.actions[begin].kind) ++end;
    ExecutePhase(plan, begin, end, storage, progress, &statuses);
    bool failed = false;
    for (size_t i = begin; i < end; ++i) {
      result.done[i] = statuses[i].ok() ? 1 : 0;
      if (statuses[i].ok()) continue;
      failed = true;
      const Action& action = plan.actions[i];
      result.failures.push_back(Finding{
          Severity::kError, "delete_failed", plan.Path(action), plan.Repository(action),
          action.kind == ActionKind::kDeleteTag || action.kind == ActionKind::kDeleteUpload ||
                  action.kind == ActionKind::kPruneRepository
              ? std::string()
              : action.digest.ToString(),
          statuses[i].message});
    }
    if (failed && end < plan.actions.size()) {
      result.stopped_early = true;
      break;
    }
    begin = end;
  }
  return result;
}

}  // namespace regsweep
