// StratusProcess: the real stratus binary as a child process, for tests of the CLI and of
// the emulator as users run it. Output is read through pipes; nothing sleeps: readiness is
// the ready line on stdout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace stratus::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Runs `stratus ARGS...` in `cwd` (default: the test's cwd) to completion.
CommandResult RunStratus(const std::vector<std::string>& args, const std::string& cwd = "",
                         const std::string& stdin_data = "");

class StratusProcess {
 public:
  StratusProcess(const std::vector<std::string>& args, const std::string& cwd = "");
  ~StratusProcess();  // SIGKILLs the process if it is still running

  // Reads stdout until the ready line; nullopt if the process exits or time runs out first.
  std::optional<std::string> WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  int service_port() const { return service_port_; }
  int gateway_port() const { return gateway_port_; }
  const std::string& data_dir() const { return data_dir_; }

  void Signal(int signum);
  // Waits for exit; returns the exit code (128 + signal), or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything read from stderr so far (after Wait: all of it).
  const std::string& err() const { return err_; }
  pid_t pid() const { return pid_; }

 private:
  void Pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  int service_port_ = 0, gateway_port_ = 0;
  std::string data_dir_;
  int exit_code_ = -1;
};

// A fresh temporary directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name (creating parent directories); returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace stratus::testing
