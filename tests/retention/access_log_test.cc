// Tests for reading pulls from distribution's logs: the real registry's output in each format
// (fixtures/, made by fixtures/capture.sh with Debian's docker-registry 2.8 and skopeo), gzip
// files, and the lines that must not count.
#include "gc/retention/access_log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/timestamps.h"
#include "gc/retention/log_line.h"
#include "tests/retention/retention_testing.h"

namespace regsweep {
namespace {

using retention_testing::Contains;
using retention_testing::kSecond;

constexpr std::string_view kV2Digest =
    "sha256:3594257500a93807a809ef2fcf911f72cbd3b5af3c1a427ef3a099e3a021a4c2";

std::string Fixture(const std::string& name) {
  return std::string(REGSWEEP_RETENTION_FIXTURES) + "/" + name;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// "repository reference seconds.nanoseconds" per pull, sorted (PullLog::Events).
std::vector<std::string> Describe(const PullLog& pulls) {
  std::vector<std::string> lines;
  for (const PullEvent& event : pulls.Events()) {
    char time[32];
    std::snprintf(time, sizeof(time), "%lld.%09lld",
                  static_cast<long long>(event.time_ns / kSecond),
                  static_cast<long long>(event.time_ns % kSecond));
    lines.push_back(event.repository + " " + event.reference + " " + time);
  }
  return lines;
}

std::optional<PullView> Pull(std::string_view line) {
  LogRequest request;
  PullView pull;
  if (!ParseRequestLine(line, &request) || !IsManifestPull(request, &pull)) return std::nullopt;
  return pull;
}

TEST(AccessLogTest, RealLogrusTextOutput) {
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(Fixture("registry-text.log"), &pulls, &stats, &error)) << error;
  // Pulled by skopeo: v1 by tag, v2 by digest (skopeo GETs the tag too, to resolve it), and v1
  // by curl with a query string. Not counted: the HEAD of v1 and the 404 of an unknown tag.
  EXPECT_EQ(Describe(pulls), (std::vector<std::string>{
                                 "team/app v1 1796468651.393214590",
                                 "team/app v2 1796468651.558739890",
                                 "team/app " + std::string(kV2Digest) + " 1796468651.620640745",
                                 "team/app v1 1796468651.771562405",
                             }));
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.gzip_files, 0u);
  EXPECT_EQ(stats.lines, 39u);
  EXPECT_EQ(stats.pulls, 4u);
  EXPECT_EQ(stats.skipped_lines, 3u);  // "redis not configured", "Starting upload purge", ...
  EXPECT_EQ(stats.other_requests, 32u);
  EXPECT_EQ(stats.long_lines, 0u);
  // The first request is the GET /v2/ of the registry check, the last the GET with a query.
  EXPECT_EQ(stats.first_request_ns, int64_t{1796468650} * kSecond + 809619212);
  EXPECT_EQ(stats.last_request_ns, int64_t{1796468651} * kSecond + 771562405);
}

TEST(AccessLogTest, RealLogrusJsonOutputWithOffset) {
  // Captured with TZ=Europe/Berlin: "time":"2026-12-05T12:04:21.110697236+01:00".
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(Fixture("registry-json.log"), &pulls, &stats, &error)) << error;
  EXPECT_EQ(Describe(pulls), (std::vector<std::string>{
                                 "team/app v1 1796468661.110697236",
                                 "team/app v2 1796468661.265965807",
                                 "team/app " + std::string(kV2Digest) + " 1796468661.337616272",
                                 "team/app v1 1796468661.489209726",
                             }));
  EXPECT_EQ(stats.lines, 39u);
  EXPECT_EQ(stats.skipped_lines, 3u);
  EXPECT_EQ(stats.other_requests, 32u);
}

TEST(AccessLogTest, RealCombinedAccessLogWithOffset) {
  // Captured with TZ=Asia/Kolkata: [05/Dec/2026:16:34:23 +0530]; whole seconds only.
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(Fixture("registry-combined.log"), &pulls, &stats, &error)) << error;
  EXPECT_EQ(Describe(pulls), (std::vector<std::string>{
                                 "team/app v1 1796468663.000000000",
                                 "team/app " + std::string(kV2Digest) + " 1796468664.000000000",
                                 "team/app v1 1796468664.000000000",
                                 "team/app v2 1796468664.000000000",
                             }));
  EXPECT_EQ(stats.lines, 36u);
  EXPECT_EQ(stats.skipped_lines, 0u);  // every line of the access log is a request
  EXPECT_EQ(stats.other_requests, 32u);
}

