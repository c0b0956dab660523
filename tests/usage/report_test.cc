// Tests for the usage run and its writers: selection and sorting, JSON, CSV, Prometheus
// (atomically written), HTML structure, and the text tables.
#include "audit/usage/report.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "audit/usage/usage_run.h"
#include "core/atomic_file.h"
#include "tests/testing/held_run_lock.h"
#include "tests/testing/registry_builder.h"
#include "tests/usage/usage_fixture.h"

namespace regsweep::usage {
namespace {

using testing::RegistryBuilder;
using testing::SharingRegistry;
using testing::TempDir;

class UsageReportTest : public ::testing::Test {
 protected:
  UsageReportTest() : builder_(dir_.path()), r_(builder_) {}
  UsageOutcome Run(const std::string& repo = "", const std::string& sort = "", size_t top = 0) {
    UsageOptions options;
    options.root = dir_.path().string();
    options.repository_regex = repo;
    options.sort = sort;
    options.top_blobs = top;
    return RunUsage(options);
  }
  TempDir dir_;
  RegistryBuilder builder_;
  SharingRegistry r_;
};

TEST_F(UsageReportTest, RefusesToMeasureWhileACollectionRuns) {
  regsweep::testing::HeldRunLock lock(builder_.v2());
  ASSERT_TRUE(lock.held()) << lock.error();
  const UsageOutcome busy = Run();
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_NE(busy.fatal.find("pid=" + std::to_string(getpid())), std::string::npos) << busy.fatal;
  lock.Release();
  EXPECT_EQ(Run().exit_code, 0);
}

TEST_F(UsageReportTest, RepoRegexNarrowsRowsButNotTotals) {
  const UsageOutcome all = Run();
  const UsageOutcome some = Run("lib/.*|multi");
  ASSERT_EQ(some.exit_code, 0);
  ASSERT_EQ(some.usage.repositories.size(), 2u);
  EXPECT_EQ(some.usage.repositories[0].name, "lib/base");
  EXPECT_EQ(some.usage.repositories[1].name, "multi");
  EXPECT_EQ(some.usage.tags.size(), 4u);
  EXPECT_EQ(some.usage.totals.referenced_bytes, all.usage.totals.referenced_bytes);
  EXPECT_EQ(some.usage.repositories[0].shared_bytes, all.usage.repositories[1].shared_bytes);
  EXPECT_EQ(Run("(").exit_code, 2);
}

TEST_F(UsageReportTest, SortsByAnyColumn) {
  const UsageOutcome by_exclusive = Run("", "exclusive");
  const auto& rows = by_exclusive.usage.repositories;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GE(rows[i - 1].exclusive_bytes, rows[i].exclusive_bytes);
  }
  const auto& tags = by_exclusive.usage.tags;
  for (size_t i = 1; i < tags.size(); ++i) {
    EXPECT_GE(tags[i - 1].exclusive_bytes, tags[i].exclusive_bytes);
  }
  EXPECT_EQ(Run("", "tags").usage.repositories[0].name, "lib/base");  // 2 tags, before multi
  EXPECT_EQ(Run("", "bogus").exit_code, 2);
}

TEST_F(UsageReportTest, JsonHoldsEveryNumber) {
  const UsageOutcome outcome = Run("", "", 2);
  const std::string json = JsonReport(outcome, ReportOptions{true});
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json);
  EXPECT_EQ(std::string_view(root["command"]), "usage");
  EXPECT_EQ(uint64_t(root["totals"]["referenced_bytes"]), outcome.usage.totals.referenced_bytes);
  EXPECT_EQ(uint64_t(root["totals"]["unreferenced_bytes"]),
            outcome.usage.totals.unreferenced_bytes);
  EXPECT_EQ(root["repositories"].get_array().size(), 3u);
  EXPECT_EQ(root["tags"].get_array().size(), 5u);
  EXPECT_EQ(root["top_blobs"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(root["repositories"].at(0)["name"]), "apps/web");
  EXPECT_EQ(uint64_t(root["repositories"].at(0)["shares_most_with"].at(0)["bytes"]),
            r_.os.size() + r_.libs.size());
  EXPECT_EQ(root["shared_pairs"].get_array().size(), 3u);
  EXPECT_EQ(JsonReport(outcome, ReportOptions{false}).find("\"tags\":["), std::string::npos);
}

TEST_F(UsageReportTest, CsvHasOneRecordPerRow) {
  const std::string csv = CsvReport(Run("", "", 1), ReportOptions{true});
  std::istringstream lines(csv);
  std::string line;
  std::map<std::string, int> records;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "record,repository,tag,digest,tags,manifests,size_bytes,logical_bytes,"
            "exclusive_bytes,shared_bytes,used_by");
  while (std::getline(lines, line)) ++records[line.substr(0, line.find(','))];
  EXPECT_EQ(records["total"], 1);
  EXPECT_EQ(records["repository"], 3);
  EXPECT_EQ(records["tag"], 5);
  EXPECT_EQ(records["blob"], 1);
  const std::string web_row = "repository,apps/web,,,1,3,,";
  EXPECT_NE(csv.find(web_row), std::string::npos) << csv;
}

