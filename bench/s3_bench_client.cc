// What the S3 bench programs share (bench/s3_bench_client.h).
#include "bench/s3_bench_client.h"

#include <cstdio>

#include "core/s3/s3_location.h"

namespace regsweep::bench {

std::unique_ptr<s3::Client> OpenBenchClient(const std::string& root, unsigned depth,
                                            std::string* prefix, std::string* error) {
  s3::Location location;
  if (!s3::ParseS3Root(root, &location, error) ||
      !s3::FillFromEnvironment(s3::ProcessEnvironment(), &location, error)) {
    return nullptr;
  }
  *prefix = location.prefix.empty() ? "" : location.prefix + "/";
  s3::ClientOptions options;
  options.max_in_flight = depth;
  return std::make_unique<s3::Client>(location.endpoint, location.credentials, options);
}

bool ListAll(s3::Client& client, const std::string& prefix, const std::string& delimiter,
             std::vector<s3::ObjectInfo>* objects, std::vector<std::string>* common_prefixes) {
  std::string token;
  do {
    s3::ListPage page;
    const s3::Result result = client.ListObjects(prefix, delimiter, token, &page);
    if (!result.ok()) {
      std::fprintf(stderr, "listing %s: %s\n", prefix.c_str(), result.Text().c_str());
      return false;
    }
    for (s3::ObjectInfo& object : page.objects) objects->push_back(std::move(object));
    if (common_prefixes != nullptr) {
      for (std::string& common : page.common_prefixes) common_prefixes->push_back(common);
    }
    token = page.truncated ? page.next_token : "";
  } while (!token.empty());
  return true;
}

std::string RequestSummary(const s3::Client& client) {
  const s3::RequestCounts counts = client.counts();
  std::string text;
  uint64_t all = 0;
  for (size_t k = 0; k < s3::kRequestKinds; ++k) {
    if (counts.sent[k] == 0) continue;
    if (!text.empty()) text += ", ";
    text += s3::RequestKindName(static_cast<s3::RequestKind>(k));
    text += " " + std::to_string(counts.sent[k]);
    all += counts.sent[k];
  }
  return text + " (" + std::to_string(all) + " in all, " + std::to_string(counts.retries) +
         " retries)";
}

}  // namespace regsweep::bench
