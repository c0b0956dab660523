// Tests for the scanner: what it records from a real tree, and what it reports as findings.
#include "core/scan.h"
#include "core/timestamps.h"
#include "core/tree_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "core/blob_scan.h"
#include "core/distribution_layout.h"
#include "core/fs.h"
#include "core/hash.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::RegistryBuilder;
using testing::TempDir;

class ScanTest : public ::testing::Test {
 protected:
  ScanTest() : builder_(dir_.path()) {}

  // Scans the built registry, through `reader` when given.
  Inventory Scan(TreeReader* reader = nullptr, bool read_all_links = false,
                 bool list_tag_folders = false) {
    const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
    ScanOptions options;
    options.reader = reader;
    options.read_all_links = read_all_links;
    options.list_tag_folders = list_tag_folders;
    return ScanRegistry(v2, options);
  }

  static const RepositoryRecord* FindRepo(const Inventory& inv, const std::string& name) {
    for (const auto& repo : inv.repositories) {
      if (repo.name == name) return &repo;
    }
    return nullptr;
  }

  static const Finding* FindFinding(const Inventory& inv, const std::string& kind,
                                    const std::string& path_part) {
    for (const auto& f : inv.findings) {
      if (f.kind == kind && f.path.find(path_part) != std::string::npos) return &f;
    }
    return nullptr;
  }

  TempDir dir_;
  RegistryBuilder builder_;
};

TEST_F(ScanTest, RecordsBlobsRepositoriesTagsAndUploads) {
  const auto image = builder_.PushImage("team/a/svc", {"layer-1", "layer-2"});
  builder_.Tag("team/a/svc", "v1", image.digest);
  builder_.PushImage("team", {"layer-1"});
  builder_.AddUpload("team/a/svc", "0b7f6a3e-6b0e", "2024-01-02T03:04:05.5Z", "partial");

  const Inventory inv = Scan();
  EXPECT_TRUE(std::none_of(inv.findings.begin(), inv.findings.end(), [](const Finding& f) {
    return f.severity != Severity::kInfo;
  })) << inv.findings.front().ToLine();
  // layer-1 shared, layer-2, two configs, two manifests.
  EXPECT_EQ(inv.blobs.size(), 6u);
  EXPECT_TRUE(std::is_sorted(inv.blobs.begin(), inv.blobs.end(),
                             [](const auto& a, const auto& b) { return a.digest < b.digest; }));
  const auto layer = HashBytes(DigestAlgorithm::kSha256, "layer-2");
  const auto it = std::find_if(inv.blobs.begin(), inv.blobs.end(),
                               [&](const BlobRecord& b) { return b.digest == layer; });
  ASSERT_NE(it, inv.blobs.end());
  EXPECT_TRUE(it->has_data);
  EXPECT_EQ(inv.Facts(*it).size, 7u);
  EXPECT_NE(inv.Facts(*it).inode, 0u);
  EXPECT_GT(inv.Facts(*it).mtime_ns, 0);
  // Sorting the blobs by digest keeps each one's facts: every size and inode is its own file's.
  for (const BlobRecord& blob : inv.blobs) {
    struct stat st;
    const std::string data = (builder_.v2() / DefaultLayout().BlobData(blob.digest)).string();
    ASSERT_EQ(lstat(data.c_str(), &st), 0) << data;
    EXPECT_EQ(inv.Facts(blob).size, static_cast<uint64_t>(st.st_size)) << data;
    EXPECT_EQ(inv.Facts(blob).inode, st.st_ino) << data;
  }

  ASSERT_EQ(inv.repositories.size(), 2u);
  const RepositoryRecord* svc = FindRepo(inv, "team/a/svc");
  ASSERT_NE(svc, nullptr);
  EXPECT_TRUE(svc->valid_name);
  EXPECT_FALSE(svc->incomplete);
  EXPECT_EQ(svc->layer_links.size(), 3u);
  ASSERT_EQ(svc->revisions.size(), 1u);
  EXPECT_EQ(svc->revisions[0].digest, image.digest);
  EXPECT_EQ(svc->revisions[0].link, LinkState::kOk);
  ASSERT_EQ(svc->tags.size(), 1u);
  EXPECT_EQ(svc->tags[0].name, "v1");
  EXPECT_EQ(svc->tags[0].current, image.digest);
  EXPECT_EQ(svc->tags[0].index_entries.size(), 1u);
  ASSERT_EQ(svc->uploads.size(), 1u);
  EXPECT_EQ(svc->uploads[0].size, 7u);
  EXPECT_EQ(svc->uploads[0].started_ns, 1704164645500000000);
  EXPECT_NE(FindRepo(inv, "team"), nullptr);
}

