// Manifest parsing with simdjson's DOM API.
#include "core/manifest.h"

#include <array>

#include "core/descriptor_place.h"

namespace regsweep {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kDockerSchema2 = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciArtifact = "application/vnd.oci.artifact.manifest.v1+json";
constexpr std::string_view kOrasArtifact = "application/vnd.cncf.oras.artifact.manifest.v1+json";

struct KnownType {
  std::string_view media_type;
  ManifestKind kind;
};
constexpr std::array<KnownType, 8> kKnownTypes = {{
    {kDockerSchema2, ManifestKind::kDockerSchema2},
    {kDockerList, ManifestKind::kDockerManifestList},
    {kDockerSchema1, ManifestKind::kDockerSchema1},
    {kDockerSchema1Signed, ManifestKind::kDockerSchema1},
    {kOciManifest, ManifestKind::kOciManifest},
    {kOciIndex, ManifestKind::kOciIndex},
    {kOciArtifact, ManifestKind::kArtifactManifest},
    {kOrasArtifact, ManifestKind::kArtifactManifest},
}};

// Parse failures carry their reason up as a plain string.
struct Refusal {
  std::string reason;
  ManifestRefusal kind = ManifestRefusal::kInvalid;
};

std::optional<std::string_view> OptionalString(const object& obj, std::string_view key) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw Refusal{"'" + std::string(key) + "' is not a string"};
  }
  return text;
}

Descriptor ParseDescriptor(const element& value, const DescriptorPlace& where, bool size_required) {
  object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    throw Refusal{where.Text() + " is not an object"};
  }
  Descriptor descriptor;
  const auto digest_text = OptionalString(obj, "digest");
  if (!digest_text) throw Refusal{where.Text() + " has no digest"};
  std::string why;
  const auto digest = Digest::Parse(*digest_text, &why);
  if (!digest) throw Refusal{where.Text() + " digest is not usable: " + why};
  descriptor.digest = *digest;
  element size;
  if (obj["size"].get(size) == simdjson::SUCCESS) {
    int64_t size_value = 0;
    if (size.get_int64().get(size_value) != simdjson::SUCCESS || size_value < 0) {
      throw Refusal{where.Text() + " size is not a non-negative integer"};
    }
    descriptor.size = size_value;
  } else if (size_required) {
    throw Refusal{where.Text() + " has no size"};
  }
  if (const auto media_type = OptionalString(obj, "mediaType")) {
    descriptor.media_type = std::string(*media_type);
  }
  element urls;
  array urls_array;
  if (obj["urls"].get(urls) == simdjson::SUCCESS &&
      urls.get_array().get(urls_array) == simdjson::SUCCESS) {
    descriptor.has_urls = urls_array.size() > 0;
  }
  return descriptor;
}

std::vector<Descriptor> ParseDescriptorArray(const object& obj, const char* key, bool required) {
  std::vector<Descriptor> out;
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    if (required) throw Refusal{"no '" + std::string(key) + "' array"};
    return out;
  }
  array items;
  if (value.get_array().get(items) != simdjson::SUCCESS) {
    throw Refusal{"'" + std::string(key) + "' is not an array"};
  }
  size_t index = 0;
  for (element item : items) out.push_back(ParseDescriptor(item, {key, index++}, true));
  return out;
}

// schema1: fsLayers[].blobSum, no sizes.
std::vector<Descriptor> ParseFsLayers(const object& obj) {
  std::vector<Descriptor> out;
  element value;
  array items;
  if (obj["fsLayers"].get(value) != simdjson::SUCCESS ||
      value.get_array().get(items) != simdjson::SUCCESS) {
    throw Refusal{"schema1 manifest without an 'fsLayers' array"};
  }
  size_t index = 0;
  for (element item : items) {
    object layer;
    std::string_view blob_sum;
    const DescriptorPlace where{"fsLayers", index++};
    if (item.get_object().get(layer) != simdjson::SUCCESS ||
        layer["blobSum"].get_string().get(blob_sum) != simdjson::SUCCESS) {
      throw Refusal{where.Text() + " has no blobSum"};
    }
    std::string why;
    const auto digest = Digest::Parse(blob_sum, &why);
    if (!digest) throw Refusal{where.Text() + " blobSum is not usable: " + why};
    Descriptor descriptor;
    descriptor.digest = *digest;
    out.push_back(descriptor);
  }
  return out;
}

