// Hostile and broken input: each case builds a registry holding a healthy tagged image and one
// bad thing, runs a real gc with --delete-untagged over it, and checks that the run reports
// the right finding kind naming the right path, exits as documented, leaves the healthy image
// servable, and reads or changes nothing outside the root (an outside tree with symlinks
// pointing into it stays byte for byte the same). docs/safety.md lists what each case gets.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "audit/check/audit_run.h"
#include "audit/usage/report.h"
#include "audit/usage/usage_run.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/agreement.h"
#include "tests/testing/consistency.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::ListTree;
using testing::OrphansDisagreeWithGc;
using testing::RegistryBuilder;
using testing::TempDir;

namespace fs = boost::filesystem;

// Everything a case needs: the registry, the outside tree, and the manifest of the bad repo.
struct Scene {
  RegistryBuilder& registry;
  RegistryBuilder& outside;
  Blob bad_manifest;  // an untagged image in repository "bad"
};

struct Case {
  const char* name;
  std::function<std::string(Scene&)> damage;  // returns the path the finding must name
  const char* kind;
  int exit_code;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

void Symlink(const fs::path& target, const fs::path& link) {
  fs::create_directories(link.parent_path());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;
}

std::string ReplaceRevisionLink(Scene& s, const std::string& content) {
  std::string path = distribution::RevisionDir("bad", s.bad_manifest.digest) + "/link";
  s.registry.WriteFile(path, content);
  return path;
}

std::string ReplaceManifest(Scene& s, const std::string& content) {
  // A manifest stored correctly (its bytes hash to its digest), linked in "bad".
  const Blob blob = s.registry.PutManifest("bad", content);
  return distribution::BlobData(blob.digest);
}

const Case kCases[] = {
    {"link_dot_dot", [](Scene& s) { return ReplaceRevisionLink(s, "sha256:../../../etc"); },
     "bad_link", 1},
    {"link_absolute_path", [](Scene& s) { return ReplaceRevisionLink(s, "/etc/passwd"); },
     "bad_link", 1},
    {"link_10MB", [](Scene& s) { return ReplaceRevisionLink(s, std::string(10 << 20, 'a')); },
     "bad_link", 1},
    {"link_nul_bytes",
     [](Scene& s) {
       std::string text = s.bad_manifest.digest.ToString();
       text[10] = '\0';
       return ReplaceRevisionLink(s, text);
     },
     "bad_link", 1},
    {"link_upper_case_hex",
     [](Scene& s) {
       std::string text = s.bad_manifest.digest.ToString();
       for (size_t i = 7; i < text.size(); ++i) text[i] = static_cast<char>(toupper(text[i]));
       return ReplaceRevisionLink(s, text);
     },
     "bad_link", 1},
    {"link_whitespace",
     [](Scene& s) { return ReplaceRevisionLink(s, " " + s.bad_manifest.digest.ToString() + "\n"); },
     "bad_link", 1},
    {"link_unknown_algorithm",
     [](Scene& s) { return ReplaceRevisionLink(s, "md5:d41d8cd98f00b204e9800998ecf8427e"); },
     "bad_link", 1},
    {"link_is_fifo",
     [](Scene& s) {
       std::string path = distribution::RevisionDir("bad", s.bad_manifest.digest) + "/link";
       fs::remove(s.registry.v2() / path);
       EXPECT_EQ(mkfifo((s.registry.v2() / path).c_str(), 0644), 0);
       return path;
     },
     "bad_link", 1},
    {"link_is_socket",
     [](Scene& s) {
       std::string path = distribution::RevisionDir("bad", s.bad_manifest.digest) + "/link";
       fs::remove(s.registry.v2() / path);
       const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
       sockaddr_un address{};
       address.sun_family = AF_UNIX;
       const std::string full = (s.registry.v2() / path).string();
       if (full.size() < sizeof address.sun_path) {
         std::copy(full.begin(), full.end(), address.sun_path);
         EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
       } else {  // path too long for a socket: a FIFO plays the same part
         EXPECT_EQ(mkfifo(full.c_str(), 0644), 0);
       }
       close(fd);
       return path;
     },
     "bad_link", 1},
    {"link_symlink_outside",
     [](Scene& s) {
       std::string path = distribution::RevisionDir("bad", s.bad_manifest.digest) + "/link";
       fs::remove(s.registry.v2() / path);
       s.outside.WriteFile("secret-link", s.bad_manifest.digest.ToString());
       Symlink(s.outside.v2() / "secret-link", s.registry.v2() / path);
       return path;
     },
     "symlink", 1},
    {"blob_data_symlink_outside",
     [](Scene& s) {
       std::string path = distribution::BlobData(s.bad_manifest.digest);
       fs::remove(s.registry.v2() / path);
       s.outside.WriteFile("secret", "do not read");
       Symlink(s.outside.v2() / "secret", s.registry.v2() / path);
       return path;
     },
     "bad_blob", 1},
    {"blob_data_fifo",
     [](Scene& s) {
       std::string path = distribution::BlobData(s.bad_manifest.digest);
       fs::remove(s.registry.v2() / path);
       EXPECT_EQ(mkfifo((s.registry.v2() / path).c_str(), 0644), 0);
       return path;
     },
     "bad_blob", 1},
    {"repository_symlink_to_outside_folder",
     [](Scene& s) {
       s.outside.PushImage("victim", {"victim-layer"});
       Symlink(s.outside.v2() / "repositories" / "victim", s.registry.v2() / "repositories/evil");
       return std::string("repositories/evil");
     },
     "symlink", 1},
    {"symlink_loop",
     [](Scene& s) {
       Symlink("loop-b", s.registry.v2() / "repositories/loop-a");
       Symlink("loop-a", s.registry.v2() / "repositories/loop-b");
       return std::string("repositories/loop-a");
     },
     "symlink", 1},
    {"shard_symlink_outside",
     [](Scene& s) {
       s.outside.AddBlob("outside-blob");
       Symlink(s.outside.v2() / "blobs" / "sha256", s.registry.v2() / "blobs" / "sha512");
       return std::string("blobs/sha512");
     },
     "symlink", 1},
    {"revision_of_unknown_algorithm",
     [](Scene& s) {
       // A manifest regsweep cannot verify: what it uses is unknown, so "bad" is kept whole.
       const std::string hex(96, 'a');
       s.registry.WriteFile(
           distribution::RepositoryDir("bad") + "/_manifests/revisions/sha384/" + hex + "/link",
           "sha384:" + hex);
       return distribution::RepositoryDir("bad") + "/_manifests/revisions/sha384";
     },
     "unknown_algorithm", 1},
    {"manifest_empty", [](Scene& s) { return ReplaceManifest(s, ""); }, "repository_kept_whole", 1},
    {"manifest_not_json", [](Scene& s) { return ReplaceManifest(s, "<html>"); },
     "repository_kept_whole", 1},
    {"manifest_deeply_nested",
     [](Scene& s) {
       return ReplaceManifest(s, "{\"schemaVersion\":2,\"a\":" + std::string(5000, '['));
     },
     "repository_kept_whole", 1},
    {"manifest_100MB",
     [](Scene& s) {
       std::string path = distribution::BlobData(s.bad_manifest.digest);
       EXPECT_EQ(truncate((s.registry.v2() / path).c_str(), 100 << 20), 0);
       return path;
     },
     "repository_kept_whole", 1},
    {"manifest_invalid_utf8",
     [](Scene& s) {
       return ReplaceManifest(s,
                              "{\"schemaVersion\":2,\"mediaType\":\"\xff\xfe\",\"manifests\":[]}");
     },
     "repository_kept_whole", 1},
    {"manifest_negative_size",
     [](Scene& s) {
       return ReplaceManifest(s, "{\"schemaVersion\":2,\"config\":{\"digest\":\"" +
                                     s.bad_manifest.digest.ToString() + "\",\"size\":-1}}");
     },
     "repository_kept_whole", 1},
    {"manifest_huge_size",
     [](Scene& s) {
       return ReplaceManifest(s, "{\"schemaVersion\":2,\"config\":{\"digest\":\"" +
                                     s.bad_manifest.digest.ToString() +
                                     "\",\"size\":99999999999999999999999}}");
     },
     "repository_kept_whole", 1},
    {"manifest_tampered",
     [](Scene& s) {
       std::string path = distribution::BlobData(s.bad_manifest.digest);
       s.registry.WriteFile(path, "{\"schemaVersion\":2,\"manifests\":[]}");
       return path;
     },
     "repository_kept_whole", 1},
    {"repository_name_upper_case",
     [](Scene& s) {
       s.registry.PushImage("Upper/Case", {"u"});
       return std::string("repositories/Upper/Case");
     },
     "invalid_repository_name", 1},
    {"repository_name_with_newline",
     [](Scene& s) {
       s.registry.PushImage("a\nb", {"n"});
       return std::string("repositories/a\nb");
     },
     "invalid_repository_name", 1},
    {"repository_name_with_terminal_escape",
     [](Scene& s) {
       s.registry.PushImage("e\x1b[2Jx", {"e"});
       return std::string("repositories/e\x1b[2Jx");
     },
     "invalid_repository_name", 1},
    {"reserved_looking_folder",
     [](Scene& s) {
       s.registry.WriteFile("repositories/bad/_secrets/x", "x");
       return std::string("repositories/bad/_secrets");
     },
     "unexpected_entry", 0},
    {"tag_name_with_newline",
     [](Scene& s) {
       s.registry.Tag("bad", "t\nx", s.bad_manifest.digest);
       return std::string("repositories/bad/_manifests/tags/t\nx");
     },
     "invalid_tag", 0},
    {"tag_name_with_terminal_escape",
     [](Scene& s) {
       s.registry.Tag("bad", "t\x1b]0;owned\x07", s.bad_manifest.digest);
       return std::string("repositories/bad/_manifests/tags/t\x1b]0;owned\x07");
     },
     "invalid_tag", 0},
};

bool HasControlByte(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
  });
}

class HostileInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(HostileInputTest, ReportedContainedAndHarmless) {
  const Case& c = GetParam();
  TempDir dir(/*in_memory=*/true);
  RegistryBuilder registry(dir.path() / "registry");
  RegistryBuilder outside(dir.path() / "outside");
  outside.PushImage("precious", {"precious-layer"});
  const Blob healthy = registry.PushImage("good", {"good-layer"});
  registry.Tag("good", "v1", healthy.digest);
  Scene scene{registry, outside, registry.PushImage("bad", {"bad-layer"})};
  const std::string path = c.damage(scene);
  const std::vector<std::string> outside_before = ListTree(outside.v2().string());
  EXPECT_EQ(OrphansDisagreeWithGc(registry.root().string()), "");

  GcOptions options;
  options.root = registry.root().string();
  options.policy.delete_untagged = true;
  options.policy.min_age_ns = 0;
  options.policy.prune_empty_repositories = true;
  const GcOutcome outcome = RunGc(options);

  const std::string report = GcTextReport(outcome, true);
  EXPECT_EQ(outcome.exit_code, c.exit_code) << report;
  const bool named =
      std::any_of(outcome.problems.begin(), outcome.problems.end(), [&](const Finding& f) {
        return f.kind == c.kind && (f.path.find(path) == 0 || path.find(f.path) == 0 ||
                                    f.reason.find(path) != std::string::npos ||
                                    c.kind == std::string("repository_kept_whole"));
      });
  EXPECT_TRUE(named) << "expected " << c.kind << " naming " << path << "\n" << report;