TEST_F(ScanTest, BadLinksMakeTheRepositoryIncomplete) {
  const auto image = builder_.PushImage("a", {"l"});
  const auto other = builder_.AddBlob("other");
  const std::string revision = distribution::RevisionDir("a", image.digest) + "/link";
  for (const std::string& content :
       {std::string("sha256:../../x"), image.digest.ToString() + "\n", std::string(""),
        other.digest.ToString(), std::string(10000, 'a'), std::string("sha256:\0abc", 11)}) {
    builder_.WriteFile(revision, content);
    const Inventory inv = Scan();
    const RepositoryRecord* repo = FindRepo(inv, "a");
    ASSERT_NE(repo, nullptr);
    EXPECT_TRUE(repo->incomplete) << content;
    const Finding* finding = FindFinding(inv, "bad_link", revision);
    ASSERT_NE(finding, nullptr) << content;
    EXPECT_EQ(finding->severity, Severity::kError);
    EXPECT_EQ(finding->repository, "a");
  }
  builder_.WriteFile(revision, other.digest.ToString());
  const Inventory inv = Scan();
  ASSERT_TRUE(FindRepo(inv, "a")->revisions[0].other_target);
  EXPECT_EQ(*FindRepo(inv, "a")->revisions[0].other_target, other.digest);
}

TEST_F(ScanTest, SymlinksAreReportedAndNeverFollowed) {
  TempDir outside;
  RegistryBuilder elsewhere(outside.path());
  const auto foreign = elsewhere.PushImage("evil", {"secret"});
  builder_.PushImage("a", {"l"});
  // A repository that is a symlink to another registry's repository, a link file that is a
  // symlink, and a blob shard that is a symlink.
  ASSERT_EQ(symlink((elsewhere.v2() / "repositories" / "evil").c_str(),
                    (builder_.v2() / "repositories" / "evil").c_str()),
            0);
  const auto image = builder_.PushImage("b", {"m"});
  const std::string link = distribution::RevisionDir("b", image.digest) + "/link";
  boost::filesystem::remove(builder_.v2() / link);
  ASSERT_EQ(
      symlink((elsewhere.v2() / distribution::RevisionDir("evil", foreign.digest) / "link").c_str(),
              (builder_.v2() / link).c_str()),
      0);
  ASSERT_EQ(symlink((elsewhere.v2() / "blobs" / "sha256").c_str(),
                    (builder_.v2() / "blobs" / "sha512").c_str()),
            0);

  const Inventory inv = Scan();
  EXPECT_EQ(FindRepo(inv, "evil"), nullptr);
  EXPECT_NE(FindFinding(inv, "symlink", "repositories/evil"), nullptr);
  EXPECT_NE(FindFinding(inv, "symlink", link), nullptr);
  EXPECT_TRUE(FindRepo(inv, "b")->incomplete);
  EXPECT_NE(FindFinding(inv, "symlink", "blobs/sha512"), nullptr);
  for (const BlobRecord& blob : inv.blobs) EXPECT_FALSE(blob.digest == foreign.digest);
  // Every symlink is an error; those below repositories/ are recorded (no blob may be deleted).
  for (const Finding& finding : inv.findings) {
    if (finding.kind == "symlink") {
      EXPECT_EQ(finding.severity, Severity::kError) << finding.path;
    }
  }
  EXPECT_EQ(inv.repository_symlinks, (std::vector<std::string>{link, "repositories/evil"}));
}

