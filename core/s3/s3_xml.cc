// pugixml reads the answers into a DOM (an answer is at most a page of 1000 keys); the one
// request body is written by hand, since it is a flat list of escaped keys.
#include "core/s3/s3_xml.h"

#include <charconv>
#include <optional>
#include <pugixml.hpp>

#include "core/timestamps.h"
#include "core/xml_escape.h"

namespace regsweep::s3 {
namespace {

// S3 declares its namespace as the default one (xmlns="http://s3.amazonaws.com/doc/2006-03-01/"),
// so names carry no prefix; a store that wrote one would still name the same elements.
std::string_view LocalName(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The first child element called `name` (an empty node when there is none).
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name) {
  for (const pugi::xml_node& child : parent.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) return child;
  }
  return {};
}

std::string Text(const pugi::xml_node& node) { return node.child_value(); }

// Parses `xml` into *doc. Whitespace-only text is kept when it is an element's only content: a
// key may be " ".
bool Load(std::string_view xml, pugi::xml_document* doc, std::string* error) {
  const pugi::xml_parse_result result =
      doc->load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                       pugi::encoding_utf8);
  if (!result) {
    *error = std::string("not XML: ") + result.description() + " at byte " +
             std::to_string(result.offset);
    return false;
  }
  return true;
}

// An <Error> element's Code and Message; false when `root` is not one.
bool ErrorFields(const pugi::xml_node& root, std::string* code, std::string* message) {
  const pugi::xml_node code_node = Child(root, "Code");
  if (LocalName(root) != "Error" || !code_node) return false;
  *code = Text(code_node);
  *message = Text(Child(root, "Message"));
  return true;
}

// The document element, when it is `expected`; otherwise an error that quotes S3's own error
// when the answer is one.
std::optional<pugi::xml_node> Root(const pugi::xml_document& doc, std::string_view expected,
                                   std::string* error) {
  const pugi::xml_node root = doc.document_element();
  if (LocalName(root) == expected) return root;
  std::string code;
  std::string message;
  if (ErrorFields(root, &code, &message)) {
    *error = "an S3 error instead of a " + std::string(expected) + ": " + code + ": " + message;
  } else {
    *error = "the root element is <" + std::string(root.name()) + ">, not <" +
             std::string(expected) + ">";
  }
  return std::nullopt;
}

bool ParseSize(std::string_view text, uint64_t* size) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *size);
  return !text.empty() && ec == std::errc() && ptr == end;
}

// ETags come quoted ("\"d41d8...\"", often written &quot;d41d8...&quot;).
std::string Unquoted(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

// One <Contents>. Key, Size and LastModified are required: S3 always sends them, and a listing
// read without them would misstate what the bucket holds.
bool ParseContents(const pugi::xml_node& contents, ObjectInfo* object, std::string* error) {
  const pugi::xml_node key = Child(contents, "Key");
  if (!key) {
    *error = "a <Contents> without <Key>";
    return false;
  }
  object->key = Text(key);
  if (object->key.empty()) {
    *error = "a <Contents> with an empty <Key>";
    return false;
  }
  const pugi::xml_node size = Child(contents, "Size");
  if (!size || !ParseSize(Text(size), &object->size)) {
    *error = "key " + object->key + ": <Size> \"" + Text(size) + "\" is not a number";
    return false;
  }
  const pugi::xml_node modified = Child(contents, "LastModified");
  if (!modified || !ParseS3Time(Text(modified), &object->mtime_ns)) {
    *error = "key " + object->key + ": <LastModified> \"" + Text(modified) + "\" is not a time";
    return false;
  }
  object->etag = Unquoted(Text(Child(contents, "ETag")));
  return true;
}

bool ParseCommonPrefixes(const pugi::xml_node& prefixes, ListPage* page, std::string* error) {
  const pugi::xml_node prefix = Child(prefixes, "Prefix");
  if (!prefix) {
    *error = "a <CommonPrefixes> without <Prefix>";
    return false;
  }
  page->common_prefixes.emplace_back(Text(prefix));
  return true;
}

bool ParseTruncated(const pugi::xml_node& node, ListPage* page, std::string* error) {
  const std::string text = Text(node);
  if (text != "true" && text != "false") {
    *error = "<IsTruncated> \"" + text + "\" is neither true nor false";
    return false;
  }
  page->truncated = text == "true";
  return true;
}

}  // namespace

bool ParseListPage(std::string_view xml, ListPage* page, std::string* error) {
  pugi::xml_document doc;
  if (!Load(xml, &doc, error)) return false;
  const std::optional<pugi::xml_node> root = Root(doc, "ListBucketResult", error);
  if (!root) return false;
  ListPage parsed;
  bool saw_truncated = false;
  for (const pugi::xml_node& child : root->children()) {
    const std::string_view name = LocalName(child);
    bool ok = true;
    if (name == "Contents") {
      ok = ParseContents(child, &parsed.objects.emplace_back(), error);
    } else if (name == "CommonPrefixes") {
      ok = ParseCommonPrefixes(child, &parsed, error);
    } else if (name == "IsTruncated") {
      ok = ParseTruncated(child, &parsed, error);
      saw_truncated = true;
    } else if (name == "NextContinuationToken") {
      parsed.next_token = Text(child);
    }
    if (!ok) return false;
  }
  // Without these the caller could take a partial listing for the whole prefix.
  if (!saw_truncated) {
    *error = "no <IsTruncated>: cannot tell whether the listing is complete";
    return false;
  }
  if (parsed.truncated && parsed.next_token.empty()) {
    *error = "the page is truncated but has no <NextContinuationToken>";
    return false;
  }
  *page = std::move(parsed);
  return true;
}

std::string DeleteRequestBody(const std::vector<std::string>& keys) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const std::string& key : keys) body += "<Object><Key>" + EscapeXml(key) + "</Key></Object>";
  body += "</Delete>";
  return body;
}

bool ParseDeleteResult(std::string_view xml, std::vector<DeleteError>* errors, std::string* error) {
  pugi::xml_document doc;
  if (!Load(xml, &doc, error)) return false;
  const std::optional<pugi::xml_node> root = Root(doc, "DeleteResult", error);
  if (!root) return false;
  std::vector<DeleteError> parsed;
  for (const pugi::xml_node& child : root->children()) {
    if (LocalName(child) != "Error") continue;
    const pugi::xml_node key = Child(child, "Key");
    if (!key) {
      *error = "an <Error> without <Key>: cannot tell which key failed";
      return false;
    }
    parsed.push_back({Text(key), Text(Child(child, "Code")), Text(Child(child, "Message"))});
  }
  *errors = std::move(parsed);
  return true;
}

bool ParseErrorBody(std::string_view xml, std::string* code, std::string* message) {
  pugi::xml_document doc;
  std::string ignored;
  if (!Load(xml, &doc, &ignored) || !ErrorFields(doc.document_element(), code, message)) {
    code->clear();
    message->clear();
    return false;
  }
  return true;
}

bool ParseS3Time(std::string_view text, int64_t* ns) {
  // LastModified is RFC 3339 in UTC, with milliseconds on AWS and RGW and without on some stores.
  const std::optional<int64_t> parsed = ParseRfc3339(text);
  if (!parsed) return false;
  *ns = *parsed;
  return true;
}

}  // namespace regsweep::s3
