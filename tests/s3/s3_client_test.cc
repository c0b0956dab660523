// Tests for the S3 client's transport (core/s3/s3_client) over real HTTP, against the scripted
// test server: what goes on the wire (SigV4, the canonical query, Content-MD5), what each kind of
// answer comes to (retried, answered at once, too large), the failures of the network (a
// connection closed, a reset in a body), and the limits (in flight, per second). S3's own
// behaviour is tested against Ceph RGW elsewhere.
#include "core/s3/s3_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/timestamps.h"
#include "tests/testing/http_test_server.h"

namespace regsweep::s3 {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpTestServer;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr char kBucket[] = "bucket";

Credentials TestCredentials() {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"};
}

// Quick retries: the tests wait for attempts, not for the backoff.
ClientOptions FastOptions() {
  ClientOptions options;
  options.base_backoff_ms = 1;
  options.max_attempts = 4;
  return options;
}

Endpoint EndpointOf(const HttpTestServer& server) {
  Endpoint endpoint;
  endpoint.url = server.url();
  endpoint.bucket = kBucket;
  return endpoint;
}

HttpResponse S3Error(int status, const std::string& code, const std::string& message) {
  HttpResponse response = HttpResponse::Answer(
      status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                  "</Code><Message>" + message + "</Message><RequestId>tx1</RequestId></Error>");
  response.headers.emplace_back("Content-Type", "application/xml");
  return response;
}

// A handler that answers the n-th request (from 0) with script(n).
HttpTestServer::Handler Scripted(std::function<HttpResponse(int)> script) {
  auto count = std::make_shared<std::atomic<int>>(0);
  return [count, script = std::move(script)](const HttpRequest&) { return script((*count)++); };
}

// Undoes UriEncode's %XX, to read back the query parameters a request was sent with.
std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      decoded += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

// The parameters of a query string as sent, decoded.
Params DecodeQuery(std::string_view query) {
  Params params;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t equals = pair.find('=');
    params.emplace_back(
        PercentDecode(pair.substr(0, equals)),
        equals == std::string_view::npos ? "" : PercentDecode(pair.substr(equals + 1)));
  }
  return params;
}

// The Authorization header a recorded request should carry: SigV4 recomputed from what the
// server received (the payload hash from the body received, not from the header sent).
std::string ExpectedAuthorization(const HttpRequest& request) {
  RequestToSign sign;
  sign.method = request.method;
  sign.host = request.Header("host");
  sign.path = request.Path();
  sign.query = DecodeQuery(request.Query());
  sign.payload_sha256 = Sha256Hex(request.body);
  sign.amz_date = request.Header("x-amz-date");
  sign.region = "us-east-1";
  return Authorization(sign, TestCredentials());
}

// What every request must carry: SigV4's headers, consistent with the body that was received.
void ExpectSigned(const HttpRequest& request, const HttpTestServer& server) {
  EXPECT_EQ(request.Header("host"), server.authority());
  EXPECT_EQ(request.Header("x-amz-content-sha256"), Sha256Hex(request.body));
  EXPECT_EQ(request.Header("x-amz-security-token"), "session-token");
  EXPECT_EQ(request.Header("x-amz-date").size(), 16u) << request.Header("x-amz-date");
  EXPECT_EQ(request.Header("authorization"), ExpectedAuthorization(request));
}

