// Permission-denied files and folders: on a copy of a real registry tree (demo/registry, pushed
// with skopeo), each case takes every permission away from one file or folder (mode 000), then
// runs `audit` and a real `gc --delete-untagged` over it. Both must name the path in an error
// and exit 1; gc must delete nothing an unhindered run keeps, and once the permission is given
// back the tree must still be consistent (every servable manifest has all it needs).
//
// Root ignores file modes, so this program drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from
// its effective set before any thread starts (main below); as an ordinary user nothing changes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <fstream>
#include <functional>
#include <iterator>

#include "audit/check/audit_run.h"
#include "core/digest.h"
#include "core/distribution_layout.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/agreement.h"
#include "tests/testing/consistency.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::CheckConsistency;
using testing::CopyAgedTree;
using testing::ListTree;
using testing::TempDir;

using testing::CollectAgedTree;
using testing::DemoRegistry;
using testing::Missing;

using testing::V2Of;

// The first entry (by name) of a folder below `v2`.
std::string FirstEntry(const std::string& v2, const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(v2 + "/" + folder)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_FALSE(names.empty()) << folder;
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string() : folder + "/" + names.front();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The digest a tag of `repository` points at (its first tag by name).
Digest TaggedManifest(const std::string& v2, const std::string& repository) {
  const std::string tag = FirstEntry(v2, distribution::TagsDir(repository));
  std::string why;
  const auto digest = Digest::Parse(ReadText(v2 + "/" + tag + "/current/link"), &why);
  EXPECT_TRUE(digest.has_value()) << why;
  return digest.value_or(Digest());
}

std::string ShardOf(const Digest& digest) {
  return fs::path(distribution::BlobDir(digest)).parent_path().string();
}

struct Case {
  const char* name;
  // Returns the path below v2 whose permissions are taken away.
  std::function<std::string(const std::string& v2)> target;
  const char* gc_kind;  // the error gc must report, naming the target or a path below it
  const char* audit_kind;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const std::string kRepo = "apps/web";

const Case kCases[] = {
    {"repositories_folder", [](const std::string&) { return std::string("repositories"); },
     "blob_sweep_refused", "unreadable"},
    {"folder_of_repositories",
     [](const std::string&) { return distribution::RepositoryDir("multi"); }, "blob_sweep_refused",
     "unreadable"},
    {"repository_folder", [](const std::string&) { return distribution::RepositoryDir(kRepo); },
     "blob_sweep_refused", "unreadable"},
    {"manifests_folder",
     [](const std::string&) { return distribution::RepositoryDir(kRepo) + "/_manifests"; },
     "blob_sweep_refused", "unreadable"},
    {"revisions_folder",
     [](const std::string&) {
       return distribution::RepositoryDir(kRepo) + "/_manifests/revisions";
     },
     "unreadable", "unreadable"},
    {"revisions_algorithm_folder",
     [](const std::string&) {
       return distribution::RepositoryDir(kRepo) + "/_manifests/revisions/sha256";
     },
     "unreadable", "unreadable"},
    {"tags_folder", [](const std::string&) { return distribution::TagsDir(kRepo); }, "unreadable",
     "unreadable"},
    {"one_tag_folder",
     [](const std::string& v2) { return FirstEntry(v2, distribution::TagsDir(kRepo)); }, "bad_link",
     "bad_link"},
    {"layers_folder",
     [](const std::string&) { return distribution::RepositoryDir(kRepo) + "/_layers"; },
     "unreadable", "unreadable"},
    {"revision_link",
     [](const std::string& v2) {
       return distribution::RevisionDir(kRepo, TaggedManifest(v2, kRepo)) + "/link";
     },
     "bad_link", "bad_link"},
    {"manifest_data",
     [](const std::string& v2) { return distribution::BlobData(TaggedManifest(v2, kRepo)); },
     "repository_kept_whole", "manifest_unreadable"},
    {"blob_shard_of_a_manifest",
     [](const std::string& v2) { return ShardOf(TaggedManifest(v2, kRepo)); }, "unreadable",
     "unreadable"},
    {"blobs_folder", [](const std::string&) { return std::string("blobs/sha256"); }, "unreadable",
     "unreadable"},
};

bool Names(const Findings& findings, const std::string& kind, const std::string& target) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.severity == Severity::kError && f.kind == kind &&
           f.path.compare(0, target.size(), target) == 0;
  });
}

std::string Kinds(const Findings& findings) {
  std::string out;
  for (const Finding& f : findings) out += f.kind + " " + f.path + "\n";
  return out;
}

// gc -m over an aged copy of the demo.
GcOptions Collect(const std::string& root) { return CollectAgedTree(root, true); }

