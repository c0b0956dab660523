// Link ages for the grace period: recorded in a first planning pass, read in parallel.
#include "gc/link_ages.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <climits>

namespace regsweep {
namespace {

struct StatOutcome {
  int64_t mtime_ns = -1;
  IoStatus status;
};

StatOutcome StatLink(TreeReader& reader, const Folder& v2, const std::string& dir) {
  StatOutcome outcome;
  FileStat stat = reader.Stat(v2, dir + "/link", &outcome.status);
  if (!stat.exists && outcome.status.ok()) stat = reader.Stat(v2, dir, &outcome.status);
  if (outcome.status.ok() && stat.exists) outcome.mtime_ns = stat.mtime_ns;
  return outcome;
}

int64_t Report(const std::string& dir, const StatOutcome& outcome, Findings* problems) {
  if (outcome.status.ok()) return outcome.mtime_ns;
  problems->push_back(
      Finding{Severity::kError, "unreadable", dir, "", "",
              "cannot stat for the grace period: " + outcome.status.Text() + "; kept"});
  return INT64_MAX;  // unknown age: treat as recent
}

}  // namespace

int64_t RecordingLinkAges::Mtime(const std::string& dir, Findings* /*problems*/) {
  asked_.push_back(dir);
  return -1;
}

LinkAges::LinkAges(TreeReader& reader, const Folder& v2, std::vector<std::string> dirs)
    : reader_(reader), v2_(v2) {
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  std::vector<StatOutcome> outcomes(dirs.size());
  tbb::parallel_for(size_t{0}, dirs.size(),
                    [&](size_t i) { outcomes[i] = StatLink(reader, v2, dirs[i]); });
  ages_.reserve(dirs.size());
  for (size_t i = 0; i < dirs.size(); ++i) {
    ages_.emplace(std::move(dirs[i]), Age{outcomes[i].mtime_ns, outcomes[i].status});
  }
}

int64_t LinkAges::Mtime(const std::string& dir, Findings* problems) {
  const auto it = ages_.find(dir);
  if (it == ages_.end()) return Report(dir, StatLink(reader_, v2_, dir), problems);
  return Report(dir, StatOutcome{it->second.mtime_ns, it->second.status}, problems);
}

}  // namespace regsweep
