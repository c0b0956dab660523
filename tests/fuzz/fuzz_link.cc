// libFuzzer target: link file contents and digest strings. Parsing must never crash, and what
// parses must format back to exactly the input (the canonical form is the only accepted one).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/digest.h"
#include "core/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (const auto digest = regsweep::ParseLinkContent(text, &why)) {
    if (digest->ToString() != text) std::abort();
    const auto again = regsweep::Digest::FromHex(digest->algorithm(), digest->Hex());
    if (!again || !(*again == *digest)) std::abort();
  } else if (why.empty()) {
    std::abort();  // every refusal says why
  }
  return 0;
}