TEST(S3ClientTest, PutSendsItsBodySignedWithSigV4) {
  HttpTestServer server([](const HttpRequest&) { return HttpResponse::Answer(200); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  const Result result = client.Put("dir/a b+c.txt", "hello");
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(result.attempts, 1u);
  const std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& put = requests[0];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.target, "/bucket/dir/a%20b%2Bc.txt");
  EXPECT_EQ(put.body, "hello");
  EXPECT_FALSE(put.HasHeader("expect"));
  ExpectSigned(put, server);
  EXPECT_EQ(client.counts().sent[static_cast<size_t>(RequestKind::kPut)], 1u);
}

TEST(S3ClientTest, VirtualHostedStyleNamesTheBucketInTheHost) {
  HttpTestServer server([](const HttpRequest&) { return HttpResponse::Answer(200); });
  Endpoint endpoint = EndpointOf(server);
  // curl resolves every *.localhost name to the loopback address (RFC 6761).
  endpoint.url = "http://localhost:" + server.authority().substr(server.authority().find(':') + 1);
  endpoint.path_style = false;
  Client client(endpoint, TestCredentials(), FastOptions());
  const Result result = client.Put("dir/a b", "v");
  ASSERT_TRUE(result.ok()) << result.Text();
  const HttpRequest put = server.requests().at(0);
  EXPECT_EQ(put.target, "/dir/a%20b");
  EXPECT_EQ(put.Header("host"), "bucket." + endpoint.url.substr(std::string("http://").size()));
  EXPECT_EQ(put.Header("authorization"), ExpectedAuthorization(put));
}

TEST(S3ClientTest, ListSendsTheCanonicalQueryAndReadsThePage) {
  HttpTestServer server([](const HttpRequest&) {
    return HttpResponse::Answer(
        200,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>bucket</Name><Prefix>a b/c/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
        "<Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>"
        "<Contents><Key>a b/c/x</Key><LastModified>2026-12-05T14:00:00.000Z</LastModified>"
        "<ETag>&quot;abc&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>"
        "<CommonPrefixes><Prefix>a b/c/d/</Prefix></CommonPrefixes></ListBucketResult>");
  });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  ListPage page;
  const Result first = client.ListObjects("a b/c/", "/", "", &page);
  ASSERT_TRUE(first.ok()) << first.Text();
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "a b/c/x");
  EXPECT_EQ(page.objects[0].size, 3u);
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"a b/c/d/"});
  ASSERT_TRUE(client.ListObjects("a b/c/", "", "token/+=", &page).ok());

  const std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].Path(), "/bucket");
  EXPECT_EQ(
      requests[0].Query(),
      CanonicalQuery(
          {{"delimiter", "/"}, {"list-type", "2"}, {"max-keys", "1000"}, {"prefix", "a b/c/"}}));
  EXPECT_NE(requests[0].Query().find("prefix=a%20b%2Fc%2F"), std::string::npos)
      << requests[0].Query();
  EXPECT_EQ(requests[1].Query(), CanonicalQuery({{"continuation-token", "token/+="},
                                                 {"list-type", "2"},
                                                 {"max-keys", "1000"},
                                                 {"prefix", "a b/c/"}}));
  for (const HttpRequest& request : requests) ExpectSigned(request, server);
}

