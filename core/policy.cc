// Policy helpers.
#include "core/policy.h"

#include <algorithm>
#include <regex>

#include "core/names.h"

namespace regsweep {

bool GcPolicy::DeletesUntagged(const std::string& repository) const {
  return delete_untagged || std::binary_search(delete_untagged_repositories.begin(),
                                               delete_untagged_repositories.end(), repository);
}

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

bool ParseTagPattern(const std::string& text, TagPattern* out, std::string* why) {
  size_t colon = std::string::npos;
  for (size_t i = 0; i < text.size() && colon == std::string::npos; ++i) {
    if (text[i] == ':' && !(i >= 2 && text[i - 1] == '?' && text[i - 2] == '(')) colon = i;
  }
  if (colon == std::string::npos) {
    *why = "expected REPOSITORY_REGEX:TAG_REGEX";
    return false;
  }
  out->repository = text.substr(0, colon);
  out->tag = text.substr(colon + 1);
  for (const std::string* part : {&out->repository, &out->tag}) {
    try {
      std::regex check(*part);
    } catch (const std::regex_error& e) {
      *why = "bad regular expression '" + *part + "': " + e.what();
      return false;
    }
  }
  return true;
}

}  // namespace regsweep