  // A name from disk reaches no text report raw: its control bytes are written \xNN, so it can
  // neither forge a line nor send a terminal escape. The usage report names repositories, tags
  // and the holders of its largest blobs.
  usage::UsageOptions usage_options;
  usage_options.root = registry.root().string();
  usage_options.top_blobs = 20;
  usage::ReportOptions with_tags;
  with_tags.tags = true;
  const std::string usage_text = usage::TextReport(usage::RunUsage(usage_options), with_tags);
  const std::string hostile_name = path.substr(path.rfind('/') + 1);
  for (const std::string* text : {&report, &usage_text}) {
    EXPECT_EQ(text->find('\x1b'), std::string::npos) << *text;
    if (HasControlByte(hostile_name)) {
      EXPECT_EQ(text->find(hostile_name), std::string::npos) << *text;
    }
  }
  EXPECT_EQ(ListTree(outside.v2().string()), outside_before) << "outside the root changed";
  EXPECT_TRUE(outside.Exists(
      distribution::BlobData(HashBytes(DigestAlgorithm::kSha256, "precious-layer"))));
  EXPECT_TRUE(registry.Exists(distribution::BlobData(healthy.digest)));
  EXPECT_TRUE(
      registry.Exists(distribution::BlobData(HashBytes(DigestAlgorithm::kSha256, "good-layer"))));
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileInputTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// Devices in place of a link file and of blob data: character devices /dev/null and /dev/zero
// (reading the second never ends, so a run that read it would hang), or block devices (loop
// devices). gc and a full audit with --verify-data must report both and use neither's bytes. A
// device in place of a `_layers` or revision link (which audit reads before checking its type,
// at most 73 bytes: from /dev/zero and /dev/null here) is reported as not a regular file all
// the same.
class DeviceTest : public ::testing::TestWithParam<mode_t> {};

TEST_P(DeviceTest, DevicesAreReportedAndTheirBytesNeverUsed) {
  const mode_t type = GetParam();
  const bool block = type == S_IFBLK;
  TempDir dir(/*in_memory=*/true);
  RegistryBuilder registry(dir.path() / "registry");
  const Blob image = registry.PushImage("dev", {"layer"});
  registry.Tag("dev", "v1", image.digest);
  const Blob other = registry.PushImage("dev2", {"other-layer"});
  const std::string link = distribution::RevisionDir("dev", image.digest) + "/link";
  const std::string data = distribution::BlobData(other.digest);
  fs::remove(registry.v2() / link);
  fs::remove(registry.v2() / data);
  if (mknod((registry.v2() / link).c_str(), type | 0644, block ? makedev(7, 0) : makedev(1, 3)) !=
      0) {
    GTEST_SKIP() << "mknod needs root: " << std::strerror(errno);
  }
  ASSERT_EQ(
      mknod((registry.v2() / data).c_str(), type | 0644, block ? makedev(7, 1) : makedev(1, 5)), 0);
  const std::string layer_link =
      distribution::LayerLinkDir("dev", HashBytes(DigestAlgorithm::kSha256, "layer")) + "/link";
  fs::remove(registry.v2() / layer_link);
  ASSERT_EQ(mknod((registry.v2() / layer_link).c_str(), type | 0644,
                  block ? makedev(7, 2) : makedev(1, 5)),
            0);
  EXPECT_EQ(OrphansDisagreeWithGc(registry.root().string()), "");

  GcOptions gc;
  gc.root = registry.root().string();
  gc.policy.delete_untagged = true;
  gc.policy.min_age_ns = 0;
  const GcOutcome collected = RunGc(gc);
  EXPECT_EQ(collected.exit_code, 1) << GcTextReport(collected, true);
  auto has = [](const Findings& findings, const std::string& kind, const std::string& path) {
    return std::any_of(findings.begin(), findings.end(),
                       [&](const Finding& f) { return f.kind == kind && f.path == path; });
  };
  EXPECT_TRUE(has(collected.problems, "bad_link", link)) << GcTextReport(collected, true);
  EXPECT_TRUE(has(collected.problems, "bad_blob", data)) << GcTextReport(collected, true);
  EXPECT_TRUE(registry.Exists(distribution::BlobData(image.digest))) << "kept whole";

  audit::AuditOptions options;
  options.root = registry.root().string();
  options.verify_data = true;
  const audit::AuditOutcome audited = audit::RunAudit(options);
  EXPECT_EQ(audited.exit_code, 1);
  for (const std::string& read_first : {link, layer_link}) {
    const auto finding = std::find_if(
        audited.findings.begin(), audited.findings.end(),
        [&](const Finding& f) { return f.kind == "bad_link" && f.path == read_first; });
    ASSERT_NE(finding, audited.findings.end()) << read_first;
    EXPECT_EQ(finding->reason, "link file is not a regular file") << read_first;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, DeviceTest, ::testing::Values(S_IFCHR, S_IFBLK),
                         [](const auto& param_info) {
                           return param_info.param == S_IFBLK ? "Block" : "Character";
                         });

TEST(HostileInputTest, HardLinkedBlobOnlyLosesItsOwnName) {
  TempDir dir(/*in_memory=*/true);
  RegistryBuilder registry(dir.path() / "registry");
  const Blob orphan = registry.AddBlob("orphan shared with a file outside");
  const fs::path outside = dir.path() / "outside-hardlink";
  ASSERT_EQ(link((registry.v2() / distribution::BlobData(orphan.digest)).c_str(), outside.c_str()),
            0);
  GcOptions options;
  options.root = registry.root().string();
  options.policy.min_age_ns = 0;
  EXPECT_EQ(RunGc(options).exit_code, 0);
  EXPECT_FALSE(registry.Exists(distribution::BlobDir(orphan.digest)));
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_EQ(fs::file_size(outside), orphan.size);
}

}  // namespace
}  // namespace regsweep
