// Test support: an in-memory bucket behind the scripted HTTP server (testing/http_test_server),
// for fault tests of the S3 backend (core/s3) over real HTTP: the client's sockets, retries and
// curl's error paths are the real ones, and a test decides, request by request, which answers a
// store would rarely give (503 SlowDown, 500, a connection reset in the middle of a body, an
// answer lost after the store acted, keys a DeleteObjects could not delete).
//
// It is a fault injector, not an S3 emulator: it checks no signature and no credentials, knows
// one bucket, and speaks only the path-style requests regsweep sends:
//   GET  /BUCKET?list-type=2&prefix=..&delimiter=..&continuation-token=..&max-keys=..
//   GET, HEAD, PUT (If-None-Match: * answered 412 when the key exists), DELETE /BUCKET/KEY
//   POST /BUCKET?delete= with a DeleteObjects body (Content-MD5 checked, at most 1000 keys),
//        answered with a DeleteResult (only the failed keys in quiet mode).
// Listings come in pages of `page_size` keys (or common prefixes), fewer than S3's 1000 so that
// small trees exercise continuation; tokens are opaque strings holding '/', '+' and '='.
// S3's real behaviour is tested against Ceph RGW (scripts/ceph-rgw.sh).
#ifndef REGSWEEP_TESTS_TESTING_FAKE_BUCKET_H_
#define REGSWEEP_TESTS_TESTING_FAKE_BUCKET_H_

#include <boost/filesystem.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tests/testing/http_test_server.h"

namespace regsweep::testing {

// A request as the bucket understood it, for the fault hook.
struct BucketRequest {
  enum class Kind : uint8_t { kList, kGet, kHead, kPut, kDelete, kDeleteObjects, kOther };
  Kind kind = Kind::kOther;
  std::string key;  // kGet, kHead, kPut, kDelete
  // kList
  std::string prefix;
  std::string delimiter;
  std::string continuation_token;
  std::vector<std::string> delete_keys;  // kDeleteObjects, in the order sent
  // How many requests identical to this one (method, target and body) came before it since the
  // bucket was made or its history forgotten: 0 for a first attempt, 1 for its first retry...
  unsigned repeat = 0;
  const HttpRequest* http = nullptr;
};

// "LIST", "GET", "HEAD", "PUT", "DELETE", "DELETE batch" (core/s3/s3_client.h's names), "OTHER".
const char* BucketRequestKindName(BucketRequest::Kind kind);

// What the bucket does with a request instead of answering it normally.
struct Fault {
  enum class Kind : uint8_t {
    kNone,
    kSlowDown,       // 503 SlowDown; nothing done
    kInternalError,  // 500 InternalError; nothing done
    kClose,          // the connection closed before the request was carried out; nothing done
    kLoseAnswer,     // carried out, then the connection closed without a byte of answer
    kResetInBody,    // carried out, then half the answer's body sent and the connection reset
                     // (an answer without a body, or to a HEAD: as kLoseAnswer)
  };
  Kind kind = Kind::kNone;
  // For a DeleteObjects request answered normally: these keys are not deleted and come back as
  // <Error> entries with Code AccessDenied.
  std::set<std::string> denied_keys;

  static Fault None() { return {}; }
  static Fault Of(Kind kind) {
    Fault fault;
    fault.kind = kind;
    return fault;
  }
};

// Decides, for each request, whether and how to disturb it. Called on the server's connection
// threads, several at once, without the bucket's lock held (a hook may block to hold a request).
using FaultHook = std::function<Fault(const BucketRequest&)>;

// What the bucket was asked, since it was made or its stats reset.
struct BucketStats {
  std::map<std::string, uint64_t> requests;  // by BucketRequestKindName, faulted ones included
  uint64_t faults = 0;                       // requests the hook disturbed (denied keys included)
  std::vector<std::vector<std::string>> delete_batches;  // the keys of each DeleteObjects request
  std::vector<std::string> deleted;  // keys removed, by DELETE or DeleteObjects, as removed
  std::vector<std::string> denied;   // keys a DeleteObjects answered AccessDenied

  uint64_t Count(BucketRequest::Kind kind) const;
  // Requests that can change the bucket (PUT, DELETE, DeleteObjects).
  uint64_t Writes() const;
};

class FakeBucket {
 public:
  explicit FakeBucket(std::string name = "bucket", size_t page_size = 3);
  ~FakeBucket();
  FakeBucket(const FakeBucket&) = delete;
  FakeBucket& operator=(const FakeBucket&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const;  // "http://127.0.0.1:PORT": the endpoint (AWS_ENDPOINT_URL)

  void set_page_size(size_t keys);
  void set_fault_hook(FaultHook hook);

  // Contents.
  void PutObject(const std::string& key, std::string data, int64_t mtime_ns);
  // Loads the registry whose rootdirectory is `root` (which holds docker/registry/v2): every
  // regular file below the v2 folder becomes the key PREFIX/docker/registry/v2/<relative path>
  // (docker/registry/v2/<relative path> when `prefix` is empty), its mtime the LastModified.
  // Returns the number of keys loaded.
  size_t LoadRegistry(const boost::filesystem::path& root, const std::string& prefix);
  // Every key (starting with `prefix`), sorted.
  std::vector<std::string> Keys(std::string_view prefix = {}) const;
  std::optional<std::string> Object(const std::string& key) const;
  // Writes every key below `key_prefix` (ending in '/') as a file below `folder`, named by the
  // rest of its key, with its LastModified as mtime: the bucket as a tree on disk again.
  void WriteTree(const std::string& key_prefix, const boost::filesystem::path& folder) const;

  // What was asked.
  BucketStats stats() const;
  // Clears the stats and the request history `BucketRequest::repeat` counts in.
  void ResetStats();

 private:
  struct Stored {
    std::string data;
    int64_t mtime_ns = 0;
    std::string etag;  // MD5, hex
  };

  HttpResponse Handle(const HttpRequest& http);
  HttpResponse Carry(const BucketRequest& request, const Fault& fault);
  HttpResponse List(const BucketRequest& request, size_t max_keys);
  HttpResponse DeleteObjects(const BucketRequest& request, const Fault& fault);

  const std::string name_;
  mutable std::mutex mutex_;  // guards everything below but the server
  size_t page_size_;
  FaultHook hook_;
  std::map<std::string, Stored> objects_;
  std::unordered_map<std::string, unsigned> seen_;  // request identity -> times received
  BucketStats stats_;

  // Last: destroyed first, so that no handler runs on a bucket being destroyed.
  std::unique_ptr<HttpTestServer> server_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_FAKE_BUCKET_H_
