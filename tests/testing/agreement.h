// Test support: audit and gc must agree on what is collectable. audit's `orphan_blob` findings
// ("gc would reclaim") are compared with the blobs `gc --dry-run --min-age 0` deletes on the
// same tree, for a structural audit and for one with --verify-data (whose hashing examines the
// blob data the scan then does not).
#ifndef REGSWEEP_TESTS_TESTING_AGREEMENT_H_
#define REGSWEEP_TESTS_TESTING_AGREEMENT_H_

#include <string>

namespace regsweep::testing {

// Empty when they agree on the registry at `root` (a rootdirectory); otherwise one line per
// blob only one of them names ("audit only: ..." / "gc only: ...").
std::string OrphansDisagreeWithGc(const std::string& root);

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_AGREEMENT_H_
