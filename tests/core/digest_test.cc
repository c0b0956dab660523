// Tests for strict digest parsing and formatting.
#include "core/digest.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <thread>
#include <unordered_set>
#include <vector>

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

TEST(DigestTest, PathsBelowAFolderAreTheHexAndTheSuffix) {
  const std::string sha256_hex = std::string(kEmptySha256).substr(7);
  const Digest sha256 = Digest::Parse(kEmptySha256).value();
  EXPECT_EQ(sha256.Hex(), sha256_hex);
  EXPECT_EQ(sha256.HexThen("/link"), sha256_hex + "/link");
  const Digest sha512 = HashBytes(DigestAlgorithm::kSha512, "abc");
  const std::string sha512_text = sha512.ToString();
  EXPECT_EQ(sha512_text.substr(0, 7), "sha512:");
  EXPECT_EQ(sha512.HexThen("/data"), sha512_text.substr(7) + "/data");
  EXPECT_EQ(sha512.HexThen(""), sha512.Hex());
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

// Every byte value at every position of a sha256 and a sha512 hex: accepted exactly when it is
// a lower-case hex digit, and then decoded to the digit's value (the decoder works on eight
// characters at once, so each position of a word is a case of its own).
TEST(DigestTest, AcceptsExactlyLowerCaseHexAtEveryPosition) {
  for (const DigestAlgorithm algorithm : {DigestAlgorithm::kSha256, DigestAlgorithm::kSha512}) {
    const size_t length = 2 * AlgorithmBytes(algorithm);
    std::string hex;
    for (size_t i = 0; i < length; ++i) hex += "0123456789abcdef"[(i * 7 + 3) % 16];
    for (size_t position = 0; position < length; ++position) {
      for (int value = 0; value < 256; ++value) {
        std::string text = hex;
        text[position] = static_cast<char>(value);
        const bool digit = (value >= '0' && value <= '9') || (value >= 'a' && value <= 'f');
        const auto digest = Digest::FromHex(algorithm, text);
        ASSERT_EQ(digest.has_value(), digit) << "position " << position << ", byte " << value;
        if (digit) {
          ASSERT_EQ(digest->Hex(), text) << "position " << position;
        }
      }
    }
  }
}

TEST(DigestTest, AlgorithmsDiffer) {
  const Digest a = HashBytes(DigestAlgorithm::kSha256, "x");
  std::array<uint8_t, 64> same_start{};
  std::memcpy(same_start.data(), a.bytes(), a.size());
  const Digest b = Digest::FromBytes(DigestAlgorithm::kSha512, same_start.data());
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a < b || b < a);
}

TEST(DigestTest, IsCompact) { EXPECT_EQ(sizeof(Digest), 33u) << "the graph holds millions"; }

// A sha512 digest keeps 28 bytes inline: two that differ only further on must still differ,
// order by their full bytes, and format back to their own hex.
TEST(DigestTest, Sha512DigestsSharingTheirFirstBytesDiffer) {
  std::array<uint8_t, 64> low{};
  std::array<uint8_t, 64> high{};
  low.fill(0xab);
  high.fill(0xab);
  high[63] = 0xac;
  const Digest a = Digest::FromBytes(DigestAlgorithm::kSha512, low.data());
  const Digest b = Digest::FromBytes(DigestAlgorithm::kSha512, high.data());
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a < b);
  EXPECT_FALSE(b < a);
  EXPECT_EQ(a, Digest::FromBytes(DigestAlgorithm::kSha512, low.data()));
  EXPECT_EQ(std::memcmp(b.bytes(), high.data(), high.size()), 0);
  std::string expected_hex;
  for (int i = 0; i < 63; ++i) expected_hex += "ab";
  EXPECT_EQ(b.Hex(), expected_hex + "ac");
  EXPECT_EQ(Digest::Parse(b.ToString()).value(), b);
}

// Digests parsed on many threads at once (as the scanner does) are equal to the same digests
// parsed on one, and keep their bytes.
TEST(DigestTest, Sha512DigestsParsedConcurrentlyAgree) {
  std::vector<std::string> texts;
  texts.reserve(300);
  for (int i = 0; i < 300; ++i) {
    texts.push_back(HashBytes(DigestAlgorithm::kSha512, "blob " + std::to_string(i)).ToString());
  }
  std::vector<std::vector<Digest>> parsed(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < parsed.size(); ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < texts.size(); ++i) {
        // Each thread starts at another place, so that first sightings race.
        parsed[t].push_back(Digest::Parse(texts[(i + t * 75) % texts.size()]).value());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t t = 0; t < parsed.size(); ++t) {
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string& text = texts[(i + t * 75) % texts.size()];
      EXPECT_EQ(parsed[t][i].ToString(), text);
      EXPECT_EQ(parsed[t][i], Digest::Parse(text).value());
    }
  }
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
