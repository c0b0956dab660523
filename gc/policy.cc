// Policy helpers.
#include "gc/policy.h"

#include "core/names.h"

namespace regsweep {

bool ParseTagRef(const std::string& text, TagRef* out, std::string* why) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    *why = "expected REPOSITORY:TAG";
    return false;
  }
  out->repository = text.substr(0, colon);
  out->tag = text.substr(colon + 1);
  if (!IsValidRepositoryName(out->repository, why)) return false;
  return IsValidTag(out->tag, why);
}

}  // namespace regsweep
