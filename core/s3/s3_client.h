// An S3 client over libcurl's multi interface: the requests regsweep sends to an
// S3-compatible object store (list a prefix, get, head, put, delete, delete many), signed with
// SigV4 (core/s3/sigv4.h), retried, counted and rate limited.
//
// Callers block: each call returns once its answer is in (retries included), and any number of
// threads may call at once. The client keeps every caller's transfer in one curl multi handle
// driven by its own thread, up to `max_in_flight` at once, over reused keep-alive
// connections: many requests in flight cost threads only where the callers are, not in the
// transport. Failures that may pass (HTTP 500, 502, 503 including SlowDown, 504, a dropped or
// refused connection, a timeout) are retried with exponential backoff and full jitter; the
// rest are answered at once. Nothing here knows about registries.
#ifndef REGSWEEP_CORE_S3_S3_CLIENT_H_
#define REGSWEEP_CORE_S3_S3_CLIENT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io_status.h"
#include "core/s3/s3_xml.h"
#include "core/s3/sigv4.h"

namespace regsweep::s3 {

// Where the bucket is.
struct Endpoint {
  std::string url;  // scheme, host and port, no trailing slash: "http://127.0.0.1:7480"
  std::string region = "us-east-1";
  std::string bucket;
  // Path-style requests (URL/BUCKET/KEY), as Ceph RGW and MinIO want; virtual-hosted style
  // (BUCKET.HOST/KEY) otherwise.
  bool path_style = true;
};

struct ClientOptions {
  unsigned max_in_flight = 64;         // transfers running at once
  double max_requests_per_second = 0;  // 0: no limit; retries count too
  unsigned max_attempts = 6;           // per request, the first one included
  unsigned base_backoff_ms = 50;  // attempt n waits a random time in [0, base * 2^n), at most 5 s
  long connect_timeout_ms = 10000;
  long stall_timeout_s = 60;  // a transfer that receives nothing for this long fails
};

// The kinds of request counted and priced (S3 Standard: LIST, PUT and POST $0.005 per 1,000;
// GET and HEAD $0.0004 per 1,000; DELETE free).
enum class RequestKind : uint8_t { kList, kGet, kHead, kPut, kDelete, kDeleteBatch };
inline constexpr size_t kRequestKinds = 6;
const char* RequestKindName(
    RequestKind kind);  // "LIST", "GET", "HEAD", "PUT", "DELETE", "DELETE batch"

struct RequestCounts {
  std::array<uint64_t, kRequestKinds> sent{};  // every attempt, by kind
  uint64_t retries = 0;                        // attempts after a first one
  uint64_t bytes_received = 0;                 // response bodies
  uint64_t keys_deleted = 0;  // keys named in DeleteObjects and Delete requests that succeeded
};

// What a request came to.
struct Result {
  IoStatus status;         // kOk; kNotFound (404); kDenied (401, 403); kIoError otherwise
  long http_status = 0;    // 0 when no answer came (the connection failed)
  std::string code;        // S3's error <Code>, or curl's error name when no answer came
  std::string message;     // S3's <Message>, or curl's error text
  bool too_large = false;  // Get: the object is larger than max_bytes (status kIoError)
  unsigned attempts = 0;

  bool ok() const { return status.ok(); }
  // For messages: "HTTP 503 SlowDown: Please reduce your request rate. (6 attempts)".
  std::string Text() const;
  // The same without the HTTP status: "SlowDown: Please reduce your request rate. (6 attempts)"
  // (status.detail of a failure).
  std::string Detail() const;
};

class Client {
 public:
  Client(Endpoint endpoint, Credentials credentials, ClientOptions options);
  ~Client();  // finishes the transfers in flight, then stops the transport thread
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Endpoint& endpoint() const;

  // ListObjectsV2 (list-type=2, max-keys 1000): one page of the keys starting with `prefix`,
  // after `continuation_token` (empty for the first page). With a `delimiter` ("/"), keys with
  // it after the prefix come back as common prefixes.
  Result ListObjects(std::string_view prefix, std::string_view delimiter,
                     std::string_view continuation_token, ListPage* page);
  // GET of a whole object of at most `max_bytes` into *body; *info gets its size, mtime
  // (Last-Modified) and ETag (info->key is `key`).
  Result Get(std::string_view key, size_t max_bytes, std::string* body, ObjectInfo* info);
  // GET of a whole object, handed to `consume` as it arrives, after `begin()`; when a retry
  // starts the object over, `begin()` is called again. The callbacks run on the transport
  // thread and must be quick and must not call the client.
  Result GetStream(std::string_view key, const std::function<void()>& begin,
                   const std::function<void(const unsigned char*, size_t)>& consume,
                   ObjectInfo* info);
  // HEAD: *info as Get's.
  Result Head(std::string_view key, ObjectInfo* info);
  // PUT of `body` (small: sent in one request, signed with its SHA-256).
  Result Put(std::string_view key, std::string_view body);
  // PUT of `body` only if `key` does not exist yet (If-None-Match: *): a store that honours it
  // answers HTTP 412 when the key exists (result.http_status 412, status kIoError). Stores
  // without conditional writes ignore the header and overwrite.
  Result PutIfAbsent(std::string_view key, std::string_view body);
  // DELETE of one key (a key that is not there is a success, as S3 answers 204).
  Result Delete(std::string_view key);
  // POST ?delete of up to 1000 keys (Content-MD5, quiet mode). The request's own failure is
  // the result; the keys the store could not delete are in *failed (the result is then ok).
  Result DeleteObjects(const std::vector<std::string>& keys, std::vector<DeleteError>* failed);

  // What has been sent so far.
  RequestCounts counts() const;

 private:
  class Transport;
  std::unique_ptr<Transport> transport_;
};

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_CLIENT_H_
