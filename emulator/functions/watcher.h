// CodeWatcher (--watch): watches each function's code directory and, when a file changes,
// retires the function's warm instances so that the next call cold-starts the new code.
// Busy instances finish their invocation first; provisioned ones are replaced.
// Threading: loop thread only. Close() before destruction.
#pragma once

#include <uv.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "emulator/loop/loop.h"
#include "emulator/util/clock.h"
#include "emulator/util/status.h"

namespace stratus::functions {

class Invoker;

class CodeWatcher {
 public:
  CodeWatcher(loop::Loop& loop, Clock& clock, Invoker& invoker);
  ~CodeWatcher();

  // Watches the code directory of every function the invoker knows, and the directories
  // below them (not .git, node_modules, __pycache__ or .stratus).
  Status Start();
  void Close();

  // How many times instances were retired because of a change (for tests and logs).
  int reloads() const { return reloads_; }

 private:
  struct Watch;
  void Scan();
  void WatchDirectory(const std::string& dir);
  void OnChange(const std::string& dir, const char* file);
  void Reload();

  loop::Loop& loop_;
  Clock& clock_;
  Invoker& invoker_;
  std::map<std::string, std::vector<std::string>> functions_by_root_;  // code dir -> names
  std::map<std::string, Watch*> watches_;                              // dir -> handle
  std::set<std::string> changed_roots_;
  Timer debounce_;
  int reloads_ = 0;
};

}  // namespace stratus::functions
