// Hand-written matchers for the distribution-spec and OCI name grammars (no regex engine on the hot
// path).
#include "core/names.h"

#include <cstdio>

namespace regsweep {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

void SetWhy(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
}

// Appends `text` to *out with every byte outside printable ASCII, every backslash and every
// byte of `also` written as \xNN.
void AppendEscaped(std::string_view text, std::string_view also, std::string* out) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\' && also.find(c) == std::string_view::npos) {
      *out += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      *out += escaped;
    }
  }
}

}  // namespace

bool IsValidRepositoryComponent(std::string_view component) {
  size_t i = 0;
  const size_t n = component.size();
  auto alnum_run = [&] {
    const size_t start = i;
    while (i < n && IsLowerAlnum(component[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < n) {
    // Separator: '.', '_', '__' or one or more '-'.
    if (component[i] == '.') {
      ++i;
    } else if (component[i] == '_') {
      ++i;
      if (i < n && component[i] == '_') ++i;
    } else if (component[i] == '-') {
      while (i < n && component[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

bool IsValidRepositoryName(std::string_view name, std::string* why) {
  if (name.empty()) {
    SetWhy(why, "empty repository name");
    return false;
  }
  if (name.size() > 255) {
    SetWhy(why, "repository name longer than 255 characters");
    return false;
  }
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view component = name.substr(start, slash - start);
    if (!IsValidRepositoryComponent(component)) {
      SetWhy(why, "component " + QuoteForMessage(component) +
                      " does not match [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*");
      return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool IsValidTag(std::string_view tag, std::string* why) {
  if (tag.empty() || tag.size() > 128) {
    SetWhy(why, "a tag has 1 to 128 characters");
    return false;
  }
  if (!(IsAlnum(tag[0]) || tag[0] == '_')) {
    SetWhy(why, "a tag starts with a letter, digit or '_'");
    return false;
  }
  for (const char c : tag) {
    if (!(IsAlnum(c) || c == '_' || c == '.' || c == '-')) {
      SetWhy(why, "a tag holds only letters, digits, '_', '.' and '-'");
      return false;
    }
  }
  return true;
}

bool IsValidOciRefName(std::string_view ref, std::string* why) {
  const size_t n = ref.size();
  size_t i = 0;
  auto alnum_run = [&] {
    const size_t start = i;
    while (i < n && IsAlnum(ref[i])) ++i;
    return i > start;
  };
  // A separator at i, consumed: one of -._:@+ or "--".
  auto separator = [&] {
    if (i + 1 < n && ref[i] == '-' && ref[i + 1] == '-') {
      i += 2;
      return true;
    }
    if (i < n && std::string_view("-._:@+").find(ref[i]) != std::string_view::npos) {
      ++i;
      return true;
    }
    return false;
  };
  auto component = [&] {
    if (!alnum_run()) return false;
    while (separator()) {
      if (!alnum_run()) return false;
    }
    return true;
  };
  bool valid = component();
  while (valid && i < n && ref[i] == '/') {
    ++i;
    valid = component();
  }
  if (valid && i == n) return true;
  SetWhy(why,
         "it does not match component (\"/\" component)*, where a component is "
         "[A-Za-z0-9]+ runs joined by one of - . _ : @ + or --");
  return false;
}

bool IsValidUploadId(std::string_view id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  for (const char c : id) {
    if (!(IsAlnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

std::string QuoteForMessage(std::string_view raw) {
  std::string out = "'";
  AppendEscaped(raw.substr(0, 512), "'", &out);
  if (raw.size() > 512) out += "...";
  out += "'";
  return out;
}

std::string PrintableName(std::string_view raw, bool valid) {
  return valid ? std::string(raw) : QuoteForMessage(raw);
}

std::string EscapeControlBytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscaped(text, "", &out);
  return out;
}

}  // namespace regsweep
