// AWS Signature Version 4 for S3 requests, computed with OpenSSL (no SDK).
//
// The caller describes a request exactly as it will be sent (method, host, the already
// encoded path, the query parameters, the headers it signs, the payload's SHA-256) and gets
// back the Authorization header value. Query parameters are given unencoded: Authorization
// encodes and sorts them itself, so the caller must send the string CanonicalQuery returns,
// byte for byte. Reference: "Signature Version 4 signing process" and "Authenticating Requests
// (AWS Signature Version 4)" in the S3 API documentation; the tests use the examples published
// there.
#ifndef REGSWEEP_CORE_S3_SIGV4_H_
#define REGSWEEP_CORE_S3_SIGV4_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regsweep::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // sent as x-amz-security-token when not empty
};

// The SHA-256 of an empty payload, as a lowercase hex string.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct RequestToSign {
  std::string method;  // "GET", "HEAD", "POST", "PUT", "DELETE"
  std::string host;    // the Host header as sent: "127.0.0.1:7480" or "bucket.s3.amazonaws.com"
  std::string path;    // already URI-encoded (UriEncode(key, false)), starting with "/"
  std::vector<std::pair<std::string, std::string>> query;  // unencoded names and values
  // The other headers to sign, names in lowercase (range, content-md5, ...). host,
  // x-amz-date and (for s3) x-amz-content-sha256 are signed from the fields here unless listed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256;  // lowercase hex; x-amz-content-sha256 must carry the same
  std::string amz_date;        // "20150830T123600Z"; x-amz-date must carry the same
  std::string region;          // "us-east-1"
  std::string service = "s3";
};

// RFC 3986 encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - . _ ~ as %XX (uppercase
// hex), and '/' kept as is unless `encode_slash`.
std::string UriEncode(std::string_view text, bool encode_slash);

// The query string to send and sign: names and values encoded, sorted by name then value,
// joined with '&' ("" for none). A parameter with an empty value is "name=".
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

// The canonical request of SigV4's first step (exposed for tests and for debugging signature
// mismatches); without x-amz-security-token, which Authorization adds with the credentials.
std::string CanonicalRequest(const RequestToSign& request);

// The Authorization header's value, in the form of AWS's S3 examples: "AWS4-HMAC-SHA256
// Credential=AKID/DATE/REGION/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;
// x-amz-date,Signature=HEX" (one line). With a session token, x-amz-security-token is signed too
// (the request must send it). Header values are signed trimmed, inner runs of spaces as one,
// and a repeated header as its values joined by ','.
std::string Authorization(const RequestToSign& request, const Credentials& credentials);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Base64 of the MD5 of `data` (the Content-MD5 header DeleteObjects requires).
std::string Md5Base64(std::string_view data);
// "YYYYMMDDTHHMMSSZ" for `unix_seconds`, UTC.
std::string AmzDate(long long unix_seconds);

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_SIGV4_H_
