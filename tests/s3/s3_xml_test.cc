// Tests for the S3 XML documents: AWS's published examples, answers in Ceph RGW's form, and
// the malformed documents that must be refused rather than half read.
#include "core/s3/s3_xml.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <string>
#include <vector>

namespace regsweep::s3 {
namespace {

constexpr int64_t kNs = 1000000000;

// ---------------------------------------------------------------------------------------------
// ListObjectsV2. Examples 1, 3 and 4 of https://docs.aws.amazon.com/AmazonS3/latest/API/
// API_ListObjectsV2.html (ETags escaped as &quot;, as S3 sends them). The epoch seconds are
// from date(1).

TEST(S3XmlListTest, AwsExampleListingKeys) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
</ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 1U);
  EXPECT_EQ(page.objects[0].key, "my-image.jpg");
  EXPECT_EQ(page.objects[0].size, 434234U);
  EXPECT_EQ(page.objects[0].mtime_ns, 1255369830 * kNs);
  EXPECT_EQ(page.objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_TRUE(page.common_prefixes.empty());
  EXPECT_FALSE(page.truncated);
  EXPECT_EQ(page.next_token, "");
}

TEST(S3XmlListTest, AwsExamplePrefixAndDelimiter) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name>
  <Prefix>photos/2006/</Prefix>
  <KeyCount>3</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>photos/2006/</Key>
    <LastModified>2016-04-30T23:51:29.000Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>

  <CommonPrefixes>
    <Prefix>photos/2006/February/</Prefix>
  </CommonPrefixes>
  <CommonPrefixes>
    <Prefix>photos/2006/January/</Prefix>
  </CommonPrefixes>
</ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 1U);
  EXPECT_EQ(page.objects[0].key, "photos/2006/");
  EXPECT_EQ(page.objects[0].size, 0U);
  EXPECT_EQ(page.objects[0].mtime_ns, 1462060289 * kNs);
  EXPECT_EQ(page.objects[0].etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(page.common_prefixes,
            (std::vector<std::string>{"photos/2006/February/", "photos/2006/January/"}));
}

TEST(S3XmlListTest, AwsExampleContinuationToken) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix></Prefix>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <KeyCount>1000</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>happyface.jpg</Key>
    <LastModified>2014-11-21T19:40:05.000Z</LastModified>
    <ETag>&quot;70ee1738b6b21e2c8a43f3a5ab0eee71&quot;</ETag>
    <Size>11</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
</ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(page.objects.size(), 1U);
  EXPECT_EQ(page.objects[0].mtime_ns, 1416598805 * kNs);
}

// Ceph RGW's form as the lead engineer quoted an RGW answer (Owner filled in): one line, the
// default namespace, milliseconds, Owner and Type.
TEST(S3XmlListTest, CephRgwQuotedPage) {
  const char* xml =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<Name>b</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>p/a</Key><LastModified>2026-12-05T14:00:00.123Z</LastModified>)"
      R"(<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size>)"
      R"(<StorageClass>STANDARD</StorageClass><Owner><ID>regsweep</ID>)"
      R"(<DisplayName>regsweep</DisplayName></Owner><Type>Normal</Type></Contents>)"
      R"(<KeyCount>1</KeyCount></ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 1U);
  EXPECT_EQ(page.objects[0].key, "p/a");
  EXPECT_EQ(page.objects[0].size, 0U);
  EXPECT_EQ(page.objects[0].mtime_ns, 1796479200 * kNs + 123000000);
  EXPECT_EQ(page.objects[0].etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(page.truncated);
}

// Captured from Ceph RGW 16.2.15 (Debian 12, scripts/ceph-rgw.sh): ListObjectsV2 of prefix p/
// with max-keys=3, the first and the last page, after PUTs signed by this code. The
// continuation token is a key, escaped like one.
TEST(S3XmlListTest, CephRgwCapturedPages) {
  const char* first =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>probe</Name><Prefix>p/</Prefix><MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>p/a</Key><LastModified>2026-12-05T14:55:40.571Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/plus+eq=amp&amp;semi;</Key><LastModified>2026-12-05T14:55:40.611Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/quote&quot;apos&apos;lt&lt;gt&gt;</Key><LastModified>2026-12-05T14:55:40.616Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><NextContinuationToken>p/quote&quot;apos&apos;lt&lt;gt&gt;</NextContinuationToken><KeyCount>3</KeyCount></ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(first, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 3U);
  EXPECT_EQ(page.objects[0].key, "p/a");
  EXPECT_EQ(page.objects[0].size, 1U);
  EXPECT_EQ(page.objects[0].mtime_ns, 1796482540 * kNs + 571000000);
  EXPECT_EQ(page.objects[0].etag, "9dd4e461268c8034f5c8564e155c67a6");
  EXPECT_EQ(page.objects[1].key, "p/plus+eq=amp&semi;");
  EXPECT_EQ(page.objects[2].key, "p/quote\"apos'lt<gt>");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "p/quote\"apos'lt<gt>");

  const char* last =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>probe</Name><Prefix>p/</Prefix><MaxKeys>3</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>p/ü-umlaut</Key><LastModified>2026-12-05T14:55:40.604Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><ContinuationToken>p/with space</ContinuationToken><KeyCount>1</KeyCount></ListBucketResult>)";
  ASSERT_TRUE(ParseListPage(last, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 1U);
  EXPECT_EQ(page.objects[0].key, "p/\xC3\xBC-umlaut");
  EXPECT_FALSE(page.truncated);
  EXPECT_EQ(page.next_token, "");
}