class PermissionDeniedTest : public ::testing::TestWithParam<Case> {};

TEST_P(PermissionDeniedTest, ReportedAndNothingNeededIsDeleted) {
  const Case& c = GetParam();
  TempDir dir(/*in_memory=*/true);
  const std::string reference = (dir.path() / "reference").string();
  CopyAgedTree(DemoRegistry(), reference);
  ASSERT_EQ(RunGc(Collect(reference)).exit_code, 0);
  const std::vector<std::string> kept_by_clean_run = ListTree(V2Of(reference));

  const std::string root = (dir.path() / "denied").string();
  CopyAgedTree(DemoRegistry(), root);
  const std::string target = c.target(V2Of(root));
  const std::string target_path = V2Of(root) + "/" + target;
  struct stat before;
  ASSERT_EQ(lstat(target_path.c_str(), &before), 0) << target;
  ASSERT_EQ(chmod(target_path.c_str(), 0), 0) << target;
  const int probe = open(target_path.c_str(), O_RDONLY | O_NONBLOCK);
  if (probe >= 0) close(probe);
  ASSERT_LT(probe, 0) << "mode 000 does not deny this process (a capability left in place?)";

  audit::AuditOptions audit_options;
  audit_options.root = root;
  audit_options.verify_data = true;
  const audit::AuditOutcome audited = audit::RunAudit(audit_options);
  EXPECT_EQ(audited.exit_code, 1) << Kinds(audited.findings);
  EXPECT_TRUE(Names(audited.findings, c.audit_kind, target))
      << "audit must report " << c.audit_kind << " at " << target << "\n"
      << Kinds(audited.findings);
  EXPECT_EQ(testing::OrphansDisagreeWithGc(root), "") << target;

  const GcOutcome collected = RunGc(Collect(root));
  EXPECT_EQ(collected.exit_code, 1) << GcTextReport(collected, true);
  EXPECT_TRUE(Names(collected.problems, c.gc_kind, target))
      << "gc must report " << c.gc_kind << " at " << target << "\n"
      << GcTextReport(collected, true);

  ASSERT_EQ(chmod(target_path.c_str(), before.st_mode & 07777), 0);
  const std::vector<std::string> survivors = ListTree(V2Of(root));
  const std::vector<std::string> wrongly_deleted = Missing(survivors, kept_by_clean_run);
  EXPECT_TRUE(wrongly_deleted.empty())
      << "deleted although an unhindered run keeps it: " << wrongly_deleted.front();
  const auto violations = CheckConsistency(V2Of(root));
  EXPECT_TRUE(violations.empty()) << violations.front();
}

INSTANTIATE_TEST_SUITE_P(Targets, PermissionDeniedTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return param_info.param.name; });

// gc never reads layer data, so a layer it cannot read changes nothing for it; audit, which
// hashes it, must say so.
TEST(PermissionDeniedLayerTest, AuditReportsAnUnreadableLayer) {
  TempDir dir(/*in_memory=*/true);
  const std::string root = (dir.path() / "denied").string();
  CopyAgedTree(DemoRegistry(), root);
  // The config of the tagged image is a blob that is not a manifest.
  const std::string manifest =
      ReadText(V2Of(root) + "/" + distribution::BlobData(TaggedManifest(V2Of(root), kRepo)));
  const size_t at = manifest.find("sha256:", manifest.find("\"config\""));
  ASSERT_NE(at, std::string::npos);
  std::string why;
  const auto config = Digest::Parse(manifest.substr(at, 71), &why);
  ASSERT_TRUE(config.has_value()) << why;
  const std::string target = distribution::BlobData(*config);
  ASSERT_EQ(chmod((V2Of(root) + "/" + target).c_str(), 0), 0);

  audit::AuditOptions options;
  options.root = root;
  options.verify_data = true;
  const audit::AuditOutcome audited = audit::RunAudit(options);
  EXPECT_EQ(audited.exit_code, 1);
  EXPECT_TRUE(std::any_of(audited.findings.begin(), audited.findings.end(), [&](const Finding& f) {
    return f.severity == Severity::kError && f.path == target;
  })) << Kinds(audited.findings);
  EXPECT_EQ(RunGc(Collect(root)).exit_code, 0);
}

// Takes away the capabilities that let root ignore file modes, for this thread and every thread
// it starts later.
void DropFileModeOverride() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return;
  for (const int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH}) {
    data[cap / 32].effective &= ~(1u << (cap % 32));
  }
  syscall(SYS_capset, &header, data);
}

}  // namespace
}  // namespace regsweep

int main(int argc, char** argv) {
  regsweep::DropFileModeOverride();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