TEST(AccessLogTest, RealGzipRotatedLog) {
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(Fixture("registry-combined-utc.log.gz"), &pulls, &stats, &error))
      << error;
  EXPECT_EQ(stats.gzip_files, 1u);
  EXPECT_EQ(stats.lines, 36u);
  EXPECT_EQ(stats.pulls, 4u);
  EXPECT_EQ(Describe(pulls), (std::vector<std::string>{
                                 "team/app " + std::string(kV2Digest) + " 1796468651.000000000",
                                 "team/app v1 1796468651.000000000",
                                 "team/app v1 1796468651.000000000",
                                 "team/app v2 1796468651.000000000",
                             }));
}

TEST(AccessLogTest, ConcatenatedGzipMembers) {
  const std::string member = ReadBytes(Fixture("registry-combined-utc.log.gz"));
  const std::string path = WriteTemp("two-members.log.gz", member + member);
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(path, &pulls, &stats, &error)) << error;
  EXPECT_EQ(stats.lines, 72u);
  EXPECT_EQ(stats.pulls, 8u);
  std::remove(path.c_str());
}

TEST(AccessLogTest, TruncatedOrCorruptGzipIsAnError) {
  const std::string member = ReadBytes(Fixture("registry-combined-utc.log.gz"));
  const std::string truncated = WriteTemp("truncated.log.gz", member.substr(0, member.size() / 2));
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  EXPECT_FALSE(ReadAccessLog(truncated, &pulls, &stats, &error));
  EXPECT_EQ(error, truncated + ": truncated gzip data");

  std::string damaged = member;
  for (size_t i = 20; i < 60; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  const std::string corrupt = WriteTemp("corrupt.log.gz", damaged);
  EXPECT_FALSE(ReadAccessLog(corrupt, &pulls, &stats, &error));
  EXPECT_TRUE(Contains(error, corrupt + ": corrupt gzip data"));

  const std::string trailing = WriteTemp("trailing.log.gz", member + "garbage");
  EXPECT_FALSE(ReadAccessLog(trailing, &pulls, &stats, &error));
  EXPECT_TRUE(Contains(error, trailing + ": corrupt gzip data"));
  for (const std::string& path : {truncated, corrupt, trailing}) std::remove(path.c_str());
}

TEST(AccessLogTest, MissingFileIsAnError) {
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  EXPECT_FALSE(ReadAccessLog("/nonexistent/registry.log", &pulls, &stats, &error));
  EXPECT_EQ(error, "/nonexistent/registry.log: No such file or directory");
  EXPECT_FALSE(ReadAccessLogs({Fixture("registry-text.log"), "/nonexistent/registry.log"}, &pulls,
                              &stats, &error));
  EXPECT_EQ(error, "/nonexistent/registry.log: No such file or directory");
}

TEST(AccessLogTest, ReadsManyFilesInOrder) {
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(
      ReadAccessLogs({Fixture("registry-text.log"), Fixture("registry-json.log"),
                      Fixture("registry-combined.log"), Fixture("registry-combined-utc.log.gz")},
                     &pulls, &stats, &error))
      << error;
  EXPECT_EQ(stats.files, 4u);
  EXPECT_EQ(stats.gzip_files, 1u);
  EXPECT_EQ(stats.lines, 39u + 39u + 36u + 36u);
  EXPECT_EQ(stats.pulls, 16u);
  const std::span<const regsweep::Pull> team_app = pulls.ForRepository("team/app");
  ASSERT_EQ(team_app.size(), 16u);
  EXPECT_EQ(team_app.front().time_ns, int64_t{1796468651} * kSecond + 393214590);  // text first
  EXPECT_EQ(pulls.Repositories(), std::vector<std::string>{"team/app"});
  EXPECT_TRUE(pulls.ForRepository("team/other").empty());
}

TEST(AccessLogTest, FilesLargerThanTheBufferReadLikeMemory) {
  // Several MB, so lines straddle the reader's 1 MiB chunks (and, gzip, its input chunks and
  // member boundaries): the file readers must find exactly what parsing the text finds.
  const std::string text = ReadBytes(Fixture("registry-text.log"));
  std::string big;
  for (int i = 0; i < 250; ++i) big += text;
  PullLog from_memory;
  AccessLogStats memory_stats;
  ParseAccessLog(big, &from_memory, &memory_stats);
  const std::string plain = WriteTemp("big.log", big);
  PullLog from_file;
  AccessLogStats file_stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(plain, &from_file, &file_stats, &error)) << error;
  EXPECT_EQ(file_stats.bytes, big.size());
  EXPECT_EQ(file_stats.lines, memory_stats.lines);
  EXPECT_EQ(file_stats.pulls, 250u * 4u);
  EXPECT_EQ(Describe(from_file), Describe(from_memory));

  const std::string member = ReadBytes(Fixture("registry-combined-utc.log.gz"));
  std::string members;
  for (int i = 0; i < 3000; ++i) members += member;
  const std::string gzip = WriteTemp("many-members.log.gz", members);
  PullLog from_gzip;
  AccessLogStats gzip_stats;
  ASSERT_TRUE(ReadAccessLog(gzip, &from_gzip, &gzip_stats, &error)) << error;
  EXPECT_EQ(gzip_stats.lines, 3000u * 36u);
  EXPECT_EQ(gzip_stats.pulls, 3000u * 4u);
  EXPECT_EQ(gzip_stats.skipped_lines, 0u);
  std::remove(plain.c_str());
  std::remove(gzip.c_str());
}

