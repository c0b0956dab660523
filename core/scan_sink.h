// Internal to the scanners (scan.cc, blob_scan.cc): how a scan records what it finds wrong.
//
// Each thread appends to its own Findings through a FindingSink; the scan merges them at the
// end, sorted by path, so the result does not depend on scheduling.
#ifndef REGSWEEP_CORE_SCAN_SINK_H_
#define REGSWEEP_CORE_SCAN_SINK_H_

#include <tbb/enumerable_thread_specific.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/digest.h"
#include "core/finding.h"
#include "core/fs.h"
#include "core/io_status.h"

namespace regsweep {

// Collects the findings of one thread.
class FindingSink {
 public:
  explicit FindingSink(Findings* out) : out_(out) {}
  void Add(Severity severity, std::string kind, std::string path, std::string repository,
           std::string reason) {
    out_->push_back(Finding{severity, std::move(kind), std::move(path), std::move(repository),
                            std::string(), std::move(reason)});
  }
  void Error(std::string kind, std::string path, std::string repository, std::string reason) {
    Add(Severity::kError, std::move(kind), std::move(path), std::move(repository),
        std::move(reason));
  }
  void Warning(std::string kind, std::string path, std::string repository, std::string reason) {
    Add(Severity::kWarning, std::move(kind), std::move(path), std::move(repository),
        std::move(reason));
  }

 private:
  Findings* out_;
};

using ThreadFindings = tbb::enumerable_thread_specific<Findings>;

// Moves every thread's findings to the end of `out`, then sorts `out` by path.
void MergeFindings(ThreadFindings& findings, Findings* out);

// "a/b".
std::string JoinPath(std::string_view a, std::string_view b);

// strerror(error) as a string.
std::string ErrnoText(int error);

// The kind of the finding every symbolic link met in the tree gets (an error).
inline constexpr const char* kSymlinkFinding = "symlink";

// Reports a symbolic link at `path` (or, for a path the scan could not open because of one, at
// or above it): never followed, and what follows from that, below `repositories/` or `blobs/`.
void ReportSymlink(FindingSink& sink, const std::string& path, const std::string& repository);

// Reports a folder or file that could not be opened or listed, with `status`: a symbolic link
// when the status says one was refused, else `unreadable`. `consequence` (may be empty) is
// appended to an unreadable finding's reason.
void ReportUnopenable(FindingSink& sink, const std::string& path, const std::string& repository,
                      const IoStatus& status, const std::string& consequence = "");

// Reports an entry that has no place in the layout. Symbolic links and special files get kinds
// of their own because they are never followed or opened.
void ReportUnexpected(FindingSink& sink, const DirEntry& entry, const std::string& path,
                      const std::string& repository);

// The algorithm of `entry`, an entry of a blob store's `blobs/` at `path`, when it is a folder
// of a supported algorithm; otherwise nullopt, and what it is reported (an unsupported
// algorithm's folder is left alone, anything else is unexpected).
std::optional<DigestAlgorithm> AlgorithmFolder(FindingSink& sink, const DirEntry& entry,
                                               const std::string& path,
                                               const std::string& repository);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_SCAN_SINK_H_
