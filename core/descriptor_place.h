// Where a descriptor sits in its manifest, as refusals and findings name it: "config",
// "layers[2]", "manifests[0]". The parser and the checks walk every descriptor of every manifest
// and almost none is refused or earns a finding, so the place is carried as a key and an index
// and made into text only when a message needs it.
#ifndef REGSWEEP_CORE_DESCRIPTOR_PLACE_H_
#define REGSWEEP_CORE_DESCRIPTOR_PLACE_H_

#include <cstddef>
#include <string>

#include "core/manifest.h"

namespace regsweep {

struct DescriptorPlace {
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);

  const char* key;          // the manifest's JSON field: "config", "layers", "fsLayers", ...
  size_t index = kNoIndex;  // the position in that field's array; kNoIndex for a single one

  std::string Text() const {
    if (index == kNoIndex) return key;
    return std::string(key) + "[" + std::to_string(index) + "]";
  }
};

// The field that lists a manifest's blobs other than its config.
inline const char* BlobsField(ManifestKind kind) {
  switch (kind) {
    case ManifestKind::kDockerSchema1:
      return "fsLayers";
    case ManifestKind::kArtifactManifest:
      return "blobs";
    case ManifestKind::kDockerSchema2:
    case ManifestKind::kDockerManifestList:
    case ManifestKind::kOciManifest:
    case ManifestKind::kOciIndex:
      break;
  }
  return "layers";
}

}  // namespace regsweep

#endif  // REGSWEEP_CORE_DESCRIPTOR_PLACE_H_
