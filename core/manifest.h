// Manifest parsing: turns the bytes of a manifest blob into the references a mark phase
// follows. Understands docker schema2 manifests and manifest lists, OCI image manifests and
// indexes (with OCI 1.1 `subject` and `artifactType`), the obsolete OCI and ORAS artifact
// manifests (`blobs[]`), and docker schema1 (`fsLayers[].blobSum`, signed or not).
//
// A manifest whose shape or media type is not one of these, or whose references are not valid
// digests, is refused with a reason: the caller must then treat everything it might reference
// as reachable. Unknown `artifactType`s and config or layer media types are fine (OCI says so).
#ifndef REGSWEEP_CORE_MANIFEST_H_
#define REGSWEEP_CORE_MANIFEST_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"

namespace regsweep {

// Manifests larger than this are not parsed (distribution, zot and Harbor refuse them too).
inline constexpr size_t kMaxManifestBytes = size_t{4} * 1024 * 1024;

enum class ManifestKind : uint8_t {
  kDockerSchema2,
  kDockerManifestList,
  kDockerSchema1,
  kOciManifest,
  kOciIndex,
  kArtifactManifest,  // application/vnd.oci.artifact.manifest.v1+json or the ORAS one
};

std::string_view ManifestKindName(ManifestKind kind);

struct Descriptor {
  Digest digest;
  int64_t size = -1;  // -1 when absent (schema1)
  bool has_urls = false;
  std::string media_type;
};

struct Manifest {
  ManifestKind kind = ManifestKind::kOciManifest;
  std::string media_type;  // as declared, may be empty
  std::string artifact_type;
  std::optional<Descriptor> config;
  std::vector<Descriptor> blobs;     // layers, artifact blobs or schema1 fsLayers
  std::vector<Descriptor> children;  // index / manifest list entries
  std::optional<Descriptor> subject;

  bool IsIndex() const {
    return kind == ManifestKind::kOciIndex || kind == ManifestKind::kDockerManifestList;
  }
};

// Why a manifest was refused, for callers that treat the reasons differently (audit's finding
// kinds); the text in ParsedManifest::error says it in words.
enum class ManifestRefusal : uint8_t {
  kNone,              // parsed
  kNotJson,           // not JSON, or not a JSON object
  kUnknownMediaType,  // a mediaType this parser does not know
  kBadSchemaVersion,  // schemaVersion absent (with no known mediaType), not an integer, or wrong
  kInvalid,           // anything else the manifest's shape gets wrong
};

struct ParsedManifest {
  std::optional<Manifest> manifest;
  ManifestRefusal refusal = ManifestRefusal::kNone;
  std::string error;  // why it was refused, when manifest is empty
};

// Parses `bytes` (which must have simdjson::SIMDJSON_PADDING readable bytes after its end when
// `padded` is true; otherwise they are copied). One parser per thread.
ParsedManifest ParseManifest(simdjson::dom::parser& parser, std::string_view bytes,
                             bool padded = false);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_MANIFEST_H_
