// The ages of the link files a plan consults for the grace period, read up front with many
// stats in flight.
//
// The planner asks, per candidate, whether a tag index entry, a revision link whose file is
// missing, or a `_layers` link is younger than --min-age. Asked one at a time, that is one
// stat per candidate in a row: on a policy run that drops most tags, tens of thousands of
// waits, and on an object store one request each. MakePlan therefore plans twice: the first
// pass only records which link folders it would stat (RecordingLinkAges), those are read
// together (LinkAges::Read, parallel within the caller's --io-depth), and the second pass,
// the one that counts, looks them up. The first pass assumes every link old, which makes it
// ask for a superset of what the second pass asks (a young link only spares; it never makes
// the planner look at more). A folder the second pass asks for that was not read is statted
// then, so a wrong superset costs time, never safety.
#ifndef REGSWEEP_GC_LINK_AGES_H_
#define REGSWEEP_GC_LINK_AGES_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "core/io_status.h"
#include "core/tree_reader.h"

namespace regsweep {

// What the planner asks about a link folder `dir` (below the v2 folder): the newest mtime of
// its link file or, when that is gone, of the folder itself; -1 when neither exists; INT64_MAX
// (treated as recent, so kept) with a finding in *problems when it could not be statted.
class LinkAgeSource {
 public:
  virtual ~LinkAgeSource() = default;
  virtual int64_t Mtime(const std::string& dir, Findings* problems) = 0;
};

// The first pass: records every folder asked about and answers "absent" (-1: old).
class RecordingLinkAges final : public LinkAgeSource {
 public:
  int64_t Mtime(const std::string& dir, Findings* problems) override;
  std::vector<std::string> TakeAsked() { return std::move(asked_); }

 private:
  std::vector<std::string> asked_;
};

// The second pass: ages read in parallel up front; folders not read are statted when asked.
class LinkAges final : public LinkAgeSource {
 public:
  // Stats every folder of `dirs` below `v2` through `reader`, many at once (a parallel loop:
  // call it inside RunWithIoDepth to choose how many).
  LinkAges(TreeReader& reader, const Folder& v2, std::vector<std::string> dirs);
  int64_t Mtime(const std::string& dir, Findings* problems) override;

 private:
  struct Age {
    int64_t mtime_ns = -1;
    IoStatus status;
  };
  TreeReader& reader_;
  const Folder& v2_;
  std::unordered_map<std::string, Age> ages_;
};

}  // namespace regsweep

#endif  // REGSWEEP_GC_LINK_AGES_H_
