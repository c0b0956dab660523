// audit's `orphan_blob` findings are exactly the blobs `gc --dry-run --min-age 0` deletes, on
// damaged trees whose damage decides what is collectable. (The hostile corpus, the symlink,
// permission, read-fault and fault-injection tests check the same agreement on every tree they
// build, through testing::OrphansDisagreeWithGc.)
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>

#include "core/distribution_layout.h"
#include "core/hash.h"
#include "tests/testing/agreement.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

using testing::Blob;
using testing::OrphansDisagreeWithGc;
using testing::RegistryBuilder;
using testing::TempDir;

namespace fs = boost::filesystem;

// A registry with something to collect everywhere: a tagged index of two images in "multi",
// an untagged image in "multi", a tagged image in "other", an orphan blob. `damage` breaks it.
struct Damage {
  const char* name;
  std::function<void(RegistryBuilder&, const Blob& index, const Blob& child)> apply;
};

void PrintTo(const Damage& d, std::ostream* os) { *os << d.name; }

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

const Damage kDamages[] = {
    {"none", [](RegistryBuilder&, const Blob&, const Blob&) {}},
    {"revision_link_names_another_digest",
     [](RegistryBuilder& r, const Blob&, const Blob& child) {
       const Blob other = r.PushImage("other", {"named-only-by-a-wrong-link"});
       r.WriteFile(distribution::RevisionDir("multi", child.digest) + "/link",
                   other.digest.ToString());
       fs::remove_all(r.v2() / distribution::RevisionDir("other", other.digest));
     }},
    {"index_child_missing",
     [](RegistryBuilder& r, const Blob&, const Blob& child) {
       fs::remove_all(r.v2() / distribution::BlobDir(child.digest));
     }},
    {"index_child_tampered",
     [](RegistryBuilder& r, const Blob&, const Blob& child) {
       r.WriteFile(distribution::BlobData(child.digest), "{\"schemaVersion\":2,\"layers\":[]}");
     }},
    {"index_child_unreadable_fifo",
     [](RegistryBuilder& r, const Blob&, const Blob& child) {
       fs::remove(r.v2() / distribution::BlobData(child.digest));
       ASSERT_EQ(mkfifo((r.v2() / distribution::BlobData(child.digest)).c_str(), 0644), 0);
     }},
    {"index_child_not_a_revision",
     [](RegistryBuilder& r, const Blob&, const Blob& child) {
       fs::remove_all(r.v2() / distribution::RevisionDir("multi", child.digest));
     }},
    {"bad_layer_link_in_a_repository_kept_whole",
     [](RegistryBuilder& r, const Blob& index, const Blob&) {
       // gc lists `_layers` without reading links; audit reads them. Kept whole, the repository
       // keeps the blob either way.
       r.WriteFile(distribution::LayerLinkDir("multi", Sha("untagged-layer")) + "/link", "garbage");
       r.WriteFile(distribution::BlobData(index.digest), "tampered");
     }},
    {"missing_layer_link_in_a_repository_kept_whole",
     [](RegistryBuilder& r, const Blob& index, const Blob&) {
       fs::remove(r.v2() / distribution::LayerLinkDir("multi", Sha("untagged-layer")) / "link");
       r.WriteFile(distribution::BlobData(index.digest), "tampered");
     }},
    {"blob_folder_without_data",
     [](RegistryBuilder& r, const Blob&, const Blob&) {
       fs::remove(r.v2() / distribution::BlobData(Sha("orphan")));
     }},
    {"blob_data_symlink",
     [](RegistryBuilder& r, const Blob&, const Blob&) {
       fs::remove(r.v2() / distribution::BlobData(Sha("orphan")));
       fs::create_symlink("/etc/hostname", r.v2() / distribution::BlobData(Sha("orphan")));
     }},
    {"tag_link_malformed",
     [](RegistryBuilder& r, const Blob&, const Blob&) {
       r.WriteFile(distribution::TagCurrentLink("other", "1.0"), "sha256:nope");
     }},
    {"repository_name_invalid",
     [](RegistryBuilder& r, const Blob&, const Blob&) { r.PushImage("Bad/Name", {"orphan"}); }},
};

class AgreementTest : public ::testing::TestWithParam<Damage> {};

TEST_P(AgreementTest, AuditOrphansAreWhatGcDeletes) {
  TempDir dir(/*in_memory=*/true);
  RegistryBuilder registry(dir.path() / "registry");
  const Blob amd64 = registry.PushImage("multi", {"amd64-layer"});
  const Blob arm64 = registry.PushImage("multi", {"arm64-layer"});
  const Blob index = registry.PushIndex("multi", {amd64, arm64});
  registry.Tag("multi", "v1", index.digest);
  registry.PushImage("multi", {"untagged-layer"});
  const Blob other = registry.PushImage("other", {"other-layer"});
  registry.Tag("other", "1.0", other.digest);
  registry.AddBlob("orphan");
  GetParam().apply(registry, index, amd64);
  EXPECT_EQ(OrphansDisagreeWithGc(registry.root().string()), "");
}

INSTANTIATE_TEST_SUITE_P(Damages, AgreementTest, ::testing::ValuesIn(kDamages),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace regsweep
