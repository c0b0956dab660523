// Validation of the names read from a registry: repository names and tags (the distribution-spec
// grammar), upload identifiers and OCI ref names. Anything that passes is safe to join into a
// path under the registry root and to print: no '.', '..', empty or absolute components, no
// control bytes.
#ifndef REGSWEEP_CORE_NAMES_H_
#define REGSWEEP_CORE_NAMES_H_

#include <string>
#include <string_view>

namespace regsweep {

// One path component of a repository name: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool IsValidRepositoryComponent(std::string_view component);
// A full repository name: components joined by '/', at most 255 characters.
bool IsValidRepositoryName(std::string_view name, std::string* why = nullptr);
// A tag: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool IsValidTag(std::string_view tag, std::string* why = nullptr);
// An OCI image layout's ref name (the org.opencontainers.image.ref.name annotation of an
// index.json entry): component ("/" component)*, component ::= alphanum (separator alphanum)*,
// alphanum ::= [A-Za-z0-9]+, separator ::= [-._:@+] | "--".
bool IsValidOciRefName(std::string_view ref, std::string* why = nullptr);
// An upload folder name: [A-Za-z0-9_-][A-Za-z0-9._-]{0,127} (distribution uses UUIDs).
bool IsValidUploadId(std::string_view id);

// Quotes a name read from disk for a message: printable ASCII kept, anything else escaped, so a
// hostile folder name cannot forge lines in a report.
std::string QuoteForMessage(std::string_view raw);
// A name read from disk as reports print it: as it is when it passed its grammar (`valid`), so
// it holds nothing to escape; quoted (QuoteForMessage) when it did not.
std::string PrintableName(std::string_view raw, bool valid);
// `text` with every byte outside printable ASCII, and every backslash, written as \xNN: a path
// that may hold a hostile name, printed on a line of a report.
std::string EscapeControlBytes(std::string_view text);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_NAMES_H_
