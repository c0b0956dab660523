// Helpers shared by the retention tests: digests by number, times relative to a fixed "now",
// policies from YAML text, and lookups in a decision.
#ifndef REGSWEEP_TESTS_RETENTION_RETENTION_TESTING_H_
#define REGSWEEP_TESTS_RETENTION_RETENTION_TESTING_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "gc/retention/decide.h"
#include "gc/retention/policy_file.h"

namespace regsweep::retention_testing {

inline constexpr int64_t kSecond = 1000000000;
inline constexpr int64_t kHour = 3600 * kSecond;
inline constexpr int64_t kDay = 24 * kHour;
// 2026-12-05T11:04:11Z, the time the log fixtures were captured.
inline constexpr int64_t kNow = int64_t{1796468651} * kSecond;

inline int64_t DaysAgo(double days) { return kNow - static_cast<int64_t>(days * kDay); }

// "sha256:000...0<n>" as a Digest.
inline Digest D(unsigned n) {
  char hex[65];
  std::snprintf(hex, sizeof(hex), "%064x", n);
  return *Digest::FromHex(DigestAlgorithm::kSha256, hex);
}

inline TagInput Tag(std::string name, const Digest& digest, int64_t push_time_ns) {
  TagInput tag;
  tag.tag = std::move(name);
  tag.digest = digest;
  tag.push_time_ns = push_time_ns;
  return tag;
}

// cosign's signature tag of `subject` ("sha256-<hex>.sig"), and its siblings.
inline std::string CosignTag(const Digest& subject, std::string_view suffix = ".sig") {
  return "sha256-" + subject.Hex() + std::string(suffix);
}

// Parses a policy from YAML; fails the test on an error.
inline RetentionPolicy Policy(std::string_view yaml) {
  RetentionPolicy policy;
  std::string error;
  EXPECT_TRUE(ParseRetentionPolicy(yaml, "policy.yaml", &policy, &error)) << error;
  return policy;
}

// The error message for a policy that must not parse.
inline std::string PolicyError(std::string_view yaml) {
  RetentionPolicy policy;
  std::string error;
  EXPECT_FALSE(ParseRetentionPolicy(yaml, "policy.yaml", &policy, &error)) << yaml;
  return error;
}

inline const TagDecision& Find(const RepositoryDecision& decision, std::string_view tag) {
  for (const TagDecision& t : decision.tags) {
    if (t.tag == tag) return t;
  }
  ADD_FAILURE() << "no decision for tag " << tag;
  static const TagDecision kMissing;
  return kMissing;
}

// The kept tags, sorted.
inline std::vector<std::string> Kept(const RepositoryDecision& decision) {
  std::vector<std::string> kept;
  for (const TagDecision& t : decision.tags) {
    if (t.keep) kept.push_back(t.tag);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

using Names = std::vector<std::string>;

// EXPECT_TRUE(StartsWith(text, prefix)) and EXPECT_TRUE(Contains(text, part)), printing the text.
inline ::testing::AssertionResult StartsWith(const std::string& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) == prefix) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << '"' << text << "\" does not start with \"" << prefix << '"';
}
inline ::testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << part << '"';
}

}  // namespace regsweep::retention_testing

#endif  // REGSWEEP_TESTS_RETENTION_RETENTION_TESTING_H_
