// Semantic version parsing and semver 2.0 precedence for tags.
#include "gc/retention/semver.h"

namespace regsweep {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentifierChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

std::string_view StripLeadingZeros(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// Compares two digit strings (any length) by value.
int CompareNumbers(std::string_view a, std::string_view b) {
  a = StripLeadingZeros(a);
  b = StripLeadingZeros(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// True when `text` is ID(.ID)* with non-empty IDs of [0-9A-Za-z-].
bool ValidIdentifiers(std::string_view text) {
  if (text.empty()) return false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.') {
      if (i == start) return false;
      start = i + 1;
    } else if (!IsIdentifierChar(text[i])) {
      return false;
    }
  }
  return true;
}

// Takes the next "."-separated identifier off the front of *rest.
std::string_view NextIdentifier(std::string_view* rest) {
  const size_t dot = rest->find('.');
  const std::string_view id = rest->substr(0, dot);
  rest->remove_prefix(dot == std::string_view::npos ? rest->size() : dot + 1);
  return id;
}

int ComparePrerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) {
    if (a.empty() && b.empty()) return 0;
    return a.empty() ? 1 : -1;  // a release is higher than any of its pre-releases
  }
  while (!a.empty() && !b.empty()) {
    const std::string_view x = NextIdentifier(&a);
    const std::string_view y = NextIdentifier(&b);
    const bool x_numeric = AllDigits(x);
    const bool y_numeric = AllDigits(y);
    int c = 0;
    if (x_numeric && y_numeric) {
      c = CompareNumbers(x, y);
    } else if (x_numeric != y_numeric) {
      c = x_numeric ? -1 : 1;
    } else {
      const int raw = x.compare(y);
      c = raw < 0 ? -1 : (raw > 0 ? 1 : 0);
    }
    if (c != 0) return c;
  }
  if (a.empty() && b.empty()) return 0;
  return a.empty() ? -1 : 1;
}

}  // namespace

std::optional<SemVer> ParseSemVer(std::string_view tag) {
  if (!tag.empty() && (tag.front() == 'v' || tag.front() == 'V')) tag.remove_prefix(1);
  std::string_view build;
  if (const size_t plus = tag.find('+'); plus != std::string_view::npos) {
    build = tag.substr(plus + 1);
    tag = tag.substr(0, plus);
    if (!ValidIdentifiers(build)) return std::nullopt;
  }
  SemVer version;
  if (const size_t dash = tag.find('-'); dash != std::string_view::npos) {
    version.prerelease = tag.substr(dash + 1);
    tag = tag.substr(0, dash);
    if (!ValidIdentifiers(version.prerelease)) return std::nullopt;
  }
  std::string_view* parts[] = {&version.major, &version.minor, &version.patch};
  size_t count = 0;
  while (true) {
    if (count == 3) return std::nullopt;  // a fourth number: not a version
    const size_t dot = tag.find('.');
    const std::string_view number = tag.substr(0, dot);
    if (!AllDigits(number)) return std::nullopt;
    *parts[count++] = StripLeadingZeros(number);
    if (dot == std::string_view::npos) break;
    tag.remove_prefix(dot + 1);
  }
  return version;
}

int CompareSemVer(const SemVer& a, const SemVer& b) {
  if (int c = CompareNumbers(a.major, b.major); c != 0) return c;
  if (int c = CompareNumbers(a.minor, b.minor); c != 0) return c;
  if (int c = CompareNumbers(a.patch, b.patch); c != 0) return c;
  return ComparePrerelease(a.prerelease, b.prerelease);
}

int CompareTagVersions(std::string_view a, std::string_view b) {
  const std::optional<SemVer> x = ParseSemVer(a);
  const std::optional<SemVer> y = ParseSemVer(b);
  if (x && y) return CompareSemVer(*x, *y);
  if (!x && !y) return 0;
  return x ? 1 : -1;
}

}  // namespace regsweep
