// The text report: totals, then aligned tables with human sizes.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "audit/usage/report.h"
#include "core/format.h"
#include "core/request_tally.h"

namespace regsweep::usage {
namespace {

// Columns padded to their widest cell; numbers right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> right)
      : right_(std::move(right)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const {
    std::vector<size_t> widths(rows_[0].size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(widths[c] - row[c].size(), ' ');
        line += c == 0 ? "" : "  ";
        line += right_[c] ? pad + row[c] : (c + 1 == row.size() ? row[c] : row[c] + pad);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string CountBytes(uint64_t count, uint64_t bytes) {
  return std::to_string(count) + " (" + FormatBytes(bytes) + ")";
}

std::string ShortDigest(const Digest& digest) { return digest.ToString().substr(0, 19); }

std::string Names(const std::vector<std::string>& names, size_t shown) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out.empty() ? "-" : out;
}

}  // namespace

std::string TextReport(const UsageOutcome& outcome, const ReportOptions& options) {
  if (!outcome.fatal.empty()) return "regsweep usage: " + outcome.fatal + "\n";
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  std::string out = "regsweep usage: " + outcome.v2_path + "\n";
  if (usage.images_hidden) {
    out +=
        "INCOMPLETE: part of the repository tree is unknown (see the problems below); the "
        "figures exclude it and no byte counts as exclusive\n";
  }
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f", t.dedup_ratio);
  out += "blobs on disk      " + CountBytes(t.blobs, t.blob_bytes) + ", " +
         FormatBytes(t.allocated_bytes) + " allocated\n";
  out += "referenced         " + CountBytes(t.referenced_blobs, t.referenced_bytes) +
         " (reached from tags)\n";
  out += "unreferenced       " + CountBytes(t.unreferenced_blobs, t.unreferenced_bytes) +
         (usage.images_hidden
              ? std::string(" (from the tags regsweep can see; gc frees none while part of the "
                            "tree is unknown)\n")
              : " (gc -m would free; plain gc: " +
                    CountBytes(t.unused_by_manifests_blobs, t.unused_by_manifests_bytes) + ")\n");
  out += "manifests " + std::to_string(t.manifests) + ", tags " + std::to_string(t.tags) +
         ", repositories " + std::to_string(t.repositories) + ", uploads " +
         CountBytes(t.uploads, t.upload_bytes) + "\n";
  out += "dedup ratio        " + std::string(ratio) + " (" + FormatBytes(t.image_bytes) +
         " of tagged images in " + FormatBytes(t.referenced_bytes) + ")\n";

  out += "\n";
  Table repositories(
      {"REPOSITORY", "TAGS", "MANIFESTS", "LOGICAL", "EXCLUSIVE", "SHARED", "SHARES MOST WITH"},
      {false, true, true, true, true, true, false});
  for (const RepositoryUsage& row : usage.repositories) {
    std::vector<std::string> partners;
    for (const SharedPair& pair : SharesOf(usage, row.name, 3)) {
      partners.push_back(pair.second + " " + FormatBytes(pair.bytes));
    }
    repositories.Add({row.name + (row.kept_whole ? " (kept whole)" : ""), std::to_string(row.tags),
                      std::to_string(row.manifests), FormatBytes(row.logical_bytes),
                      FormatBytes(row.exclusive_bytes), FormatBytes(row.shared_bytes),
                      Names(partners, 3)});
  }
  out += repositories.Render();

  if (options.tags) {
    out += "\n";
    Table tags({"REPOSITORY", "TAG", "MANIFEST", "SIZE", "EXCLUSIVE", "NOTE"},
               {false, false, false, true, true, false});
    for (const TagUsage& row : usage.tags) {
      std::string note;
      if (row.same_manifest_tags != 0) {
        note = "same manifest as " + std::to_string(row.same_manifest_tags) + " other tag" +
               (row.same_manifest_tags == 1 ? "" : "s");
      }
      if (row.kept_whole) note += std::string(note.empty() ? "" : "; ") + "repository kept whole";
      tags.Add({row.repository, row.tag, ShortDigest(row.manifest), FormatBytes(row.size_bytes),
                FormatBytes(row.exclusive_bytes), note});
    }
    out += tags.Render();
  }

  if (!usage.top_blobs.empty()) {
    out += "\n";
    Table blobs({"BLOB", "SIZE", "USED BY"}, {false, true, false});
    for (const BlobUsage& blob : usage.top_blobs) {
      blobs.Add({ShortDigest(blob.digest), FormatBytes(blob.size),
                 blob.tags.empty() ? "unreferenced" : Names(blob.tags, 4)});
    }
    out += blobs.Render();
  }

  size_t errors = 0;
  for (const Finding& f : outcome.problems) errors += f.severity == Severity::kError;
  if (errors != 0) {
    out += "\nproblems: " + std::to_string(errors) +
           " errors (a repository kept whole is accounted as one holder of all it has)\n";
    for (const Finding& f : outcome.problems) {
      if (f.severity == Severity::kError) out += "  " + f.ToLine() + "\n";
    }
  }
  if (outcome.requests) out += RequestTallyText(*outcome.requests);
  return out;
}

}  // namespace regsweep::usage