// Captured as above, with delimiter=/: RGW puts CommonPrefixes before Contents.
TEST(S3XmlListTest, CephRgwCapturedDelimiterPage) {
  const char* xml =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>probe</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes><Contents><Key>p/a</Key><LastModified>2026-12-05T14:55:40.571Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/plus+eq=amp&amp;semi;</Key><LastModified>2026-12-05T14:55:40.611Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/quote&quot;apos&apos;lt&lt;gt&gt;</Key><LastModified>2026-12-05T14:55:40.616Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/tilde~star*paren()</Key><LastModified>2026-12-05T14:55:40.621Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/with space</Key><LastModified>2026-12-05T14:55:40.599Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>p/ü-umlaut</Key><LastModified>2026-12-05T14:55:40.604Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><KeyCount>7</KeyCount></ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"p/sub/"});
  ASSERT_EQ(page.objects.size(), 6U);
  EXPECT_EQ(page.objects[3].key, "p/tilde~star*paren()");
  EXPECT_EQ(page.objects[4].key, "p/with space");
}

TEST(S3XmlListTest, KeysKeepEscapesAndSpaces) {
  const char* xml =
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; caf&#xE9;</Key><Size>1</Size>)"
      R"(<LastModified>2026-12-05T14:00:00Z</LastModified></Contents>)"
      R"(<Contents><Key> </Key><Size>2</Size>)"
      R"(<LastModified>2026-12-05T14:00:00Z</LastModified></Contents></ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  ASSERT_EQ(page.objects.size(), 2U);
  EXPECT_EQ(page.objects[0].key, "a&b <c> \"d\" 'e' caf\xC3\xA9");
  EXPECT_EQ(page.objects[0].etag, "");  // ETag is optional
  EXPECT_EQ(page.objects[1].key, " ");
}

TEST(S3XmlListTest, NamespacePrefixIsIgnored) {
  const char* xml =
      R"(<s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<s3:IsTruncated>true</s3:IsTruncated><s3:NextContinuationToken>t</s3:NextContinuationToken>)"
      R"(<s3:CommonPrefixes><s3:Prefix>x/</s3:Prefix></s3:CommonPrefixes></s3:ListBucketResult>)";
  ListPage page;
  std::string error;
  ASSERT_TRUE(ParseListPage(xml, &page, &error)) << error;
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "t");
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"x/"});
}

// A page in the body of each case, and the start of the reason it must be refused with.
struct BadPage {
  const char* xml;
  const char* reason;
};

std::string Page(const std::string& inside) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>)"
         R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)" +
         inside + "</ListBucketResult>";
}

std::string Contents(const std::string& key, const std::string& size, const std::string& time) {
  return "<Contents>" + key + size + time + "</Contents>";
}

