// Duration parsing and formatting.
#include "core/duration.h"

#include <array>

namespace regsweep {
namespace {

constexpr int64_t kSecond = 1000000000;

struct Unit {
  std::string_view suffix;
  int64_t ns;
};
constexpr std::array<Unit, 5> kUnits = {{
    {"ms", kSecond / 1000},
    {"s", kSecond},
    {"m", 60 * kSecond},
    {"h", 3600 * kSecond},
    {"d", 86400 * kSecond},
}};

}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t value = 0;
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > 1000000000) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(i, candidate.suffix.size()) == candidate.suffix &&
          (unit == nullptr || candidate.suffix.size() > unit->suffix.size())) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->suffix.size();
    total += value * unit->ns;
  }
  return total;
}

std::string FormatDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (ns >= it->ns) {
      out += std::to_string(ns / it->ns) + std::string(it->suffix);
      ns %= it->ns;
    }
  }
  return out;
}

}  // namespace regsweep
