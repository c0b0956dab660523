// gc --policy: runs a retention policy (gc/retention) over the registry a gc run read, and turns
// its decisions into the GcPolicy the mark follows.
//
//   RetentionRequest request;                      // the policy file and the access logs
//   LoadRetentionRequest(policy_path, log_paths, &request, &error);
//   RetentionReport report = DecideRegistryRetention(request, graph, reader, v2, now_ns);
//   AddDecisionsToPolicy(report, &gc_policy);      // dropped tags are untagged, as --untag does
//   ... mark, plan ...
//   CountFreedBytes(graph, plan, &report);         // per dropped tag, for the dry-run listing
//
// Each repository is decided from what the scan and the graph already hold: its tags and the
// mtimes of their current links (push times), the referrers and index children among its
// manifests, and its pulls in the logs. The one extra read is the mtime of each tag's index
// links (when the tag was set to each digest), done only when a rule needs pull times. A
// repository part of which could not be read is not decided: its tags all stay.
#ifndef REGSWEEP_GC_RETENTION_RUN_H_
#define REGSWEEP_GC_RETENTION_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/graph.h"
#include "core/policy.h"
#include "core/tree_reader.h"
#include "gc/plan.h"
#include "gc/retention/access_log.h"
#include "gc/retention/decide.h"
#include "gc/retention/pull_log.h"
#include "gc/retention/retention_policy.h"

namespace regsweep {

struct RetentionRequest {
  std::string policy_path;
  RetentionPolicy policy;
  PullLog pulls;
  AccessLogStats log_stats;  // files is 0 when no log was given
};

// One repository a policy matched.
struct RepositoryRetention {
  uint32_t repository = 0;  // index in Graph::repositories()
  RepositoryDecision decision;
  // By tag (as decision.tags): bytes of blob data the plan deletes that the tag's image used
  // (its manifests, their blobs and referrers). Shared between two dropped tags, a blob counts
  // for both; WhatIf has the total. Filled by CountFreedBytes; 0 for kept tags.
  std::vector<uint64_t> frees_bytes;
};

struct RetentionReport {
  std::string policy_path;
  std::vector<RepositoryRetention> repositories;  // sorted by name
  Findings problems;  // repositories left undecided, protected ones, history unread, short logs
};

// Reads the policy file and every access log. False with *error (the run's fatal message, exit
// code 2) when either cannot be read completely, or when a rule needs pull times and no log was
// given: then nothing is decided, so nothing is deleted by guesswork.
bool LoadRetentionRequest(const std::string& policy_path, const std::vector<std::string>& log_paths,
                          RetentionRequest* out, std::string* error);

// Decides every repository the policy matches, in parallel (statting index links through
// `reader` below `v2` when pull times are needed). Call with the run's I/O depth in force.
RetentionReport DecideRegistryRetention(const RetentionRequest& request, const Graph& graph,
                                        TreeReader& reader, const Folder& v2, int64_t now_ns);

// Adds the dropped tags to policy->untag and the repositories whose policy deletes untagged
// manifests to policy->delete_untagged_repositories.
void AddDecisionsToPolicy(const RetentionReport& report, GcPolicy* policy);

// Fills RepositoryRetention::frees_bytes from the plan the run made.
void CountFreedBytes(const Graph& graph, const Plan& plan, RetentionReport* report);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_RUN_H_
