// The registry invariant, checked with the real scanner and graph.
#include "tests/testing/consistency.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <iterator>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <unordered_set>

#include "core/fs.h"
#include "core/graph.h"
#include "core/run_lock.h"
#include "core/scan.h"
#include "core/tree_reader.h"

namespace regsweep::testing {

namespace fs = boost::filesystem;

std::vector<std::string> CheckConsistency(const std::string& v2) {
  std::vector<std::string> violations;
  const Folder v2_folder(UniqueFd(open(v2.c_str(), O_RDONLY | O_DIRECTORY)));
  const Inventory inventory = ScanRegistry(v2_folder);
  const Graph graph = Graph::Build(inventory, v2_folder);
  for (const RepositoryNode& repository : graph.repositories()) {
    const RepositoryRecord& record = *repository.record;
    std::unordered_set<NodeId> linked;
    for (const Digest& link : record.layer_links) linked.insert(*graph.Find(link));
    for (const auto& [id, index] : repository.revisions) {
      const Node& node = graph.node(id);
      const std::string where = record.name + "@" + node.digest.ToString();
      if (node.status != ManifestStatus::kOk) {
        violations.push_back(where + ": manifest " + std::string(ManifestStatusText(node.status)));
        continue;
      }
      const ManifestNode& manifest = graph.manifest(id);
      for (const NodeId blob : manifest.blobs) {
        const BlobRecord* record_of_blob = graph.Blob(blob);
        if (record_of_blob == nullptr || !record_of_blob->has_data) {
          violations.push_back(where + ": blob " + graph.node(blob).digest.ToString() + " missing");
        } else if (linked.count(blob) == 0) {
          violations.push_back(where + ": blob " + graph.node(blob).digest.ToString() +
                               " not linked in _layers");
        }
      }
      for (const NodeId child : manifest.children) {
        if (!repository.HasRevision(child)) {
          violations.push_back(where + ": child " + graph.node(child).digest.ToString() +
                               " is not a revision");
        }
      }
    }
    for (const TagRecord& tag : record.tags) {
      if (tag.current_state != LinkState::kOk) continue;
      if (!repository.HasRevision(*graph.Find(tag.current))) {
        violations.push_back(record.name + ":" + tag.name + " points at a missing revision");
      }
    }
  }
  return violations;
}

std::vector<std::string> ListTree(const std::string& v2) {
  std::vector<std::string> paths;
  const fs::path base(v2);
  for (fs::recursive_directory_iterator it(base), end; it != end; ++it) {
    std::string relative = it->path().string().substr(base.string().size() + 1);
    if (relative == kLockFileName) continue;
    paths.push_back(std::move(relative));
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

void CopyAgedTree(const std::string& from, const std::string& to) {
  const struct timespec aged[2] = {{1577836800, 0}, {1577836800, 0}};  // 2020-01-01
  fs::create_directories(to);
  for (fs::recursive_directory_iterator it(from), end; it != end; ++it) {
    const fs::path target = fs::path(to) / it->path().string().substr(from.size());
    if (fs::is_directory(it->symlink_status())) {
      fs::create_directories(target);
    } else {
      // Not fs::copy_file: Boost 1.74 fdatasyncs every copy, which makes tests crawl.
      std::ifstream in(it->path().string(), std::ios::binary);
      std::ofstream out(target.string(), std::ios::binary);
      out << in.rdbuf();
    }
  }
  for (fs::recursive_directory_iterator it(to), end; it != end; ++it) {
    utimensat(AT_FDCWD, it->path().c_str(), aged, AT_SYMLINK_NOFOLLOW);
  }
}

std::string DemoRegistry() { return std::string(REGSWEEP_SOURCE_DIR) + "/demo/registry"; }

std::string V2Of(const std::string& root) { return root + "/docker/registry/v2"; }

GcOptions CollectAgedTree(const std::string& root, bool delete_untagged) {
  GcOptions options;
  options.root = root;
  options.policy.delete_untagged = delete_untagged;
  options.policy.min_age_ns = 3600LL * 1000000000;
  options.policy.upload_max_age_ns = 0;
  options.policy.prune_empty_repositories = true;
  return options;
}

std::vector<std::string> Missing(std::vector<std::string> actual,
                                 std::vector<std::string> expected) {
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> missing;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing));
  return missing;
}

}  // namespace regsweep::testing
