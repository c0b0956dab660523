// Narrowing (--repo REGEX) and ordering (--sort COLUMN) of the rows of a Usage. Totals and the
// accounting itself never change: a narrowed report still counts sharing with every repository.
#ifndef REGSWEEP_AUDIT_USAGE_SELECTION_H_
#define REGSWEEP_AUDIT_USAGE_SELECTION_H_

#include <regex>
#include <string>
#include <vector>

#include "audit/usage/usage.h"

namespace regsweep::usage {

// The column names SortRows accepts.
const std::vector<std::string>& SortColumns();

// Keeps the repository, tag and shared-pair rows of repositories fully matching `pattern`
// (a shared pair stays when either side matches); top blobs stay.
void KeepRepositories(const std::regex& pattern, Usage* usage);

// Orders repositories and tags by `column`: "name" ascending, a number ("tags", "manifests",
// "logical", "exclusive", "shared", "size") descending, ties by name. Columns that a table does
// not have leave it ordered by name. False for an unknown column.
bool SortRows(const std::string& column, Usage* usage);

}  // namespace regsweep::usage

#endif  // REGSWEEP_AUDIT_USAGE_SELECTION_H_
