// The few S3 XML documents regsweep reads and writes: a ListObjectsV2 page, a DeleteObjects
// request and its answer, and an error answer. Parsed with pugixml (Debian libpugixml-dev).
// Parsing never trusts the document: a malformed or unexpected one is an error with a reason,
// never a crash or a partly filled result that looks complete.
#ifndef REGSWEEP_CORE_S3_S3_XML_H_
#define REGSWEEP_CORE_S3_S3_XML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regsweep::s3 {

// One key of a listing.
struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // LastModified, nanoseconds since the epoch (UTC)
  std::string etag;      // without its quotes
};

// One page of ListObjectsV2.
struct ListPage {
  std::vector<ObjectInfo> objects;           // <Contents>, in the order given (key order)
  std::vector<std::string> common_prefixes;  // <CommonPrefixes><Prefix>, when a delimiter was sent
  bool truncated = false;                    // <IsTruncated>true</IsTruncated>
  std::string next_token;                    // <NextContinuationToken> when truncated
};

// Parses a ListObjectsV2 answer into *page. False with *error when the document is not one
// (truncated without a token is an error: the listing could not go on).
bool ParseListPage(std::string_view xml, ListPage* page, std::string* error);

// The body of a DeleteObjects request for `keys` (at most 1000), with <Quiet>true</Quiet> so
// that the answer names only the keys that failed. Keys are XML-escaped.
std::string DeleteRequestBody(const std::vector<std::string>& keys);

// One key a DeleteObjects answer reports as failed.
struct DeleteError {
  std::string key;
  std::string code;  // "AccessDenied", "InternalError", ...
  std::string message;
};

// Parses a DeleteObjects answer: the <Error> entries into *errors (the <Deleted> entries are
// ignored). False with *error when the document is not a DeleteResult.
bool ParseDeleteResult(std::string_view xml, std::vector<DeleteError>* errors, std::string* error);

// An S3 error answer (<Error><Code>..</Code><Message>..</Message></Error>): *code and *message;
// false when the body is not one (then both are left empty).
bool ParseErrorBody(std::string_view xml, std::string* code, std::string* message);

// Parses an S3 timestamp ("2009-10-12T17:50:30.000Z", as in LastModified) into nanoseconds
// since the epoch; false when it is not one.
bool ParseS3Time(std::string_view text, int64_t* ns);

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_XML_H_