TEST_F(ScanTest, SpecialFilesAreNeverOpened) {
  const auto image = builder_.PushImage("a", {"l"});
  const std::string link = distribution::RevisionDir("a", image.digest) + "/link";
  boost::filesystem::remove(builder_.v2() / link);
  ASSERT_EQ(mkfifo((builder_.v2() / link).c_str(), 0644), 0);
  const std::string data = distribution::BlobData(HashBytes(DigestAlgorithm::kSha256, "l"));
  boost::filesystem::remove(builder_.v2() / data);
  ASSERT_EQ(mkfifo((builder_.v2() / data).c_str(), 0644), 0);
  const Inventory inv = Scan();  // would hang if a FIFO were opened for reading
  const Finding* bad = FindFinding(inv, "bad_link", link);
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->reason.find("not a regular file"), std::string::npos);
  EXPECT_NE(FindFinding(inv, "bad_blob", data), nullptr);
}

TEST_F(ScanTest, BlobDataIsExaminedOnlyWhenAsked) {
  const Blob kept = builder_.AddBlob("kept layer");
  const Blob candidate = builder_.AddBlob("candidate");
  const Blob fifo = builder_.AddBlob("fifo");
  const std::string fifo_data = distribution::BlobData(fifo.digest);
  boost::filesystem::remove(builder_.v2() / fifo_data);
  ASSERT_EQ(mkfifo((builder_.v2() / fifo_data).c_str(), 0644), 0);

  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  ScanOptions options;
  options.stat_blob_data = false;
  Inventory inv = ScanRegistry(v2, options);
  ASSERT_EQ(inv.blobs.size(), 3u);
  for (const BlobRecord& blob : inv.blobs) {
    EXPECT_FALSE(blob.data_known);
    EXPECT_EQ(blob.facts, BlobRecord::kNoFacts) << "no room taken for facts never examined";
    EXPECT_EQ(inv.Facts(blob).size, 0u);
  }
  EXPECT_TRUE(inv.blob_facts.empty());
  EXPECT_EQ(FindFinding(inv, "bad_blob", fifo_data), nullptr) << "not examined, not reported";

  auto index_of = [&](const Digest& digest) {
    for (uint32_t i = 0; i < inv.blobs.size(); ++i) {
      if (inv.blobs[i].digest == digest) return i;
    }
    return uint32_t(~0u);
  };
  StatBlobData(v2, {index_of(candidate.digest), index_of(fifo.digest)}, &inv);
  const BlobRecord& examined = inv.blobs[index_of(candidate.digest)];
  EXPECT_TRUE(examined.data_known);
  EXPECT_TRUE(examined.has_data);
  EXPECT_EQ(inv.Facts(examined).size, candidate.size);
  EXPECT_GT(inv.Facts(examined).mtime_ns, 0);
  EXPECT_EQ(inv.blob_facts.size(), 2u) << "facts for the two blobs examined alone";
  EXPECT_TRUE(inv.blobs[index_of(fifo.digest)].data_known);
  EXPECT_FALSE(inv.blobs[index_of(fifo.digest)].has_data);
  EXPECT_NE(FindFinding(inv, "bad_blob", fifo_data), nullptr);
  EXPECT_FALSE(inv.blobs[index_of(kept.digest)].data_known) << "only the blobs asked for";
}

