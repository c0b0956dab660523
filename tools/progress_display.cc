// The status line thread.
#include "tools/progress_display.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "core/format.h"

namespace regsweep::tools {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool IsBytes(const char* unit) { return std::strcmp(unit, "bytes") == 0; }

std::string Amount(uint64_t n, const char* unit) {
  return IsBytes(unit) ? FormatBytes(n) : Grouped(n);
}

}  // namespace

std::string ProgressLine(const Progress::Snapshot& snapshot) {
  std::string line = snapshot.phase != nullptr ? snapshot.phase : "";
  if (snapshot.unit[0] == '\0') return line + "...";
  line += " " + Amount(snapshot.done, snapshot.unit);
  if (snapshot.total != 0) line += "/" + Amount(snapshot.total, snapshot.unit);
  if (!IsBytes(snapshot.unit)) line += std::string(" ") + snapshot.unit;
  if (snapshot.total != 0) {
    line += " (" + std::to_string(snapshot.done * 100 / snapshot.total) + "%)";
  }
  if (snapshot.seconds >= 0.5 && snapshot.done != 0) {
    const double rate = static_cast<double>(snapshot.done) / snapshot.seconds;
    line += ", " + Amount(static_cast<uint64_t>(rate), snapshot.unit) + "/s";
    if (snapshot.total > snapshot.done) {
      line += ", " + FormatSeconds(static_cast<double>(snapshot.total - snapshot.done) / rate) +
              " left";
    }
  }
  return line;
}

ProgressDisplay::ProgressDisplay(std::string command, bool quiet) : command_(std::move(command)) {
  drawing_ = !quiet && isatty(STDERR_FILENO) != 0;
  if (drawing_) ticker_.emplace(std::chrono::milliseconds(200), [this] { Draw(progress_.Read()); });
}

ProgressDisplay::~ProgressDisplay() { Finish(); }

void ProgressDisplay::Finish() {
  if (!ticker_) return;
  ticker_.reset();
  Draw(Progress::Snapshot());  // ends the last phase's line
}

void ProgressDisplay::Draw(const Progress::Snapshot& snapshot) {
  std::string out;
  if (shown_phase_ != nullptr && snapshot.phase != shown_phase_) {
    // The phase shown has ended: leave it on a line of its own (the report gives its time).
    out += "\r\033[K" + command_ + ": " + shown_phase_ + " done\n";
    shown_phase_ = nullptr;
  }
  if (snapshot.phase != nullptr) {
    shown_phase_ = snapshot.phase;
    out += "\r\033[K" + command_ + ": " + ProgressLine(snapshot);
  }
  if (!out.empty()) {
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace regsweep::tools
