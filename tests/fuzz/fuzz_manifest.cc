// libFuzzer target: manifest parsing. Any bytes give either a manifest or a reason, never a
// crash; a parsed manifest's references are valid digests and its sizes are not negative.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser parser;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const regsweep::ParsedManifest parsed = regsweep::ParseManifest(parser, bytes);
  if (!parsed.manifest) {
    if (parsed.error.empty()) std::abort();
    return 0;
  }
  const regsweep::Manifest& m = *parsed.manifest;
  auto check = [](const regsweep::Descriptor& d) {
    if (d.size < -1) std::abort();
    if (regsweep::Digest::Parse(d.digest.ToString()) == std::nullopt) std::abort();
  };
  if (m.config) check(*m.config);
  for (const auto& d : m.blobs) check(d);
  for (const auto& d : m.children) check(d);
  if (m.subject) check(*m.subject);
  if (m.IsIndex() && (m.config || !m.blobs.empty())) std::abort();
  return 0;
}