TEST_F(ScanTest, UnexpectedEntriesAndInvalidNames) {
  builder_.PushImage("Bad_Name", {"l"});
  builder_.WriteFile("repositories/a/_manifests/stray", "x");
  builder_.WriteFile("repositories/a/_layers/sha256/nothex/link", "x");
  builder_.WriteFile("repositories/a/_layers/md5/abc/link", "x");
  builder_.WriteFile("blobs/sha256/zz/file", "x");
  builder_.WriteFile("repositories/a/_manifests/tags/.hidden/current/link", "x");
  const Inventory inv = Scan();
  const RepositoryRecord* bad = FindRepo(inv, "Bad_Name");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->valid_name);
  EXPECT_NE(FindFinding(inv, "invalid_repository_name", "Bad_Name"), nullptr);
  EXPECT_NE(FindFinding(inv, "unexpected_entry", "_manifests/stray"), nullptr);
  EXPECT_NE(FindFinding(inv, "bad_digest_folder", "_layers/sha256/nothex"), nullptr);
  EXPECT_NE(FindFinding(inv, "unknown_algorithm", "_layers/md5"), nullptr);
  EXPECT_NE(FindFinding(inv, "unexpected_entry", "blobs/sha256/zz"), nullptr);
  EXPECT_NE(FindFinding(inv, "invalid_tag", "tags/.hidden"), nullptr);
}

// Only audit --tag-strays (list_tag_folders) lists each tag's folder and its index to report
// what the registry never writes there. gc and a plain audit reach the index at `index/<alg>`
// and read the same links; a plain audit also reads every index link and judges it.
TEST_F(ScanTest, StrayEntriesOfATagAreReportedByAuditWithTagStraysOnly) {
  const auto image = builder_.PushImage("a", {"l"});
  builder_.Tag("a", "v1", image.digest);
  builder_.WriteFile("repositories/a/_manifests/tags/v1/notes.txt", "x");
  builder_.WriteFile("repositories/a/_manifests/tags/v1/index/stray", "x");
  builder_.WriteFile("repositories/a/_manifests/tags/v1/index/md5/abc/link", "x");
  // A history entry whose link names another digest than its folder.
  const Digest other = HashBytes(DigestAlgorithm::kSha256, "other");
  builder_.WriteFile(distribution::TagIndexEntryDir("a", "v1", other) + "/link",
                     image.digest.ToString());
  struct Mode {
    const char* name;
    bool read_all_links;
    bool list_tag_folders;
  };
  for (const Mode mode : {Mode{"gc", false, false}, Mode{"audit", true, false},
                          Mode{"audit --tag-strays", true, true}}) {
    SCOPED_TRACE(mode.name);
    const Inventory inv = Scan(nullptr, mode.read_all_links, mode.list_tag_folders);
    const bool strays = mode.list_tag_folders;
    EXPECT_EQ(FindFinding(inv, "unexpected_entry", "tags/v1/notes.txt") != nullptr, strays);
    EXPECT_EQ(FindFinding(inv, "unexpected_entry", "tags/v1/index/stray") != nullptr, strays);
    EXPECT_EQ(FindFinding(inv, "unknown_algorithm", "tags/v1/index/md5") != nullptr, strays);
    EXPECT_EQ(FindFinding(inv, "bad_link", "tags/v1/index/sha256/" + other.Hex()) != nullptr,
              mode.read_all_links);
    const RepositoryRecord* repo = FindRepo(inv, "a");
    ASSERT_NE(repo, nullptr);
    ASSERT_EQ(repo->tags.size(), 1u);
    EXPECT_EQ(repo->tags[0].current, image.digest);
    // gc takes the history by its folders' names; audit keeps only entries with a good link.
    std::vector<Digest> expected{image.digest};
    if (!mode.read_all_links) expected.push_back(other);
    std::vector<Digest> entries = repo->tags[0].index_entries;
    std::sort(entries.begin(), entries.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(entries, expected);
  }
}

TEST(ScanParsersTest, Rfc3339) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01Z"), 1000000000);
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseRfc3339("2024-01-02T03:04:05.123456789Z\n"), 1704164645123456789);
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2024-01-02T03:04:05"));
  EXPECT_FALSE(ParseRfc3339("2999-01-01T00:00:00Z")) << "beyond 64-bit nanoseconds";
  EXPECT_FALSE(ParseRfc3339("2024-01-02T03:04:05+ab:cd"));
}

