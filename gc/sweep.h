// The sweep: carries out a plan through the storage seam, phase by phase.
//
// Actions of one phase are independent and run in parallel. If any action of a phase fails,
// the sweep stops once that phase is done and never starts the next one: a revision link that
// could not be removed must not lose its blobs. Everything the sweep did is reported, so an
// interrupted or failed run is finished by simply running again.
#ifndef REGSWEEP_GC_SWEEP_H_
#define REGSWEEP_GC_SWEEP_H_

#include <vector>

#include "core/finding.h"
#include "core/storage.h"
#include "gc/plan.h"

namespace regsweep {

class Progress;

struct SweepResult {
  std::vector<uint8_t> done;  // parallel to plan.actions: 1 when carried out
  Findings failures;
  bool stopped_early = false;
};

// `progress` (may be null) counts the actions carried out.
SweepResult Sweep(const Plan& plan, Storage& storage, Progress* progress = nullptr);

}  // namespace regsweep

#endif  // REGSWEEP_GC_SWEEP_H_