TEST(AccessLogTest, LongLinesAreSkippedAndCounted) {
  const std::string pull =
      "127.0.0.1 - - [05/Dec/2026:11:04:11 +0000] \"GET /v2/a/manifests/v1 HTTP/1.1\" 200 1 \"\" "
      "\"x\"\n";
  const std::string path =
      WriteTemp("long.log", pull + std::string(3 << 20, 'x') + "\n" + pull + std::string(100, 'y'));
  PullLog pulls;
  AccessLogStats stats;
  std::string error;
  ASSERT_TRUE(ReadAccessLog(path, &pulls, &stats, &error)) << error;
  EXPECT_EQ(stats.pulls, 2u);
  EXPECT_EQ(stats.long_lines, 1u);
  EXPECT_EQ(stats.lines, 4u);  // the last line has no '\n' and still counts
  EXPECT_EQ(stats.skipped_lines, 2u);
  std::remove(path.c_str());
}

TEST(AccessLogTest, InMemoryTextAndLastLineWithoutNewline) {
  PullLog pulls;
  AccessLogStats stats;
  ParseAccessLog(
      "noise\n"
      "127.0.0.1 - - [05/Dec/2026:11:04:11 +0000] \"GET /v2/a/manifests/v1 HTTP/1.1\" 200 1 "
      "\"\" \"x\"",
      &pulls, &stats);
  EXPECT_EQ(stats.lines, 2u);
  EXPECT_EQ(stats.pulls, 1u);
  EXPECT_EQ(stats.skipped_lines, 1u);
  EXPECT_EQ(pulls.ForRepository("a")[0].reference, "v1");
}

// The requests that count, in each format, with what real deployments put around them.
TEST(LogLineTest, CountsManifestGetsWithStatus200) {
  const auto journal = Pull(
      "Dec 05 11:04:11 host docker-registry[812]: time=\"2026-12-05T11:04:11Z\" level=info "
      "msg=\"response completed\" http.request.method=GET "
      "http.request.uri=/v2/library/alpine/manifests/3.19 http.response.status=200");
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->repository, "library/alpine");
  EXPECT_EQ(journal->reference, "3.19");
  EXPECT_EQ(journal->time_ns, int64_t{1796468651} * kSecond);

  // The pull's fields are views into the line, so the line must outlive them.
  const std::string combined_line =
      "Dec 05 11:04:11 host docker-registry[812]: 10.0.0.1 - - [05/Dec/2026:11:04:11 +0000] "
      "\"GET /v2/a/b/manifests/sha256:" +
      std::string(64, 'a') + " HTTP/1.1\" 200 528 \"\" \"containerd/1.7\"";
  const auto journal_combined = Pull(combined_line);
  ASSERT_TRUE(journal_combined);
  EXPECT_EQ(journal_combined->repository, "a/b");
  EXPECT_EQ(journal_combined->reference, "sha256:" + std::string(64, 'a'));

  const auto ipv6 = Pull(
      "::1 - alice [05/Dec/2026:11:04:11 -0800] \"GET /v2/a/manifests/v1 HTTP/2.0\" 200 1 "
      "\"-\" \"-\"");
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->time_ns, int64_t{1796468651 + 8 * 3600} * kSecond);

  const auto logstash = Pull(
      "{\"@timestamp\":\"2026-12-05T11:04:11Z\",\"@version\":\"1\",\"http.request.method\":"
      "\"GET\",\"http.request.uri\":\"/v2/a/manifests/v1\",\"http.response.status\":200,"
      "\"message\":\"response completed\",\"type\":\"log\"}");
  ASSERT_TRUE(logstash);
  EXPECT_EQ(logstash->reference, "v1");

  const auto json_nested = Pull(
      "{\"err.detail\":{\"a\":[1,{\"b\":\"}\"}]},\"http.request.method\":\"GET\","
      "\"http.request.uri\":\"/v2/a/manifests/v1\",\"http.response.status\":200,"
      "\"msg\":\"response completed\",\"time\":\"2026-12-05T11:04:11.5Z\"}");
  ASSERT_TRUE(json_nested);
  EXPECT_EQ(json_nested->time_ns, int64_t{1796468651} * kSecond + kSecond / 2);
}