ManifestKind DetermineKind(const object& obj, const std::optional<std::string_view>& media_type,
                           int64_t schema_version, bool has_schema_version) {
  if (media_type && !media_type->empty() && *media_type != "application/json") {
    for (const KnownType& known : kKnownTypes) {
      if (known.media_type == *media_type) return known.kind;
    }
    throw Refusal{"unknown manifest media type '" + std::string(media_type->substr(0, 200)) + "'",
                  ManifestRefusal::kUnknownMediaType};
  }
  if (!has_schema_version) {
    throw Refusal{"no schemaVersion and no known mediaType", ManifestRefusal::kBadSchemaVersion};
  }
  if (schema_version == 1) return ManifestKind::kDockerSchema1;
  if (schema_version == 2) {
    element ignored;
    if (obj["manifests"].get(ignored) == simdjson::SUCCESS) return ManifestKind::kOciIndex;
    if (obj["config"].get(ignored) == simdjson::SUCCESS) return ManifestKind::kOciManifest;
  }
  throw Refusal{"cannot tell what kind of manifest this is"};
}

Manifest ParseObject(const object& obj) {
  Manifest manifest;
  const auto media_type = OptionalString(obj, "mediaType");
  if (media_type) manifest.media_type = std::string(*media_type);
  int64_t schema_version = 0;
  element version;
  const bool has_schema_version = obj["schemaVersion"].get(version) == simdjson::SUCCESS;
  if (has_schema_version && version.get_int64().get(schema_version) != simdjson::SUCCESS) {
    throw Refusal{"schemaVersion is not an integer", ManifestRefusal::kBadSchemaVersion};
  }
  manifest.kind = DetermineKind(obj, media_type, schema_version, has_schema_version);
  const int64_t expected_version = manifest.kind == ManifestKind::kDockerSchema1 ? 1 : 2;
  if (manifest.kind != ManifestKind::kArtifactManifest && schema_version != expected_version) {
    throw Refusal{"schemaVersion " + std::to_string(schema_version) + " does not fit a " +
                      std::string(ManifestKindName(manifest.kind)),
                  ManifestRefusal::kBadSchemaVersion};
  }
  if (const auto artifact_type = OptionalString(obj, "artifactType")) {
    manifest.artifact_type = std::string(*artifact_type);
  }
  switch (manifest.kind) {
    case ManifestKind::kDockerSchema1:
      manifest.blobs = ParseFsLayers(obj);
      return manifest;
    case ManifestKind::kDockerManifestList:
    case ManifestKind::kOciIndex:
      manifest.children = ParseDescriptorArray(obj, "manifests", true);
      break;
    case ManifestKind::kDockerSchema2:
    case ManifestKind::kOciManifest: {
      element config;
      if (obj["config"].get(config) != simdjson::SUCCESS) throw Refusal{"no 'config'"};
      manifest.config = ParseDescriptor(config, {"config"}, true);
      manifest.blobs = ParseDescriptorArray(obj, "layers", false);
      break;
    }
    case ManifestKind::kArtifactManifest:
      manifest.blobs = ParseDescriptorArray(obj, "blobs", false);
      break;
  }
  element subject;
  if (obj["subject"].get(subject) == simdjson::SUCCESS) {
    manifest.subject = ParseDescriptor(subject, {"subject"}, true);
  }
  return manifest;
}

}  // namespace

std::string_view ManifestKindName(ManifestKind kind) {
  switch (kind) {
    case ManifestKind::kDockerSchema2:
      return "docker schema2 manifest";
    case ManifestKind::kDockerManifestList:
      return "docker manifest list";
    case ManifestKind::kDockerSchema1:
      return "docker schema1 manifest";
    case ManifestKind::kOciManifest:
      return "OCI image manifest";
    case ManifestKind::kOciIndex:
      return "OCI image index";
    case ManifestKind::kArtifactManifest:
      return "artifact manifest";
  }
  return "manifest";
}

ParsedManifest ParseManifest(simdjson::dom::parser& parser, std::string_view bytes, bool padded) {
  ParsedManifest result;
  element root;
  const auto error = parser.parse(bytes.data(), bytes.size(), !padded).get(root);
  if (error != simdjson::SUCCESS) {
    result.refusal = ManifestRefusal::kNotJson;
    result.error = std::string("not valid JSON: ") + simdjson::error_message(error);
    return result;
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    result.refusal = ManifestRefusal::kNotJson;
    result.error = "not a JSON object";
    return result;
  }
  try {
    result.manifest = ParseObject(obj);
  } catch (const Refusal& refusal) {
    result.refusal = refusal.kind;
    result.error = refusal.reason;
  }
  return result;
}

}  // namespace regsweep