TEST(S3XmlListTest, RefusesMalformedPages) {
  const std::string ok_size = "<Size>5</Size>";
  const std::string ok_time = "<LastModified>2026-12-05T14:00:00.000Z</LastModified>";
  const std::string not_truncated = "<IsTruncated>false</IsTruncated>";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not XML"},
      {"HTTP/1.1 500", "not XML"},
      {"<ListBucketResult><IsTruncated>false</IsTruncated>", "not XML"},
      {"<ListAllMyBucketsResult/>", "the root element is <ListAllMyBucketsResult>"},
      {"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
       "an S3 error instead of a ListBucketResult: SlowDown: Please reduce your request rate."},
      {Page(not_truncated + Contents("", ok_size, ok_time)), "a <Contents> without <Key>"},
      {Page(not_truncated + Contents("<Key></Key>", ok_size, ok_time)),
       "a <Contents> with an empty <Key>"},
      {Page(not_truncated + Contents("<Key>k</Key>", "<Size>12a</Size>", ok_time)),
       "key k: <Size> \"12a\" is not a number"},
      {Page(not_truncated + Contents("<Key>k</Key>", "<Size>-1</Size>", ok_time)),
       "key k: <Size> \"-1\" is not a number"},
      {Page(not_truncated + Contents("<Key>k</Key>", "<Size>18446744073709551616</Size>", ok_time)),
       "key k: <Size> \"18446744073709551616\" is not a number"},
      {Page(not_truncated + Contents("<Key>k</Key>", "", ok_time)),
       "key k: <Size> \"\" is not a number"},
      {Page(not_truncated +
            Contents("<Key>k</Key>", ok_size, "<LastModified>Sat, 05 Dec 2026</LastModified>")),
       "key k: <LastModified> \"Sat, 05 Dec 2026\" is not a time"},
      {Page(not_truncated + Contents("<Key>k</Key>", ok_size, "")),
       "key k: <LastModified> \"\" is not a time"},
      {Page("<IsTruncated>yes</IsTruncated>"), "<IsTruncated> \"yes\" is neither true nor false"},
      {Page(Contents("<Key>k</Key>", ok_size, ok_time)), "no <IsTruncated>"},
      {Page("<IsTruncated>true</IsTruncated>"),
       "the page is truncated but has no <NextContinuationToken>"},
      // ListObjects (v1) continues with a marker, which a v2 caller cannot use.
      {Page("<IsTruncated>true</IsTruncated><NextMarker>k</NextMarker>"),
       "the page is truncated but has no <NextContinuationToken>"},
      {Page(not_truncated + "<CommonPrefixes></CommonPrefixes>"),
       "a <CommonPrefixes> without <Prefix>"},
  };
  for (const auto& [xml, reason] : cases) {
    ListPage page;
    page.next_token = "untouched";
    std::string error;
    EXPECT_FALSE(ParseListPage(xml, &page, &error)) << xml;
    EXPECT_EQ(error.substr(0, reason.size()), reason) << xml;
    EXPECT_EQ(page.next_token, "untouched") << xml;
    EXPECT_TRUE(page.objects.empty()) << xml;
  }
}

// ---------------------------------------------------------------------------------------------
// DeleteObjects.

TEST(S3XmlDeleteTest, RequestBodyIsQuietAndParses) {
  const std::string body = DeleteRequestBody({"sample1.txt", "sample2.txt"});
  EXPECT_EQ(body,
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>)"
            R"(<Object><Key>sample1.txt</Key></Object><Object><Key>sample2.txt</Key></Object>)"
            R"(</Delete>)");
}

// Each special key must come back out of an XML parser unchanged.
TEST(S3XmlDeleteTest, RequestBodyEscapesKeys) {
  const std::vector<std::string> keys = {"a&b",       "<tag>",       "say \"hi\"", "it's",
                                         "a\r\nb\tc", "caf\xC3\xA9", " ",          "&amp;"};
  const std::string body = DeleteRequestBody(keys);
  EXPECT_NE(body.find("<Key>a&amp;b</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>&lt;tag&gt;</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>say &quot;hi&quot;</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>it&apos;s</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>a&#13;&#10;b&#9;c</Key>"), std::string::npos);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body.c_str(), pugi::parse_default | pugi::parse_ws_pcdata_single));
  std::vector<std::string> parsed;
  for (const pugi::xml_node& object : doc.child("Delete").children("Object")) {
    parsed.emplace_back(object.child_value("Key"));
  }
  EXPECT_EQ(parsed, keys);
  EXPECT_STREQ(doc.child("Delete").child_value("Quiet"), "true");
}

// The DeleteObjects example of https://docs.aws.amazon.com/AmazonS3/latest/API/
// API_DeleteObjects.html: one key deleted, one refused.
TEST(S3XmlDeleteTest, AwsExampleResult) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted>
    <Key>sample1.txt</Key>
  </Deleted>
  <Error>
    <Key>sample2.txt</Key>
    <Code>AccessDenied</Code>
    <Message>Access Denied</Message>
  </Error>
</DeleteResult>)";
  std::vector<DeleteError> errors;
  std::string error;
  ASSERT_TRUE(ParseDeleteResult(xml, &errors, &error)) << error;
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].key, "sample2.txt");
  EXPECT_EQ(errors[0].code, "AccessDenied");
  EXPECT_EQ(errors[0].message, "Access Denied");
}

