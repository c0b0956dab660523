// Tests for hashing large blobs through a mapping: the digest equals that of the bytes, a file
// that is shorter than its mapping (it shrank while mapped) is a failure and not a SIGBUS, and a
// large corrupt layer is still found and confirmed by audit.
#include "audit/check/mapped_digest.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "audit/check/blob_hasher.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/layout.h"
#include "tests/audit/audit_fixture.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;

struct EvpContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// Bytes that differ at every position a window boundary could fall on.
std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 2654435761U) >> 13);
  return bytes;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path.string(), std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class MappedDigestTest : public ::testing::Test {
 protected:
  std::unique_ptr<EVP_MD_CTX, EvpContextFree> NewSha256() {
    std::unique_ptr<EVP_MD_CTX, EvpContextFree> context(EVP_MD_CTX_new());
    EXPECT_EQ(EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr), 1);
    return context;
  }
  static Digest Finish(EVP_MD_CTX* context) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context, out, &length);
    return Digest::FromBytes(DigestAlgorithm::kSha256, out);
  }

  testing::TempDir dir_;
};

TEST_F(MappedDigestTest, DigestOfSeveralWindowsEqualsDigestOfTheBytes) {
  const std::string bytes = Pattern((size_t{40} << 20) + 12345);  // 2 full windows and a part
  const fs::path path = dir_.path() / "data";
  WriteFile(path, bytes);
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto context = NewSha256();
  std::atomic<uint64_t> progress{0};
  ASSERT_TRUE(DigestMappedFile(fd.get(), bytes.size(), context.get(), &progress));
  EXPECT_EQ(Finish(context.get()), HashBytes(DigestAlgorithm::kSha256, bytes));
  EXPECT_EQ(progress.load(), bytes.size());
}

TEST_F(MappedDigestTest, FileShorterThanItsMappingFailsInsteadOfRaisingSigbus) {
  const fs::path path = dir_.path() / "data";
  WriteFile(path, Pattern(size_t{20} << 20));
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  // As if another process truncated the blob after audit took its size.
  ASSERT_EQ(truncate(path.c_str(), off_t{4096} * 3), 0);
  auto context = NewSha256();
  EXPECT_FALSE(DigestMappedFile(fd.get(), size_t{20} << 20, context.get(), nullptr));
  // The guard is per call: the thread hashes the next mapping normally.
  const std::string bytes = Pattern(size_t{3} << 20);
  WriteFile(dir_.path() / "other", bytes);
  const UniqueFd other(open((dir_.path() / "other").c_str(), O_RDONLY | O_CLOEXEC));
  auto fresh = NewSha256();
  ASSERT_TRUE(DigestMappedFile(other.get(), bytes.size(), fresh.get(), nullptr));
  EXPECT_EQ(Finish(fresh.get()), HashBytes(DigestAlgorithm::kSha256, bytes));
}

TEST_F(MappedDigestTest, SigbusOutsideAGuardedMappingKeepsItsDefaultAction) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // TBB's threads may be running
  const fs::path path = dir_.path() / "data";
  WriteFile(path, Pattern(size_t{2} << 20));
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto context = NewSha256();
  ASSERT_TRUE(DigestMappedFile(fd.get(), size_t{2} << 20, context.get(), nullptr));  // installs
  EXPECT_EXIT(raise(SIGBUS), ::testing::KilledBySignal(SIGBUS), "");
}

class LargeBlobAuditTest : public testing::AuditTest {};

TEST_F(LargeBlobAuditTest, LargeLayerIsHashedAndItsCorruptionConfirmed) {
  const std::string large = Pattern(size_t{5} << 20);
  const Digest layer = HashBytes(DigestAlgorithm::kSha256, large);
  builder_.Tag("apps/big", "1", builder_.PushImage("apps/big", {large, "small"}).digest);
  AuditOptions verify;
  verify.verify_data = true;
  const AuditOutcome clean = AuditReadOnly(verify);
  EXPECT_TRUE(Clean(clean)) << Describe(clean);
  EXPECT_EQ(clean.verify.bytes_hashed, clean.counts.blob_bytes);

  // One byte changed past the first mapping window's first page.
  std::fstream file((builder_.v2() / layout::BlobData(layer)).string(),
                    std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(large.size() - 7));
  file.put(static_cast<char>(large[large.size() - 7] ^ 1));
  file.close();
  const AuditOutcome outcome = AuditReadOnly(verify);
  const Finding* finding = Find(outcome, "blob_digest_mismatch", layout::BlobData(layer));
  ASSERT_NE(finding, nullptr) << Describe(outcome);
  EXPECT_NE(finding->reason.find("confirmed by a second read"), std::string::npos);
  EXPECT_NE(finding->reason.find("(" + std::to_string(large.size()) + " bytes)"), std::string::npos)
      << finding->reason;
}

}  // namespace
}  // namespace regsweep::audit