TEST(LogLineTest, IgnoresRequestsThatAreNotPulls) {
  const std::string text_prefix =
      "time=\"2026-12-05T11:04:11Z\" level=info msg=\"response completed\" ";
  const std::vector<std::string> not_pulls = {
      // HEAD, PUT, DELETE of a manifest; a blob; the base; an error status.
      text_prefix + "http.request.method=HEAD http.request.uri=/v2/a/manifests/v1 " +
          "http.response.status=200",
      text_prefix + "http.request.method=PUT http.request.uri=/v2/a/manifests/v1 " +
          "http.response.status=201",
      text_prefix + "http.request.method=GET http.request.uri=\"/v2/a/blobs/sha256:" +
          std::string(64, 'a') + "\" http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=/v2/ http.response.status=200",
      std::string(
          "time=\"2026-12-05T11:04:11Z\" level=error msg=\"response completed with error\" ") +
          "http.request.method=GET http.request.uri=/v2/a/manifests/nosuchtag " +
          "http.response.status=404",
      std::string(
          "127.0.0.1 - - [05/Dec/2026:11:04:11 +0000] \"GET /v2/a/manifests/v1 HTTP/1.1\" 304 0 ") +
          "\"\" \"x\"",
      // Names and references that are not valid, percent-encoding, odd paths.
      text_prefix + "http.request.method=GET http.request.uri=/v2/A/manifests/v1 " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=\"/v2/a/manifests/v1%2e\" " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=\"/v2/a%2Fb/manifests/v1\" " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=/v2/manifests/v1 " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=/v2/a/manifests/ " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=/v2/a/manifests/v1/x " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=\"/v2/a/manifests/md5:abc\" " +
          "http.response.status=200",
      text_prefix + "http.request.method=GET http.request.uri=/v3/a/manifests/v1 " +
          "http.response.status=200",
  };
  for (const std::string& line : not_pulls) {
    LogRequest request;
    EXPECT_TRUE(ParseRequestLine(line, &request)) << line;
    EXPECT_FALSE(Pull(line)) << line;
  }
}

TEST(LogLineTest, SkipsLinesThatAreNotRequests) {
  const std::vector<std::string> not_requests = {
      "",
      "time=\"2026-12-05T11:04:11Z\" level=info msg=\"listening on 127.0.0.1:5000\"",
      "{\"level\":\"info\",\"msg\":\"redis not configured\",\"time\":\"2026-12-05T11:04:11Z\"}",
      // logrus on a terminal: colors and seconds since start, no date.
      std::string("\x1b[36mINFO\x1b[0m[0000] response completed  http.request.method=GET ") +
          "http.request.uri=/v2/a/manifests/v1 http.response.status=200",
      // A request without a readable time.
      std::string(
          "time=\"yesterday\" level=info msg=\"response completed\" http.request.method=GET ") +
          "http.request.uri=/v2/a/manifests/v1 http.response.status=200",
      "127.0.0.1 - - [05/Dec/2026:11:04:11] \"GET /v2/a/manifests/v1 HTTP/1.1\" 200 1",
      "127.0.0.1 - - [31/Feb/2026:11:04:11 +0000] \"GET /v2/a/manifests/v1 HTTP/1.1\" 200 1",
      "{\"http.request.method\":\"GET\",\"http.request.uri\":\"/v2/a/manifests/v1\"",
      "{not json",
      "garbage \"with quotes",
  };
  for (const std::string& line : not_requests) {
    LogRequest request;
    EXPECT_FALSE(ParseRequestLine(line, &request)) << line;
  }
}

