// The request tally: S3 Standard's list prices per kind, and how reports show it.
#include "core/request_tally.h"

#include <gtest/gtest.h>

#include "core/json_writer.h"

namespace regsweep {
namespace {

TEST(RequestTallyTest, PricesAreS3StandardListPrices) {
  // https://aws.amazon.com/s3/pricing/: PUT, COPY, POST, LIST $0.005 per 1,000; GET, SELECT and
  // all other requests $0.0004 per 1,000; DELETE free.
  EXPECT_DOUBLE_EQ(S3StandardPrice("LIST", 1000), 0.005);
  EXPECT_DOUBLE_EQ(S3StandardPrice("PUT", 2000), 0.010);
  EXPECT_DOUBLE_EQ(S3StandardPrice("DELETE batch", 1000), 0.005);  // a POST
  EXPECT_DOUBLE_EQ(S3StandardPrice("GET", 1000000), 0.4);
  EXPECT_DOUBLE_EQ(S3StandardPrice("HEAD", 1000), 0.0004);
  EXPECT_DOUBLE_EQ(S3StandardPrice("DELETE", 1000000), 0);
}

TEST(RequestTallyTest, TextNamesOnlyKindsSentAndTheRetries) {
  RequestTally tally;
  tally.by_kind = {{"LIST", 12}, {"GET", 40}, {"HEAD", 0}, {"DELETE batch", 1}};
  tally.retries = 2;
  tally.cost_usd = 0.000081;
  EXPECT_EQ(RequestTallyText(tally),
            "requests: 12 LIST, 40 GET, 1 DELETE batch (2 retries); $0.000081 at S3 Standard "
            "prices\n");
  EXPECT_EQ(tally.Total(), 53u);
}

TEST(RequestTallyTest, JsonKeepsSmallCosts) {
  RequestTally tally;
  tally.by_kind = {{"GET", 3}};
  tally.cost_usd = S3StandardPrice("GET", 3);
  JsonWriter json;
  json.BeginObject();
  WriteRequestTally(json, tally);
  json.EndObject();
  EXPECT_NE(json.str().find("\"cost_usd_s3_standard\":0.000001"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"GET\":3"), std::string::npos) << json.str();
}

}  // namespace
}  // namespace regsweep
