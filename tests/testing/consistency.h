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

namespace regsweep::testing {

// Returns one line per violation; empty when the tree at `v2` is consistent.
std::vector<std::string> CheckConsistency(const std::string& v2);

// Every file and folder below `v2` (relative paths, sorted), without the run lock.
std::vector<std::string> ListTree(const std::string& v2);

// Copies a registry tree (`from` and `to` are rootdirectories) and ages every mtime to 2020.
void CopyAgedTree(const std::string& from, const std::string& to);

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_CONSISTENCY_H_