// A reader that vouches for a file's content exactly when it holds it (as an object store's
// listed MD5 does), and counts the small reads it is asked for.
class VouchingReader final : public TreeReader {
 public:
  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override {
    return real_.OpenFolder(at, relative, status);
  }
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override {
    return real_.List(folder, entries);
  }
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override {
    if (relative.find("/link") != std::string_view::npos) ++link_reads;
    return real_.ReadSmall(at, relative, max_bytes);
  }
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override {
    return real_.Stat(at, relative, status);
  }
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override {
    return real_.StatInChild(at, child, name, status);
  }
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override {
    return real_.OpenStream(at, relative, facts);
  }
  bool HoldsExactly(const Folder& at, std::string_view relative, std::string_view content,
                    int64_t* mtime_ns) override {
    ++vouch_asks;
    const SmallFile file = real_.ReadSmall(at, relative, 4096);
    if (file.status != ReadStatus::kOk || file.content != content) return false;
    *mtime_ns = file.mtime_ns;
    return true;
  }
  // Counted from the scan's parallel reads.
  std::atomic<int> link_reads{0};
  std::atomic<int> vouch_asks{0};

 private:
  PosixTreeReader real_;
};

// Revision links the storage vouches for are not read (on S3: no GET per manifest); one it
// does not vouch for (tampered) is read and judged as ever; audit (read_all_links) reads all.
TEST_F(ScanTest, RevisionLinksTheStorageVouchesForAreNotRead) {
  const auto one = builder_.PushImage("a", {"x"});
  const auto two = builder_.PushImage("a", {"y"});
  const auto other = builder_.AddBlob("other");
  VouchingReader reader;
  Inventory inv = Scan(&reader);
  EXPECT_EQ(reader.vouch_asks.load(), 2);
  EXPECT_EQ(reader.link_reads.load(), 0);
  ASSERT_EQ(FindRepo(inv, "a")->revisions.size(), 2u);
  for (const RevisionRecord& revision : FindRepo(inv, "a")->revisions) {
    EXPECT_EQ(revision.link, LinkState::kOk);
    EXPECT_GT(revision.mtime_ns, 0);
  }

  builder_.WriteFile(distribution::RevisionDir("a", two.digest) + "/link", other.digest.ToString());
  reader.link_reads = 0;
  inv = Scan(&reader);
  EXPECT_EQ(reader.link_reads.load(), 1);  // the tampered one only
  EXPECT_TRUE(FindRepo(inv, "a")->incomplete);
  EXPECT_NE(FindFinding(inv, "bad_link", distribution::RevisionDir("a", two.digest) + "/link"),
            nullptr);

  reader.link_reads = 0;
  reader.vouch_asks = 0;
  inv = Scan(&reader, /*read_all_links=*/true);
  EXPECT_EQ(reader.vouch_asks.load(), 0);
  EXPECT_GE(reader.link_reads.load(), 2);
  (void)one;
}

