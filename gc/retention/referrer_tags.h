// Tags that point at something about another image instead of at an image of their own, found
// by name: cosign's "sha256-<hex>.sig", ".att" and ".sbom", and the OCI 1.1 referrers fallback
// tag "sha256-<hex>" (an index of the referrers of sha256:<hex>). Retention never counts them
// against N; they follow the image they name (containers-roadmap#2613).
#ifndef REGSWEEP_GC_RETENTION_REFERRER_TAGS_H_
#define REGSWEEP_GC_RETENTION_REFERRER_TAGS_H_

#include <optional>
#include <string_view>

#include "core/digest.h"

namespace regsweep {

// The digest the tag names ("sha256-<hex>[.sig|.att|.sbom]" -> sha256:<hex>, sha512 alike), or
// nullopt for any other tag.
std::optional<Digest> SubjectOfReferrerTag(std::string_view tag);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_REFERRER_TAGS_H_
