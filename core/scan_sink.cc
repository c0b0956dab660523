// Finding collection shared by the scanners.
#include "core/scan_sink.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/distribution_layout.h"

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

void ReportSymlink(FindingSink& sink, const std::string& path, const std::string& repository) {
  const bool in_repositories =
      path.compare(0, distribution::kRepositoriesDir.size(), distribution::kRepositoriesDir) == 0;
  sink.Error(kSymlinkFinding, path, repository,
             in_repositories
                 ? "symbolic link in the repository tree: regsweep never follows one, but the "
                   "registry does, so the images behind it are unknown and no blob is deleted "
                   "in this run; move the folder back into the tree, or mount it there with a "
                   "bind mount"
                 : "symbolic link in the blob store: never followed, so the blobs behind it are "
                   "neither collected nor counted as present (a manifest stored there is missing "
                   "and keeps its repository whole); move the folder back into the tree, or "
                   "mount it there with a bind mount");
}

void ReportUnopenable(FindingSink& sink, const std::string& path, const std::string& repository,
                      const IoStatus& status, const std::string& consequence) {
  if (status.code == IoCode::kSymlink) {
    ReportSymlink(sink, path, repository);
    return;
  }
  std::string reason = status.Text();
  if (!consequence.empty()) reason += " " + consequence;
  sink.Error("unreadable", path, repository, std::move(reason));
}

void ReportUnexpected(FindingSink& sink, const DirEntry& entry, const std::string& path,
                      const std::string& repository) {
  if (entry.type == EntryType::kSymlink) {
    ReportSymlink(sink, path, repository);
  } else if (entry.type == EntryType::kOther) {
    sink.Warning("special_file", path, repository, "FIFO, socket or device in the registry tree");
  } else {
    sink.Warning("unexpected_entry", path, repository, "does not belong to the registry layout");
  }
}

std::optional<DigestAlgorithm> AlgorithmFolder(FindingSink& sink, const DirEntry& entry,
                                               const std::string& path,
                                               const std::string& repository) {
  const auto algorithm = ParseAlgorithmName(entry.name);
  if (algorithm && entry.type == EntryType::kDirectory) return algorithm;
  if (entry.type == EntryType::kDirectory) {
    sink.Warning("unknown_algorithm", path, repository,
                 "digest algorithm not supported (only sha256 and sha512); left alone");
  } else {
    ReportUnexpected(sink, entry, path, repository);
  }
  return std::nullopt;
}

}  // namespace regsweep
