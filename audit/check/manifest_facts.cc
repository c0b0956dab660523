// Full parses of the manifests the graph reads, and the classification of refused ones.
#include "audit/check/manifest_facts.h"

namespace regsweep::audit {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsEncodedChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' ||
         c == '_' || c == '-';
}

// Digest strings of the descriptors a manifest names (config, subject, layers, manifests,
// blobs, fsLayers), read without any validation.
std::vector<std::string_view> DescriptorDigests(const simdjson::dom::object& root) {
  std::vector<std::string_view> digests;
  auto add = [&](simdjson::dom::element value, const char* key) {
    std::string_view text;
    if (value[key].get_string().get(text) == simdjson::SUCCESS) digests.push_back(text);
  };
  for (const char* key : {"config", "subject"}) {
    simdjson::dom::element value;
    if (root[key].get(value) == simdjson::SUCCESS) add(value, "digest");
  }
  for (const char* key : {"layers", "manifests", "blobs", "fsLayers"}) {
    simdjson::dom::array items;
    if (root[key].get_array().get(items) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element item : items) {
      add(item, std::string_view(key) == "fsLayers" ? "blobSum" : "digest");
    }
  }
  return digests;
}

// The finding for a manifest the graph refused.
void ClassifyRefusal(simdjson::dom::parser& parser, std::string_view bytes,
                     const ParsedManifest& parsed, ManifestFacts* facts) {
  facts->severity = Severity::kError;
  facts->reason = parsed.error;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parsed.refusal == ManifestRefusal::kNotJson ||
      parser.parse(bytes.data(), bytes.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    facts->kind = "manifest_not_json";
    return;
  }
  for (const std::string_view digest : DescriptorDigests(object)) {
    std::string_view algorithm;
    if (MatchesDigestGrammar(digest, &algorithm) && !ParseAlgorithmName(algorithm)) {
      facts->severity = Severity::kWarning;
      facts->kind = "unregistered_algorithm";
      facts->reason = "references " + std::string(digest.substr(0, 200)) +
                      ": digest algorithm not registered by OCI (only sha256 and sha512); the "
                      "manifest's references cannot be checked";
      return;
    }
  }
  switch (parsed.refusal) {
    case ManifestRefusal::kUnknownMediaType:
      facts->severity = Severity::kWarning;
      facts->kind = "manifest_unknown_media_type";
      return;
    case ManifestRefusal::kBadSchemaVersion:
      facts->kind = "manifest_bad_schema_version";
      return;
    case ManifestRefusal::kNone:
    case ManifestRefusal::kNotJson:
    case ManifestRefusal::kInvalid:
      facts->kind = "manifest_invalid";
      return;
  }
}

}  // namespace

bool MatchesDigestGrammar(std::string_view text, std::string_view* algorithm) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string_view head = text.substr(0, colon);
  bool after_separator = true;  // a component must start here
  for (const char c : head) {
    if (IsLowerAlnum(c)) {
      after_separator = false;
    } else if ((c == '+' || c == '.' || c == '_' || c == '-') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  if (after_separator) return false;
  for (const char c : text.substr(colon + 1)) {
    if (!IsEncodedChar(c)) return false;
  }
  *algorithm = head;
  return true;
}

ManifestObserver ManifestFactsCollector::Observer() {
  return [this](NodeId id, std::string_view bytes, ParsedManifest& parsed) {
    ManifestFacts facts;
    facts.verified_bytes = bytes.size();
    if (parsed.manifest) {
      facts.manifest = std::move(parsed.manifest);
    } else {
      ClassifyRefusal(parsers_.local(), bytes, parsed, &facts);
    }
    collected_.local().emplace_back(id, std::move(facts));
  };
}

const ManifestFacts& ManifestFactsTable::operator[](NodeId id) const {
  static const ManifestFacts kNoFacts;
  if (id >= by_node_.size() || by_node_[id] == nullptr) return kNoFacts;
  return *by_node_[id];
}

ManifestFactsTable ManifestFactsCollector::Take(size_t node_count) {
  ManifestFactsTable table;
  table.by_node_.assign(node_count, nullptr);
  for (ManifestFactsTable::Part& part : collected_) {
    // Moving a deque keeps its elements where they are.
    table.parts_.push_back(std::move(part));
    for (const auto& [id, facts] : table.parts_.back()) {
      if (id < node_count) table.by_node_[id] = &facts;
    }
  }
  collected_.clear();
  return table;
}

}  // namespace regsweep::audit
