// Reading a retention policy file (`regsweep gc --policy FILE`, YAML, format in issue 15 and
// retention_policy.h).
//
// Parsing is strict, because a typo that silently changed what is kept would delete images:
// unknown and duplicate keys, a value of the wrong type, a pattern that is not a valid
// ECMAScript regular expression, a duration ParseDuration rejects, a negative count, two
// conditions in one keep entry, `order` without `most_recent`, a keep entry with neither
// `tags` nor a condition, and a policy without `repositories` or `keep` are all errors. Every
// error is one line "FILE:LINE:COL: reason" (1-based), and no policy is returned with it.
//
// Types: booleans are plain `true`/`false`; counts are plain non-negative decimal integers;
// durations are as on the command line ("30d", "1h30m", "0"); patterns are any scalar.
#ifndef REGSWEEP_GC_RETENTION_POLICY_FILE_H_
#define REGSWEEP_GC_RETENTION_POLICY_FILE_H_

#include <string>
#include <string_view>

#include "gc/retention/retention_policy.h"

namespace regsweep {

// Parses the YAML text of a policy file; `file_name` only prefixes error messages. On success
// fills *out and returns true; otherwise returns false with *error set and *out unchanged.
bool ParseRetentionPolicy(std::string_view yaml, std::string_view file_name, RetentionPolicy* out,
                          std::string* error);

// Reads and parses the policy file at `path` (errors as above; an unreadable file is
// "PATH: reason").
bool LoadRetentionPolicyFile(const std::string& path, RetentionPolicy* out, std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_POLICY_FILE_H_
