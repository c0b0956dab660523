// Saving a plan for review and loading it back for `gc --apply`.
//
// The file records the policy the plan was made with and every action. Applying never trusts
// the file's paths: the collector makes a fresh plan with the recorded policy against the tree
// as it is now, and carries out only the actions present in both (so anything that became
// reachable since the plan was written is left alone).
#ifndef REGSWEEP_GC_PLAN_FILE_H_
#define REGSWEEP_GC_PLAN_FILE_H_

#include <string>
#include <unordered_set>

#include "core/policy.h"
#include "gc/plan.h"

namespace regsweep {

struct SavedPlan {
  std::string root;  // v2 folder the plan was made for
  GcPolicy policy;   // now_ns is not saved
  std::unordered_set<std::string> action_keys;
  size_t action_count = 0;
};

std::string PlanToJson(const Plan& plan, const GcPolicy& policy, const std::string& root);

// Reads a plan file; false with *error naming the file and the reason.
bool LoadPlanFile(const std::string& path, SavedPlan* out, std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_GC_PLAN_FILE_H_
