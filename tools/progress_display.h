// Progress of a run on a terminal: a thread that redraws one status line on stderr a few times
// a second from a Progress (core/progress.h): the phase, how much is done (of how much, when
// known), the rate and the time left. A phase that ends is left on a line of its own. Only for a
// terminal: the commands do not create one when stderr is not a tty or
// with -q.
#ifndef REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_
#define REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/progress.h"

namespace regsweep::tools {

class ProgressDisplay {
 public:
  // `command` names the run in every line ("regsweep gc").
  ProgressDisplay(std::string command, const Progress& progress);
  ~ProgressDisplay();  // finishes the last phase's line
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // True when stderr is a terminal and the user did not ask for quiet.
  static bool Wanted(bool quiet);

 private:
  void Run();
  void Draw(const Progress::Snapshot& snapshot);

  std::string command_;
  const Progress& progress_;
  const char* shown_phase_ = nullptr;  // the phase the status line is about
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// The status line for `snapshot` ("manifests 4,096/57,629 manifests (7%), 9,120/s, 6s left").
std::string ProgressLine(const Progress::Snapshot& snapshot);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_PROGRESS_DISPLAY_H_