// Captured from Ceph RGW 16.2.15: the answer to DeleteRequestBody() of four keys, one of them
// never written.
TEST(S3XmlDeleteTest, CephRgwCapturedQuietResult) {
  std::vector<DeleteError> errors = {{"stale", "", ""}};
  std::string error;
  ASSERT_TRUE(ParseDeleteResult(
      R"(<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>)",
      &errors, &error))
      << error;
  EXPECT_TRUE(errors.empty());
}

TEST(S3XmlDeleteTest, RefusesOtherDocuments) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not XML"},
      {"<ListBucketResult/>", "the root element is <ListBucketResult>, not <DeleteResult>"},
      {"<Error><Code>MalformedXML</Code><Message>The XML you provided was not well-formed or did "
       "not validate against our published schema</Message></Error>",
       "an S3 error instead of a DeleteResult: MalformedXML: The XML you provided"},
      {"<DeleteResult><Error><Code>InternalError</Code></Error></DeleteResult>",
       "an <Error> without <Key>"},
  };
  for (const auto& [xml, reason] : cases) {
    std::vector<DeleteError> errors;
    std::string error;
    EXPECT_FALSE(ParseDeleteResult(xml, &errors, &error)) << xml;
    EXPECT_EQ(error.substr(0, reason.size()), reason) << xml;
  }
}

// ---------------------------------------------------------------------------------------------
// Error answers: the example of https://docs.aws.amazon.com/AmazonS3/latest/API/
// ErrorResponses.html.

TEST(S3XmlErrorTest, AwsExample) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource> 
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)";
  std::string code;
  std::string message;
  ASSERT_TRUE(ParseErrorBody(xml, &code, &message));
  EXPECT_EQ(code, "NoSuchKey");
  EXPECT_EQ(message, "The resource you requested does not exist");
}

// Captured from Ceph RGW 16.2.15: a GET of a missing key, and a request whose signature was
// altered. RGW leaves Message empty.
TEST(S3XmlErrorTest, CephRgwCaptured) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message></Message><BucketName>probe</BucketName><RequestId>tx0000087180fdadd13bac5-006b1425ec-1008-default</RequestId><HostId>1008-default-default</HostId></Error>)",
       "NoSuchKey"},
      {R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message></Message><RequestId>tx00000ec99c22312cdcbf1-006b1425ec-1008-default</RequestId><HostId>1008-default-default</HostId></Error>)",
       "SignatureDoesNotMatch"},
  };
  for (const auto& [xml, expected_code] : cases) {
    std::string code = "stale";
    std::string message = "stale";
    ASSERT_TRUE(ParseErrorBody(xml, &code, &message)) << xml;
    EXPECT_EQ(code, expected_code);
    EXPECT_EQ(message, "");
  }
}

TEST(S3XmlErrorTest, NotAnErrorLeavesBothEmpty) {
  for (const char* body : {"", "<html><body>502 Bad Gateway</body></html>",
                           "<Error><Message>no code</Message></Error>", "<ListBucketResult/>"}) {
    std::string code = "stale";
    std::string message = "stale";
    EXPECT_FALSE(ParseErrorBody(body, &code, &message)) << body;
    EXPECT_EQ(code, "") << body;
    EXPECT_EQ(message, "") << body;
  }
}

// ---------------------------------------------------------------------------------------------
// Timestamps (epoch seconds from date(1)).

TEST(S3XmlTimeTest, ParsesWithAndWithoutFraction) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseS3Time("2009-10-12T17:50:30.000Z", &ns));
  EXPECT_EQ(ns, 1255369830 * kNs);
  ASSERT_TRUE(ParseS3Time("2009-10-12T17:50:30Z", &ns));
  EXPECT_EQ(ns, 1255369830 * kNs);
  ASSERT_TRUE(ParseS3Time("2026-12-05T14:00:00.123Z", &ns));
  EXPECT_EQ(ns, 1796479200 * kNs + 123000000);
  ASSERT_TRUE(ParseS3Time("2024-02-29T23:59:59.999999999Z", &ns));
  EXPECT_EQ(ns, 1709251199 * kNs + 999999999);
}

TEST(S3XmlTimeTest, RefusesOtherText) {
  for (const char* bad :
       {"", "2009-10-12", "2009-10-12 17:50:30Z", "2009-13-12T17:50:30Z", "2023-02-29T00:00:00Z",
        "2009-10-12T17:50:30.Z", "Mon, 12 Oct 2009 17:50:30 GMT", "2009-10-12T17:50:30.000Zjunk"}) {
    int64_t ns = 42;
    EXPECT_FALSE(ParseS3Time(bad, &ns)) << bad;
    EXPECT_EQ(ns, 42) << bad;
  }
}

}  // namespace
}  // namespace regsweep::s3
