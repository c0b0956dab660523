// What a run asked of a storage billed by the request (an object store), and what that costs:
// the line every report ends with on S3, because an operator's first question before a dry
// run on a large bucket is what it will cost. The local filesystem keeps no tally.
#ifndef REGSWEEP_CORE_REQUEST_TALLY_H_
#define REGSWEEP_CORE_REQUEST_TALLY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace regsweep {

class JsonWriter;

struct RequestTally {
  // Requests sent by kind ("LIST", "GET", "HEAD", "PUT", "DELETE", "DELETE batch"), every
  // attempt counted, in this order.
  std::vector<std::pair<std::string, uint64_t>> by_kind;
  uint64_t retries = 0;         // attempts after a first one (included in by_kind)
  uint64_t bytes_received = 0;  // response bodies
  uint64_t keys_deleted = 0;
  // At S3 Standard's list prices: LIST, PUT and POST (a DELETE batch) $0.005 per 1,000;
  // GET and HEAD $0.0004 per 1,000; DELETE free.
  double cost_usd = 0;

  uint64_t Total() const;
};

// The price of `count` requests of `kind` (a by_kind name) at S3 Standard's list prices.
double S3StandardPrice(const std::string& kind, uint64_t count);

// "requests: 12 LIST, 40 GET, 1 DELETE batch (2 retries); $0.000076 at S3 Standard prices\n".
std::string RequestTallyText(const RequestTally& tally);

// The tally as the JSON reports' "requests" object.
void WriteRequestTally(JsonWriter& json, const RequestTally& tally);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_REQUEST_TALLY_H_
