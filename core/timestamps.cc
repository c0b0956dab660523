// Fixed-layout timestamp parsers (no allocation, no locale).
#include "core/timestamps.h"

#include <array>

namespace regsweep {
namespace {

constexpr int64_t kNsPerSecond = 1000000000;

// Reads exactly `width` digits at text[pos]; false if any is not a digit.
bool Digits(std::string_view text, size_t pos, size_t width, int64_t* value) {
  if (pos + width > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int64_t year, int64_t month) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<size_t>(month - 1)];
}

// Validates the fields and turns a civil UTC time into nanoseconds since the epoch.
std::optional<int64_t> ToNanoseconds(int64_t year, int64_t month, int64_t day, int64_t hour,
                                     int64_t minute, int64_t second) {
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * kNsPerSecond + second * kNsPerSecond;
}

// "+HH:MM" / "-HH:MM" (colon optional when `colon` is false: "+HHMM") as signed seconds.
bool Offset(std::string_view text, size_t pos, bool colon, int64_t* seconds) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
  int64_t hours = 0;
  int64_t minutes = 0;
  if (!Digits(text, pos + 1, 2, &hours)) return false;
  const size_t minute_pos = pos + 3 + (colon ? 1 : 0);
  if (colon && (pos + 3 >= text.size() || text[pos + 3] != ':')) return false;
  if (!Digits(text, minute_pos, 2, &minutes)) return false;
  if (minute_pos + 2 != text.size() || hours > 23 || minutes > 59) return false;
  *seconds = (hours * 60 + minutes) * 60 * (text[pos] == '-' ? -1 : 1);
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  // 2026-12-05T11:04:11[.fraction](Z|+HH:MM)
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day) ||
      text[10] != 'T' || !Digits(text, 11, 2, &hour) || text[13] != ':' ||
      !Digits(text, 14, 2, &minute) || text[16] != ':' || !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t fraction_ns = 0;
  if (text[pos] == '.') {
    ++pos;
    int64_t scale = kNsPerSecond;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start >= 9) return std::nullopt;
      scale /= 10;
      fraction_ns += (text[pos] - '0') * scale;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    if (pos + 1 != text.size()) return std::nullopt;
  } else if (!Offset(text, pos, /*colon=*/true, &offset)) {
    return std::nullopt;
  }
  const std::optional<int64_t> ns = ToNanoseconds(year, month, day, hour, minute, second);
  if (!ns) return std::nullopt;
  return *ns + fraction_ns - offset * kNsPerSecond;
}

std::optional<int64_t> ParseApacheTime(std::string_view text) {
  // 05/Dec/2026:11:04:11 +0000
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t year = 0, day = 0, hour = 0, minute = 0, second = 0, offset = 0;
  if (text.size() != 26 || !Digits(text, 0, 2, &day) || text[2] != '/' || text[6] != '/' ||
      !Digits(text, 7, 4, &year) || text[11] != ':' || !Digits(text, 12, 2, &hour) ||
      text[14] != ':' || !Digits(text, 15, 2, &minute) || text[17] != ':' ||
      !Digits(text, 18, 2, &second) || text[20] != ' ' ||
      !Offset(text, 21, /*colon=*/false, &offset)) {
    return std::nullopt;
  }
  int64_t month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(3, 3) == kMonths[i]) month = static_cast<int64_t>(i) + 1;
  }
  const std::optional<int64_t> ns = ToNanoseconds(year, month, day, hour, minute, second);
  if (!ns) return std::nullopt;
  return *ns - offset * kNsPerSecond;
}

}  // namespace regsweep
