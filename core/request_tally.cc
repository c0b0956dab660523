// Request counts, their price and how reports show them.
#include "core/request_tally.h"

#include <cstdio>

#include "core/json_writer.h"

namespace regsweep {

uint64_t RequestTally::Total() const {
  uint64_t total = 0;
  for (const auto& [kind, count] : by_kind) total += count;
  return total;
}

double S3StandardPrice(const std::string& kind, uint64_t count) {
  constexpr double kListPutPostPer1000 = 0.005;
  constexpr double kGetHeadPer1000 = 0.0004;
  const double thousands = static_cast<double>(count) / 1000.0;
  if (kind == "LIST" || kind == "PUT" || kind == "DELETE batch") {
    return thousands * kListPutPostPer1000;
  }
  if (kind == "GET" || kind == "HEAD") return thousands * kGetHeadPer1000;
  return 0;  // DELETE
}

std::string RequestTallyText(const RequestTally& tally) {
  std::string text = "requests:";
  bool first = true;
  for (const auto& [kind, count] : tally.by_kind) {
    if (count == 0) continue;
    text += first ? " " : ", ";
    text += std::to_string(count) + " " + kind;
    first = false;
  }
  if (first) text += " none";
  if (tally.retries != 0) text += " (" + std::to_string(tally.retries) + " retries)";
  char cost[64];
  std::snprintf(cost, sizeof(cost), "; $%.6f at S3 Standard prices\n", tally.cost_usd);
  return text + cost;
}

void WriteRequestTally(JsonWriter& json, const RequestTally& tally) {
  json.Key("requests").BeginObject();
  for (const auto& [kind, count] : tally.by_kind) json.Key(kind).Uint(count);
  json.Field("total", tally.Total());
  json.Field("retries", tally.retries);
  json.Field("bytes_received", tally.bytes_received);
  json.Field("keys_deleted", tally.keys_deleted);
  json.Key("cost_usd_s3_standard").Double(tally.cost_usd, 6);
  json.EndObject();
}

}  // namespace regsweep
