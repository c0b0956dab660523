// Tests for the distribution-spec name grammars.
#include "core/names.h"

#include <gtest/gtest.h>

namespace regsweep {
namespace {

TEST(NamesTest, RepositoryNames) {
  for (const char* good : {"a", "library/ubuntu", "a/b/c", "my-app", "my--app", "a.b", "a_b",
                           "a__b", "0", "team/a1/b-2/svc"}) {
    EXPECT_TRUE(IsValidRepositoryName(good)) << good;
  }
  for (const char* bad : {"", "A", "a/", "/a", "a//b", "a___b", "a..b", "-a", "a-", "_a",
                          "a/_layers", "a/../b", "a b", "a\nb", "..", "."}) {
    std::string why;
    EXPECT_FALSE(IsValidRepositoryName(bad, &why)) << bad;
    EXPECT_FALSE(why.empty());
  }
  EXPECT_FALSE(IsValidRepositoryName(std::string(256, 'a')));
}

TEST(NamesTest, Tags) {
  for (const char* good : {"latest", "1.0", "v1.2.3-rc.1", "_x", "A", "sha256-abc"}) {
    EXPECT_TRUE(IsValidTag(good)) << good;
  }
  for (const char* bad : {"", ".x", "-x", "a/b", "a b", "a:b", "..", "a\n"}) {
    EXPECT_FALSE(IsValidTag(bad)) << bad;
  }
  EXPECT_TRUE(IsValidTag(std::string(128, 'a')));
  EXPECT_FALSE(IsValidTag(std::string(129, 'a')));
}

TEST(NamesTest, OciRefNames) {
  for (const char* good : {"latest", "1.0", "v1.2.3-rc.1", "A", "a--b", "a:b@c+d", "a/b/c",
                           "example.com/app:1.0", "sha256-abc.sig"}) {
    EXPECT_TRUE(IsValidOciRefName(good)) << good;
  }
  for (const char* bad : {"", "_x", "-x", "x-", "a---b", "a//b", "/a", "a/", "a b", "a\nb",
                          "a\x1b[2Jb", "a..b", "a.-b"}) {
    std::string why;
    EXPECT_FALSE(IsValidOciRefName(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(NamesTest, UploadIds) {
  EXPECT_TRUE(IsValidUploadId("0b7f6a3e-6b0e-4b8e-9a5c-0d2a1c3e4f5a"));
  EXPECT_FALSE(IsValidUploadId(".."));
  EXPECT_FALSE(IsValidUploadId("a/b"));
  EXPECT_FALSE(IsValidUploadId(""));
}

TEST(NamesTest, QuoteEscapesControlBytes) {
  EXPECT_EQ(QuoteForMessage("ok"), "'ok'");
  EXPECT_EQ(QuoteForMessage("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(QuoteForMessage("it's"), "'it\\x27s'");
}

TEST(NamesTest, EscapeControlBytesKeepsPrintableTextUnquoted) {
  EXPECT_EQ(EscapeControlBytes("repositories/a b/_layers"), "repositories/a b/_layers");
  EXPECT_EQ(EscapeControlBytes("t\x1b[2J\n\x7f"), "t\\x1b[2J\\x0a\\x7f");
  // A backslash is escaped too, so an escaped name cannot be mistaken for a raw one.
  EXPECT_EQ(EscapeControlBytes("a\\x0a"), "a\\x5cx0a");
}

}  // namespace
}  // namespace regsweep
