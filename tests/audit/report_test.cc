// Tests for audit's reports: JSON lines (one object per finding, then a summary) and the text
// report (grouped by kind, most severe first, closing summary line).
#include <simdjson.h>

#include "audit/check/report.h"
#include "core/distribution_layout.h"
#include "tests/audit/audit_fixture.h"

namespace regsweep::audit {
namespace {

namespace fs = boost::filesystem;

class AuditReportTest : public testing::AuditTest {
 protected:
  AuditReportTest() {
    const auto image = builder_.PushImage("apps/web", {"a", "b"});
    builder_.Tag("apps/web", "1", image.digest);
    builder_.WriteFile(distribution::TagCurrentLink("apps/web", "2"), "sha256:../../x");
    builder_.AddBlob("orphan");
    builder_.WriteFile("repositories/apps/web/_secrets/x", "x");  // a warning
  }
};

TEST_F(AuditReportTest, JsonLinesHaveOneObjectPerFindingAndASummary) {
  AuditOptions options;
  options.verify_data = true;
  const AuditOutcome outcome = Audit(options);
  const std::string text = AuditJsonLines(outcome);
  simdjson::dom::parser parser;
  size_t findings = 0;
  size_t summaries = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    simdjson::dom::element line;
    ASSERT_EQ(parser.parse(text.substr(start, end - start)).get(line), simdjson::SUCCESS);
    std::string_view type;
    ASSERT_EQ(line["type"].get_string().get(type), simdjson::SUCCESS);
    if (type == "finding") {
      EXPECT_EQ(summaries, 0u) << "the summary comes last";
      for (const char* key : {"severity", "kind", "repository", "digest", "path", "reason"}) {
        std::string_view value;
        EXPECT_EQ(line[key].get_string().get(value), simdjson::SUCCESS) << key;
      }
      ++findings;
    } else {
      ASSERT_EQ(type, "summary");
      ++summaries;
      EXPECT_EQ(line["exit_code"].get_int64().value(), 1);
      EXPECT_EQ(line["errors"].get_uint64().value(), outcome.Count(Severity::kError));
      EXPECT_EQ(line["warnings"].get_uint64().value(), outcome.Count(Severity::kWarning));
      EXPECT_EQ(line["orphan_blobs"].get_uint64().value(), 1u);
      EXPECT_TRUE(line["verify_data"].get_bool().value());
      EXPECT_EQ(line["blobs_hashed"].get_uint64().value(), outcome.counts.blobs);
    }
    start = end + 1;
  }
  EXPECT_EQ(findings, outcome.findings.size());
  EXPECT_EQ(summaries, 1u);
}

TEST_F(AuditReportTest, TextReportGroupsByKindMostSevereFirst) {
  const std::string text = AuditTextReport(Audit(), 5);
  const size_t error = text.find("error   bad_link (1)");
  const size_t warning = text.find("warning unexpected_entry (1)");
  const size_t info = text.find("info    orphan_blob (1)");
  ASSERT_NE(error, std::string::npos) << text;
  ASSERT_NE(warning, std::string::npos) << text;
  ASSERT_NE(info, std::string::npos) << text;
  EXPECT_LT(error, warning);
  EXPECT_LT(warning, info);
  EXPECT_NE(text.find("repositories/apps/web/_manifests/tags/2/current/link: malformed link"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("summary: "), std::string::npos);
  EXPECT_NE(text.find("1 error, 1 warning"), std::string::npos) << text;
}

TEST_F(AuditReportTest, FatalSummary) {
  AuditOptions options;
  options.root = "/nonexistent/registry";
  const AuditOutcome outcome = RunAudit(options);
  const std::string json = AuditJsonLines(outcome);
  EXPECT_NE(json.find("\"type\":\"summary\""), std::string::npos);
  EXPECT_NE(json.find("\"exit_code\":2"), std::string::npos);
}

}  // namespace
}  // namespace regsweep::audit
