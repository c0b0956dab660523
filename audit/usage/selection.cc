// Row selection and ordering for usage reports.
#include "audit/usage/selection.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

namespace regsweep::usage {
namespace {

std::optional<uint64_t> RepositoryValue(const std::string& column, const RepositoryUsage& row) {
  if (column == "tags") return row.tags;
  if (column == "manifests") return row.manifests;
  if (column == "logical" || column == "size") return row.logical_bytes;
  if (column == "exclusive") return row.exclusive_bytes;
  if (column == "shared") return row.shared_bytes;
  return std::nullopt;
}

std::optional<uint64_t> TagValue(const std::string& column, const TagUsage& row) {
  if (column == "size" || column == "logical") return row.size_bytes;
  if (column == "exclusive") return row.exclusive_bytes;
  if (column == "shared") return row.size_bytes - row.exclusive_bytes;
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& SortColumns() {
  static const std::vector<std::string> kColumns = {"name",      "tags",   "manifests", "logical",
                                                    "exclusive", "shared", "size"};
  return kColumns;
}

void KeepRepositories(const std::regex& pattern, Usage* usage) {
  auto drop = [&](const std::string& name) { return !std::regex_match(name, pattern); };
  std::erase_if(usage->repositories, [&](const RepositoryUsage& row) { return drop(row.name); });
  std::erase_if(usage->tags, [&](const TagUsage& row) { return drop(row.repository); });
  std::erase_if(usage->shared_pairs,
                [&](const SharedPair& pair) { return drop(pair.first) && drop(pair.second); });
}

bool SortRows(const std::string& column, Usage* usage) {
  const auto& columns = SortColumns();
  if (std::find(columns.begin(), columns.end(), column) == columns.end()) return false;
  std::stable_sort(usage->repositories.begin(), usage->repositories.end(),
                   [&](const RepositoryUsage& a, const RepositoryUsage& b) {
                     const auto va = RepositoryValue(column, a);
                     const auto vb = RepositoryValue(column, b);
                     if (va && *va != *vb) return *va > *vb;
                     return a.name < b.name;
                   });
  std::stable_sort(
      usage->tags.begin(), usage->tags.end(), [&](const TagUsage& a, const TagUsage& b) {
        const auto va = TagValue(column, a);
        const auto vb = TagValue(column, b);
        if (va && *va != *vb) return *va > *vb;
        return a.repository != b.repository ? a.repository < b.repository : a.tag < b.tag;
      });
  return true;
}

}  // namespace regsweep::usage