TEST(S3ClientTest, ListAnswerThatIsNotAPageIsBadXml) {
  HttpTestServer server([](const HttpRequest&) { return HttpResponse::Answer(200, "<html>"); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  ListPage page;
  const Result result = client.ListObjects("", "", "", &page);
  EXPECT_EQ(result.status.code, IoCode::kIoError);
  EXPECT_EQ(result.code, "BadXml") << result.Text();
}

TEST(S3ClientTest, GetReadsTheObjectAndItsHeaders) {
  HttpTestServer server([](const HttpRequest&) {
    HttpResponse response = HttpResponse::Answer(200, "content");
    response.headers = {{"Last-Modified", "Sat, 05 Dec 2026 14:00:00 GMT"}, {"ETag", "\"abc\""}};
    return response;
  });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("docker/x", 100, &body, &info);
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(body, "content");
  EXPECT_EQ(info.key, "docker/x");
  EXPECT_EQ(info.size, 7u);
  EXPECT_EQ(info.etag, "abc");
  EXPECT_EQ(info.mtime_ns,
            (DaysFromCivil(2026, 12, 5) * 86400 + int64_t{14} * 3600) * 1'000'000'000);
  EXPECT_EQ(client.counts().bytes_received, 7u);
}

TEST(S3ClientTest, HeadReadsTheSizeWithoutABody) {
  HttpTestServer server(
      [](const HttpRequest&) { return HttpResponse::Answer(200, std::string(1234, 'x')); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  ObjectInfo info;
  const Result result = client.Head("k", &info);
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(info.size, 1234u);
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
  EXPECT_EQ(client.counts().sent[static_cast<size_t>(RequestKind::kHead)], 1u);
}

TEST(S3ClientTest, GetOfAnObjectLargerThanMaxBytesStopsAndSaysSo) {
  HttpTestServer server(
      [](const HttpRequest&) { return HttpResponse::Answer(200, std::string(100000, 'x')); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("big", 1000, &body, &info);
  EXPECT_EQ(result.status.code, IoCode::kIoError);
  EXPECT_TRUE(result.too_large);
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_NE(result.Text().find("larger than 1000 bytes"), std::string::npos) << result.Text();
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(S3ClientTest, DeleteSucceedsWhetherOrNotTheKeyIsThere) {
  HttpTestServer server(Scripted([](int n) {
    return n == 0 ? HttpResponse::Answer(204) : S3Error(404, "NoSuchKey", "gone");
  }));
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  EXPECT_TRUE(client.Delete("a").ok());
  EXPECT_TRUE(client.Delete("a").ok());
  EXPECT_EQ(server.requests().at(0).method, "DELETE");
  EXPECT_EQ(client.counts().keys_deleted, 1u) << "the second found nothing to delete";
}

TEST(S3ClientTest, DeleteObjectsSendsContentMd5AndReportsTheKeysThatFailed) {
  HttpTestServer server([](const HttpRequest&) {
    return HttpResponse::Answer(
        200,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Error><Key>b</Key>"
        "<Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>");
  });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  const std::vector<std::string> keys = {"a", "b", "c d&e"};
  std::vector<DeleteError> failed;
  const Result result = client.DeleteObjects(keys, &failed);
  ASSERT_TRUE(result.ok()) << result.Text();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].key, "b");
  EXPECT_EQ(failed[0].code, "AccessDenied");

  const HttpRequest request = server.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/bucket?delete=");
  EXPECT_EQ(request.body, DeleteRequestBody(keys));
  EXPECT_EQ(request.Header("content-md5"), Md5Base64(request.body));
  EXPECT_EQ(request.Header("content-type"), "application/xml");
  EXPECT_FALSE(request.HasHeader("expect"));
  ExpectSigned(request, server);
  const RequestCounts counts = client.counts();
  EXPECT_EQ(counts.keys_deleted, 2u);
  EXPECT_EQ(counts.sent[static_cast<size_t>(RequestKind::kDeleteBatch)], 1u);
}

TEST(S3ClientRetryTest, SlowDownIsRetriedUntilItPasses) {
  HttpTestServer server(Scripted([](int n) {
    return n < 2 ? S3Error(503, "SlowDown", "Please reduce your request rate.")
                 : HttpResponse::Answer(200, "data");
  }));
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("k", 100, &body, &info);
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(body, "data");
  EXPECT_EQ(result.attempts, 3u);
  const RequestCounts counts = client.counts();
  EXPECT_EQ(counts.retries, 2u);
  EXPECT_EQ(counts.sent[static_cast<size_t>(RequestKind::kGet)], 3u);
  // Each attempt is signed afresh, and correctly.
  for (const HttpRequest& request : server.requests()) ExpectSigned(request, server);
}

TEST(S3ClientRetryTest, InternalErrorGivesUpAfterMaxAttempts) {
  HttpTestServer server([](const HttpRequest&) {
    return S3Error(500, "InternalError", "We encountered an internal error.");
  });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("k", 100, &body, &info);
  EXPECT_EQ(result.status.code, IoCode::kIoError);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_EQ(result.status.http_status, 500);
  EXPECT_EQ(result.code, "InternalError");
  EXPECT_EQ(result.attempts, 4u);
  EXPECT_EQ(server.request_count(), 4u);
  EXPECT_EQ(result.Text(),
            "HTTP 500 InternalError: We encountered an internal error. (4 attempts)");
  // What callers past the client see (a finding's reason) says as much.
  EXPECT_EQ(result.status.Text(), result.Text());
}

TEST(S3ClientRetryTest, NotFoundIsAnsweredAtOnce) {
  HttpTestServer server(
      [](const HttpRequest&) { return S3Error(404, "NoSuchKey", "The key does not exist."); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("k", 100, &body, &info);
  EXPECT_EQ(result.status.code, IoCode::kNotFound);
  EXPECT_EQ(result.code, "NoSuchKey");
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(S3ClientRetryTest, ForbiddenIsDeniedAtOnce) {
  HttpTestServer server(
      [](const HttpRequest&) { return S3Error(403, "AccessDenied", "Access Denied"); });
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  const Result result = client.Put("k", "v");
  EXPECT_EQ(result.status.code, IoCode::kDenied);
  EXPECT_EQ(result.code, "AccessDenied");
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(S3ClientRetryTest, ConnectionClosedWithoutAnAnswerIsRetried) {
  HttpTestServer server(Scripted(
      [](int n) { return n == 0 ? HttpResponse::Close() : HttpResponse::Answer(200, "data"); }));
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  std::string body;
  ObjectInfo info;
  const Result result = client.Get("k", 100, &body, &info);
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(body, "data");
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(S3ClientRetryTest, RefusedConnectionFailsWithCurlsErrorAfterMaxAttempts) {
  std::string url;
  {
    HttpTestServer closed([](const HttpRequest&) { return HttpResponse::Answer(200); });
    url = closed.url();
  }
  Endpoint endpoint;
  endpoint.url = url;
  endpoint.bucket = kBucket;
  Client client(endpoint, TestCredentials(), FastOptions());
  const Result result = client.Delete("k");
  EXPECT_EQ(result.status.code, IoCode::kIoError);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.code, "CURLE_COULDNT_CONNECT") << result.Text();
  EXPECT_EQ(result.attempts, 4u);
  EXPECT_EQ(result.status.Text().rfind("CURLE_COULDNT_CONNECT: ", 0), 0u) << result.status.Text();
  EXPECT_NE(result.status.Text().find("(4 attempts)"), std::string::npos);
}

TEST(S3ClientRetryTest, ResetInTheBodyStartsTheStreamOver) {
  std::string object(200000, '\0');
  for (size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>('a' + i % 26);
  HttpTestServer server(Scripted([&object](int n) {
    return n == 0 ? HttpResponse::ResetInBody(object, 1000) : HttpResponse::Answer(200, object);
  }));
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  int begins = 0;
  std::string streamed;
  ObjectInfo info;
  const Result result = client.GetStream(
      "blob",
      [&] {
        ++begins;
        streamed.clear();
      },
      [&](const unsigned char* data, size_t size) {
        streamed.append(reinterpret_cast<const char*>(data), size);
      },
      &info);
  ASSERT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_EQ(begins, 2);
  EXPECT_TRUE(streamed == object) << "after the last begin(): " << streamed.size() << " bytes";
  EXPECT_EQ(info.size, object.size());
}

TEST(S3ClientTest, ClosingFinishesTheTransferInFlight) {
  HttpTestServer server([](const HttpRequest&) {
    HttpResponse response = HttpResponse::Answer(200, "late");
    response.delay = std::chrono::milliseconds(200);
    return response;
  });
  auto client = std::make_unique<Client>(EndpointOf(server), TestCredentials(), FastOptions());
  Result result;
  std::string body;
  std::thread caller([&] {
    ObjectInfo info;
    result = client->Get("k", 100, &body, &info);
  });
  while (server.request_count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  client.reset();
  caller.join();
  EXPECT_TRUE(result.ok()) << result.Text();
  EXPECT_EQ(body, "late");
}

TEST(S3ClientTest, ClosingFailsTheRequestsStillWaiting) {
  HttpTestServer server([](const HttpRequest&) { return S3Error(503, "SlowDown", "slow down"); });
  ClientOptions options = FastOptions();
  // The retry waits about a second for its rate token: time to close the client meanwhile.
  options.max_requests_per_second = 1;
  auto client = std::make_unique<Client>(EndpointOf(server), TestCredentials(), options);
  Result result;
  std::thread caller([&] { result = client->Delete("k"); });
  // The 503's body is counted when the answer is read, just before the retry is scheduled.
  while (client->counts().bytes_received == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  client.reset();
  caller.join();
  EXPECT_EQ(result.status.code, IoCode::kIoError);
  EXPECT_EQ(result.code, "ClientClosed") << result.Text();
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(server.request_count(), 1u);
}

// Runs `calls_per_thread` Head requests from each of `threads` threads at once.
void HeadFromThreads(Client* client, int threads, int calls_per_thread) {
  std::vector<std::thread> callers;
  callers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([client, calls_per_thread] {
      for (int i = 0; i < calls_per_thread; ++i) {
        ObjectInfo info;
        const Result result = client->Head("k", &info);
        EXPECT_TRUE(result.ok()) << result.Text();
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
}

HttpTestServer::Handler Slow(std::chrono::milliseconds delay) {
  return [delay](const HttpRequest&) {
    HttpResponse response = HttpResponse::Answer(200);
    response.delay = delay;
    return response;
  };
}

TEST(S3ClientConcurrencyTest, NoMoreThanMaxInFlightAtOnce) {
  HttpTestServer server(Slow(std::chrono::milliseconds(50)));
  ClientOptions options = FastOptions();
  options.max_in_flight = 4;
  Client client(EndpointOf(server), TestCredentials(), options);
  HeadFromThreads(&client, 8, 2);
  EXPECT_EQ(server.request_count(), 16u);
  EXPECT_LE(server.max_concurrent(), 4);
  EXPECT_GE(server.max_concurrent(), 2) << "the four slots are used";
}

TEST(S3ClientConcurrencyTest, ManyCallersAreInFlightTogether) {
  HttpTestServer server(Slow(std::chrono::milliseconds(100)));
  Client client(EndpointOf(server), TestCredentials(), FastOptions());
  HeadFromThreads(&client, 16, 1);
  EXPECT_GE(server.max_concurrent(), 8);
}

TEST(S3ClientConcurrencyTest, RateLimitSpacesTheAttempts) {
  HttpTestServer server([](const HttpRequest&) { return HttpResponse::Answer(200); });
  ClientOptions options = FastOptions();
  options.max_requests_per_second = 50;
  Client client(EndpointOf(server), TestCredentials(), options);
  const auto start = std::chrono::steady_clock::now();
  HeadFromThreads(&client, 4, 5);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // 20 attempts at 50 a second: 19 gaps of 20 ms; only the lower bound is a property.
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_EQ(server.request_count(), 20u);
}

}  // namespace
}  // namespace regsweep::s3
