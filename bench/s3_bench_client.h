// What the S3 bench programs (s3_put_tree, s3_gc_floor) share: their `[--depth N] ... ROOT`
// arguments, a client for `s3://BUCKET/PREFIX` reached as regsweep reaches it (endpoint and
// credentials from the environment, core/s3/s3_location.h), and a whole paginated listing.
#ifndef REGSWEEP_BENCH_S3_BENCH_CLIENT_H_
#define REGSWEEP_BENCH_S3_BENCH_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "core/s3/s3_client.h"

namespace regsweep::bench {

// A client for the bucket of `root` ("s3://BUCKET[/PREFIX]") with `depth` requests in flight;
// *prefix is PREFIX with a trailing '/' ("" for the bucket's top). Nullptr with *error.
std::unique_ptr<s3::Client> OpenBenchClient(const std::string& root, unsigned depth,
                                            std::string* prefix, std::string* error);

// Every page of the keys below `prefix` (with a `delimiter`, the common prefixes too); false
// when a page failed (the bench programs stop: a floor that skipped keys would mean nothing).
bool ListAll(s3::Client& client, const std::string& prefix, const std::string& delimiter,
             std::vector<s3::ObjectInfo>* objects, std::vector<std::string>* common_prefixes);

// The requests `client` sent, as "LIST 12, GET 40, ... (N in all, R retries)".
std::string RequestSummary(const s3::Client& client);

}  // namespace regsweep::bench

#endif  // REGSWEEP_BENCH_S3_BENCH_CLIENT_H_