TEST(LogLineTest, QuotedValuesCannotForgeFields) {
  // A client controls its user agent; logrus quotes it (Go %q), so what it holds stays a value.
  const std::string forged =
      "time=\"2026-12-05T11:04:11Z\" level=info msg=\"response completed\" "
      "http.request.method=HEAD http.request.uri=/v2/a/manifests/v1 "
      "http.request.useragent=\"x\\\" http.request.method=GET http.response.status=200 \\\"\" "
      "http.response.status=200";
  LogRequest request;
  ASSERT_TRUE(ParseRequestLine(forged, &request));
  EXPECT_EQ(request.method, "HEAD");
  EXPECT_FALSE(Pull(forged));

  const std::string forged_json =
      "{\"http.request.method\":\"HEAD\",\"http.request.uri\":\"/v2/a/manifests/v1\","
      "\"http.request.useragent\":\"\\\",\\\"http.request.method\\\":\\\"GET\","
      "\"http.response.status\":200,\"msg\":\"response completed\","
      "\"time\":\"2026-12-05T11:04:11Z\"}";
  ASSERT_TRUE(ParseRequestLine(forged_json, &request));
  EXPECT_EQ(request.method, "HEAD");

  // A quote escaped inside the URI makes it unusable, never a different name.
  EXPECT_FALSE(
      Pull("time=\"2026-12-05T11:04:11Z\" level=info msg=\"response completed\" "
           "http.request.method=GET http.request.uri=\"/v2/a/manifests/v1\\\"x\" "
           "http.response.status=200"));
}

TEST(LogLineTest, ManifestUris) {
  std::string_view repository;
  std::string_view reference;
  ASSERT_TRUE(ParseManifestUri("/v2/a/manifests/manifests/v1?x=%2F#frag", &repository, &reference));
  EXPECT_EQ(repository, "a/manifests");  // a component may be called "manifests"
  EXPECT_EQ(reference, "v1");
  EXPECT_FALSE(ParseManifestUri("/v2/a/tags/list", &repository, &reference));
  EXPECT_FALSE(
      ParseManifestUri("/v2/a/manifests/" + std::string(129, 'x'), &repository, &reference));
  EXPECT_FALSE(ParseManifestUri("/v2/../manifests/v1", &repository, &reference));
}

TEST(LogTimeTest, Rfc3339) {
  constexpr int64_t kBase = int64_t{1796468651} * kSecond;  // 2026-12-05T11:04:11Z
  EXPECT_EQ(ParseRfc3339("2026-12-05T11:04:11Z"), kBase);
  EXPECT_EQ(ParseRfc3339("2026-12-05T11:04:11.5Z"), kBase + kSecond / 2);
  EXPECT_EQ(ParseRfc3339("2026-12-05T11:04:11.000000001Z"), kBase + 1);
  EXPECT_EQ(ParseRfc3339("2026-12-05T12:04:11+01:00"), kBase);
  EXPECT_EQ(ParseRfc3339("2026-12-05T03:04:11.25-08:00"), kBase + kSecond / 4);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2028-02-29T00:00:00Z"), int64_t{1835395200} * kSecond);
  for (const char* bad :
       {"", "2026-12-05", "2026-12-05T11:04:11", "2026-12-05 11:04:11Z", "2026-13-05T11:04:11Z",
        "2026-02-29T00:00:00Z", "2026-12-05T24:00:00Z", "2026-12-05T11:04:11.Z",
        "2026-12-05T11:04:11.1234567890Z", "2026-12-05T11:04:11+0100", "2026-12-05T11:04:11Zjunk",
        "1969-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(LogTimeTest, ApacheTime) {
  constexpr int64_t kBase = int64_t{1796468651} * kSecond;
  EXPECT_EQ(ParseApacheTime("05/Dec/2026:11:04:11 +0000"), kBase);
  EXPECT_EQ(ParseApacheTime("05/Dec/2026:16:34:11 +0530"), kBase);
  EXPECT_EQ(ParseApacheTime("01/Jan/1970:00:00:00 +0000"), 0);
  for (const char* bad :
       {"05/dec/2026:11:04:11 +0000", "05/Dec/2026:11:04:11", "5/Dec/2026:11:04:11 +0000",
        "32/Dec/2026:11:04:11 +0000", "05/Dec/2026:11:04:11 +05:30"}) {
    EXPECT_FALSE(ParseApacheTime(bad)) << bad;
  }
  EXPECT_EQ(DaysFromCivil(2026, 12, 5), 20792);
}

}  // namespace
}  // namespace regsweep
