// Test support: the registry invariant a collection must never break, checked on a tree.
//
// For every manifest the registry can serve (a revision link that exists): its blob is in the
// store and hashes to its digest, every config, layer and blob it references is in the store
// and linked in the repository's `_layers`, and every index child is a revision of the same
// repository. Every tag's current link names a revision of its repository.
#ifndef REGSWEEP_TESTS_TESTING_CONSISTENCY_H_
#define REGSWEEP_TESTS_TESTING_CONSISTENCY_H_

#include <string>
#include <vector>

#include "gc/gc_run.h"

namespace regsweep::testing {

// Returns one line per violation; empty when the tree at `v2` is consistent.
std::vector<std::string> CheckConsistency(const std::string& v2);

// Every file and folder below `v2` (relative paths, sorted), without the run lock.
std::vector<std::string> ListTree(const std::string& v2);

// Copies a registry tree (`from` and `to` are rootdirectories) and ages every mtime to 2020.
void CopyAgedTree(const std::string& from, const std::string& to);

// The demo registry (demo/registry, a real tree pushed with skopeo): a rootdirectory.
std::string DemoRegistry();
// The v2 folder of a rootdirectory.
std::string V2Of(const std::string& root);
// gc options that collect everything collectable in an aged copy (CopyAgedTree): a one-hour
// grace period that spares nothing there, every upload stale, empty repositories pruned.
GcOptions CollectAgedTree(const std::string& root, bool delete_untagged);

// What `expected` has and `actual` lacks (both sorted first).
std::vector<std::string> Missing(std::vector<std::string> actual,
                                 std::vector<std::string> expected);

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_CONSISTENCY_H_