TEST_F(UsageReportTest, PrometheusTextfileIsWrittenAtomically) {
  const UsageOutcome outcome = Run();
  const std::string metrics = PrometheusReport(outcome, ReportOptions{true}, 1700000000);
  const uint64_t lib_exclusive = r_.B.size + r_.cB.size();
  EXPECT_NE(metrics.find("regsweep_repository_bytes{repository=\"lib/base\",kind=\"exclusive\"} " +
                         std::to_string(lib_exclusive) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("# TYPE regsweep_repository_bytes gauge\n"), std::string::npos);
  EXPECT_NE(
      metrics.find("regsweep_tag_bytes{repository=\"multi\",tag=\"amd64\",kind=\"exclusive\"} 0\n"),
      std::string::npos);
  EXPECT_NE(metrics.find("regsweep_usage_timestamp_seconds 1700000000\n"), std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# ", 0) == 0) continue;
    EXPECT_EQ(line.rfind("regsweep_", 0), 0u) << line;
    EXPECT_NE(line.find(' '), std::string::npos) << line;
  }

  const std::string path = (dir_.path() / "usage.prom").string();
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, metrics, &error)) << error;
  ASSERT_TRUE(WriteFileAtomically(path, metrics, &error)) << error;  // replaces
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), metrics);
  size_t entries = 0;
  for (boost::filesystem::directory_iterator it(dir_.path()), end; it != end; ++it) {
    entries += it->path().filename().string().find(".tmp") != std::string::npos;
  }
  EXPECT_EQ(entries, 0u) << "no temporary file left";
  EXPECT_FALSE(WriteFileAtomically((dir_.path() / "no/such/dir/x.prom").string(), "", &error));
}

TEST_F(UsageReportTest, HtmlIsSelfContainedWithThreeCharts) {
  const std::string html = HtmlReport(Run("", "", 3), ReportOptions{true});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* id :
       {"id=\"chart-repositories\"", "id=\"chart-sharing\"", "id=\"chart-reclaimable\"",
        "id=\"repositories\"", "id=\"tags\"", "id=\"blobs\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("http://www.w3.org/2000/svg\"") != std::string::npos, true);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos) << "nothing loaded from anywhere";
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("class=\"bar exclusive\" data-bytes=\"" +
                      std::to_string(r_.B.size + r_.cB.size()) + "\""),
            std::string::npos);
}

TEST_F(UsageReportTest, TextTablesAreAligned) {
  const std::string text = TextReport(Run("", "", 2), ReportOptions{true});
  EXPECT_NE(text.find("REPOSITORY  TAGS  MANIFESTS"), std::string::npos) << text;
  EXPECT_NE(text.find("same manifest as 1 other tag"), std::string::npos) << text;
  EXPECT_NE(text.find("dedup ratio"), std::string::npos);
  EXPECT_EQ(text.find(" \n"), std::string::npos) << "no trailing blanks";
}

// On an object store the run's requests end the text report, as they end gc's and audit's; on
// a filesystem (no tally) there is no such line.
TEST_F(UsageReportTest, TextEndsWithTheRequestsSentWhenTheStorageCountsThem) {
  UsageOutcome outcome = Run("", "", 0);
  EXPECT_EQ(TextReport(outcome, ReportOptions{}).find("requests:"), std::string::npos);
  RequestTally tally;
  tally.by_kind = {{"LIST", 12}, {"GET", 40}};
  outcome.requests = tally;
  const std::string text = TextReport(outcome, ReportOptions{});
  const std::string line = RequestTallyText(tally);
  ASSERT_GE(text.size(), line.size());
  EXPECT_EQ(text.substr(text.size() - line.size()), line) << text;
}

}  // namespace
}  // namespace regsweep::usage
