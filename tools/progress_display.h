// Progress of a run on a terminal: a thread that redraws one status line on stderr a few times
// a second from the run's Progress (core/progress.h): the phase, how much is done (of how much,
// when known), the rate and the time left. A phase that ends is left on a line of its own.
// Only on a terminal and without -q; otherwise there is nothing to count into.
#ifndef REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_
#define REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_

#include <optional>
#include <string>

#include "core/periodic_thread.h"
#include "core/progress.h"

namespace regsweep::tools {

class ProgressDisplay {
 public:
  // `command` names the run in every line ("regsweep gc"). Draws only when stderr is a terminal
  // and not `quiet`.
  ProgressDisplay(std::string command, bool quiet);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // What the run counts into: nullptr when nothing is drawn.
  Progress* progress() { return drawing_ ? &progress_ : nullptr; }
  // Stops drawing and finishes the last phase's line, before the report is printed.
  void Finish();

 private:
  void Draw(const Progress::Snapshot& snapshot);

  std::string command_;
  Progress progress_;
  const char* shown_phase_ = nullptr;  // the phase the status line is about
  bool drawing_ = false;               // on a terminal and not quiet
  std::optional<PeriodicThread> ticker_;
};

// The status line for `snapshot` ("manifests 4,096/57,629 manifests (7%), 9,120/s, 6s left").
std::string ProgressLine(const Progress::Snapshot& snapshot);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_
