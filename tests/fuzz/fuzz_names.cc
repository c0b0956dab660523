// libFuzzer target: repository names, tags and upload ids. Whatever validates must be safe as
// path components: no empty, "." or ".." component, no leading '/', no control bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/names.h"

namespace {

bool SafeComponents(const std::string& name) {
  if (name.empty() || name.front() == '/') return false;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string component = name.substr(start, slash - start);
    if (component.empty() || component == "." || component == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (regsweep::IsValidRepositoryName(text) && !SafeComponents(text)) std::abort();
  if (regsweep::IsValidTag(text) && (text.find('/') != std::string::npos || !SafeComponents(text)))
    std::abort();
  if (regsweep::IsValidUploadId(text) &&
      (text.find('/') != std::string::npos || !SafeComponents(text)))
    std::abort();
  const std::string quoted = regsweep::QuoteForMessage(text);
  for (const char c : quoted) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) std::abort();
  }
  return 0;
}