// gc reads each revision link's age (its grace period for untagged manifests); audit reads the
// links without it (no fstat each), and still judges every one: a link naming another digest,
// and one that is a symbolic link, are bad either way.
TEST_F(ScanTest, RevisionLinksAreReadWithoutTheirAgeWhenNotAsked) {
  const auto good = builder_.PushImage("a", {"x"});
  const auto tampered = builder_.PushImage("a", {"y"});
  const auto linked = builder_.PushImage("a", {"z"});
  const std::string tampered_link = distribution::RevisionDir("a", tampered.digest) + "/link";
  const std::string symlinked_link = distribution::RevisionDir("a", linked.digest) + "/link";
  builder_.WriteFile(tampered_link, good.digest.ToString());
  const boost::filesystem::path target = builder_.v2() / "elsewhere";
  builder_.WriteFile("elsewhere", linked.digest.ToString());
  boost::filesystem::remove(builder_.v2() / symlinked_link);
  ASSERT_EQ(symlink(target.c_str(), (builder_.v2() / symlinked_link).c_str()), 0);

  const Folder v2(UniqueFd(open(builder_.v2().c_str(), O_RDONLY | O_DIRECTORY)));
  for (const bool ages : {true, false}) {
    ScanOptions options;
    options.read_all_links = true;
    options.revision_ages = ages;
    const Inventory inv = ScanRegistry(v2, options);
    const RepositoryRecord* repo = FindRepo(inv, "a");
    ASSERT_NE(repo, nullptr);
    ASSERT_EQ(repo->revisions.size(), 3u);
    for (const RevisionRecord& revision : repo->revisions) {
      if (revision.digest == good.digest) {
        EXPECT_EQ(revision.link, LinkState::kOk);
        if (ages) {
          EXPECT_GT(revision.mtime_ns, 0);
        } else {
          EXPECT_EQ(revision.mtime_ns, 0) << "its age was not read";
        }
      } else {
        EXPECT_EQ(revision.link, LinkState::kBad) << revision.digest.ToString() << " ages " << ages;
      }
    }
    EXPECT_NE(FindFinding(inv, "bad_link", tampered_link), nullptr) << "ages " << ages;
    EXPECT_NE(FindFinding(inv, "symlink", symlinked_link), nullptr) << "ages " << ages;
    EXPECT_TRUE(repo->incomplete);
  }
}

// A tag's current link the storage vouches for as one of the tag's index digests is not read
// (on S3: no GET per tag); one naming a digest outside the index, or malformed, is read and
// judged as ever.
TEST_F(ScanTest, TagLinksTheStorageVouchesForAreNotRead) {
  const auto one = builder_.PushImage("a", {"x"});
  const auto two = builder_.PushImage("a", {"y"});
  builder_.Tag("a", "moved", one.digest);
  builder_.Tag("a", "moved", two.digest);
  builder_.Tag("a", "still", one.digest);
  VouchingReader reader;
  Inventory inv = Scan(&reader);
  EXPECT_EQ(reader.link_reads.load(), 0);
  auto current = [&](const Inventory& inventory, const std::string& name) -> const TagRecord* {
    for (const TagRecord& tag : FindRepo(inventory, "a")->tags) {
      if (tag.name == name) return &tag;
    }
    return nullptr;
  };
  ASSERT_NE(current(inv, "moved"), nullptr);
  EXPECT_EQ(current(inv, "moved")->current_state, LinkState::kOk);
  EXPECT_EQ(current(inv, "moved")->current, two.digest);
  EXPECT_GT(current(inv, "moved")->mtime_ns, 0);
  EXPECT_EQ(current(inv, "still")->current, one.digest);

  // Outside the index: read, and followed (the registry serves what the link says).
  const auto other = builder_.PushImage("a", {"z"});
  builder_.WriteFile(distribution::RepositoryDir("a") + "/_manifests/tags/still/current/link",
                     other.digest.ToString());
  builder_.WriteFile(distribution::RepositoryDir("a") + "/_manifests/tags/moved/current/link",
                     "sha256:not-a-digest");
  reader.link_reads = 0;
  inv = Scan(&reader);
  EXPECT_EQ(reader.link_reads.load(), 2);
  EXPECT_EQ(current(inv, "still")->current_state, LinkState::kOk);
  EXPECT_EQ(current(inv, "still")->current, other.digest);
  EXPECT_EQ(current(inv, "moved")->current_state, LinkState::kBad);
  EXPECT_NE(FindFinding(inv, "bad_link",
                        distribution::RepositoryDir("a") + "/_manifests/tags/moved/current/link"),
            nullptr);
}

}  // namespace
}  // namespace regsweep
