// Writing a file (a report, a gc plan) so that a reader never sees it half written: the content
// goes to a hidden temporary file in the same folder, is flushed to disk, then renamed over the
// target (what node_exporter's textfile collector needs).
#ifndef REGSWEEP_CORE_ATOMIC_FILE_H_
#define REGSWEEP_CORE_ATOMIC_FILE_H_

#include <string>

namespace regsweep {

// False with *error naming the file and the reason; no temporary file is left behind.
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_ATOMIC_FILE_H_
