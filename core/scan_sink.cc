// Finding collection shared by the scanners.
#include "core/scan_sink.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace regsweep {

void MergeFindings(ThreadFindings& findings, Findings* out) {
  for (auto& part : findings) {
    out->insert(out->end(), std::make_move_iterator(part.begin()),
                std::make_move_iterator(part.end()));
  }
  std::stable_sort(out->begin(), out->end(),
                   [](const Finding& a, const Finding& b) { return a.path < b.path; });
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string path(a);
  path += '/';
  path += b;
  return path;
}

std::string ErrnoText(int error) { return std::strerror(error); }

void ReportUnexpected(FindingSink& sink, const DirEntry& entry, const std::string& path,
                      const std::string& repository) {
  if (entry.type == EntryType::kSymlink) {
    sink.Warning("symlink", path, repository, "symbolic link in the registry tree (not followed)");
  } else if (entry.type == EntryType::kOther) {
    sink.Warning("special_file", path, repository, "FIFO, socket or device in the registry tree");
  } else {
    sink.Warning("unexpected_entry", path, repository, "does not belong to the registry layout");
  }
}

}  // namespace regsweep
