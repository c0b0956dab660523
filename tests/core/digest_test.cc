// Tests for strict digest parsing and formatting.
#include "core/digest.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "core/hash.h"

namespace regsweep {
namespace {

const std::string kEmptySha256 =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(DigestTest, ParsesAndFormatsSha256) {
  const auto digest = Digest::Parse(kEmptySha256);
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->algorithm(), DigestAlgorithm::kSha256);
  EXPECT_EQ(digest->size(), 32u);
  EXPECT_EQ(digest->ToString(), kEmptySha256);
  EXPECT_EQ(*digest, HashBytes(DigestAlgorithm::kSha256, ""));
}

TEST(DigestTest, ParsesSha512) {
  const Digest expected = HashBytes(DigestAlgorithm::kSha512, "abc");
  const auto digest = Digest::Parse(expected.ToString());
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->size(), 64u);
  EXPECT_EQ(digest->Hex().size(), 128u);
  EXPECT_EQ(*digest, expected);
}

TEST(DigestTest, RejectsWhatIsNotCanonical) {
  const std::string hex = kEmptySha256.substr(7);
  std::string upper = hex;
  upper[0] = 'E';
  for (const std::string& bad : {
           std::string("sha256:") + upper,       // upper case
           std::string("sha256:") + hex + "\n",  // trailing newline
           std::string("sha256:") + hex.substr(1),
           std::string("sha384:") + hex,
           std::string("sha256:../../") + hex.substr(6),
           std::string("sha256") + hex,
           std::string(""),
           std::string("sha256:"),
       }) {
    std::string why;
    EXPECT_FALSE(Digest::Parse(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(DigestTest, AlgorithmsDiffer) {
  const Digest a = HashBytes(DigestAlgorithm::kSha256, "x");
  Digest b = Digest::FromBytes(DigestAlgorithm::kSha512, a.bytes());
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a < b || b < a);
}

TEST(DigestTest, HashesSpread) {
  std::unordered_set<Digest, DigestHash> set;
  for (int i = 0; i < 1000; ++i) {
    set.insert(HashBytes(DigestAlgorithm::kSha256, std::to_string(i)));
  }
  EXPECT_EQ(set.size(), 1000u);
  EXPECT_EQ(set.count(HashBytes(DigestAlgorithm::kSha256, "7")), 1u);
}

}  // namespace
}  // namespace regsweep
