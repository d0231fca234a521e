// Sandbox: one function process (and whatever it starts), spawned with uv_spawn in a process
// group of its own so a timeout can kill the whole tree. Its stdout and stderr are pipes the
// loop reads continuously, so a function that floods output never blocks on a full pipe.
// Threading: loop thread only. The Sandbox may be destroyed at any time: handles still open
// then close by themselves and no callback runs afterwards.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/loop/loop.h"
#include "emulator/util/clock.h"
#include "emulator/util/status.h"

namespace stratus::functions {

struct ExitInfo {
  int64_t exit_status = 0;
  int term_signal = 0;
  // "exit status 3", "signal: segmentation fault (core dumped)"-like, as Lambda words it.
  std::string Describe() const;
};

class Sandbox {
 public:
  struct Options {
    std::vector<std::string> argv;              // argv[0]: an absolute path
    std::map<std::string, std::string> environment;  // the whole environment
    std::string cwd;
  };
  using OutputFn = std::function<void(bool is_stderr, std::string_view chunk)>;
  using ExitFn = std::function<void(ExitInfo)>;

  // `clock` must outlive the process (its exit may come after the Sandbox is gone).
  Sandbox(loop::Loop& loop, Clock& clock);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Starts the process. `on_output` gets raw chunks as they arrive; `on_exit` runs once,
  // after the process has exited and its output has been read to the end (or a short grace
  // has passed, when a grandchild keeps the pipes open). An immediate error (no such
  // program) means neither callback runs.
  Status Spawn(const Options& options, OutputFn on_output, ExitFn on_exit);

  // Reads, now, whatever output the process has already written and hands it to `on_output`:
  // a runtime prints, then posts its response, and the loop may see the post first; draining
  // before the invocation ends keeps those lines inside it.
  void DrainOutput();
  // Sends `signum` to the whole process group. Harmless once the process has exited.
  void Kill(int signum);
  pid_t pid() const;
  bool running() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace stratus::functions
