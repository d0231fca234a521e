#include "tests/support/stratus_process.h"

#include "tests/support/paths.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

extern char** environ;

namespace stratus::testing {

namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::string& cwd, int* in_fd,
            int* out_fd, int* err_fd) {
  int in[2], out[2], err[2];
  REQUIRE(pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(pipe2(err, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  const std::string binary = StratusBinary();
  std::vector<std::string> full{binary};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  REQUIRE(rc == 0);
  *in_fd = in[1];
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads what is available on fd into out; returns false at EOF.
bool ReadSome(int fd, std::string* out) {
  char buf[65536];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n <= 0) return false;
  out->append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

CommandResult RunStratus(const std::vector<std::string>& args, const std::string& cwd,
                         const std::string& stdin_data) {
  int in_fd, out_fd, err_fd;
  pid_t pid = Spawn(args, cwd, &in_fd, &out_fd, &err_fd);
  if (!stdin_data.empty()) {
    [[maybe_unused]] ssize_t n = write(in_fd, stdin_data.data(), stdin_data.size());
  }
  close(in_fd);
  CommandResult result;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0 && poll(fds, 2, 60000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0 && fds[i].revents != 0) {
        if (!ReadSome(fds[i].fd, i == 0 ? &result.out : &result.err)) {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = DecodeStatus(status);
  return result;
}

StratusProcess::StratusProcess(const std::vector<std::string>& args, const std::string& cwd) {
  int in_fd;
  pid_ = Spawn(args, cwd, &in_fd, &out_fd_, &err_fd_);
  close(in_fd);
}

StratusProcess::~StratusProcess() {
  if (exit_code_ < 0 && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void StratusProcess::Pump(int timeout_ms) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (poll(fds, 2, timeout_ms) <= 0) return;
  if (fds[0].revents && !ReadSome(out_fd_, &out_)) {
    close(out_fd_);
    out_fd_ = -1;
  }
  if (fds[1].revents && !ReadSome(err_fd_, &err_)) {
    close(err_fd_);
    err_fd_ = -1;
  }
}

std::optional<std::string> StratusProcess::WaitReady(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_.find('\n') == std::string::npos && out_fd_ >= 0 &&
         std::chrono::steady_clock::now() < deadline) {
    Pump(50);
  }
  size_t newline = out_.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  std::string line = out_.substr(0, newline);
  auto ready = nlohmann::json::parse(line, nullptr, false);
  if (ready.is_discarded() || ready.value("event", "") != "ready") return std::nullopt;
  service_port_ = ready.value("service_port", 0);
  gateway_port_ = ready.value("gateway_port", 0);
  data_dir_ = ready.value("data_dir", "");
  return line;
}

void StratusProcess::Signal(int signum) { kill(pid_, signum); }

int StratusProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_ >= 0) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = DecodeStatus(status);
      while (err_fd_ >= 0 || out_fd_ >= 0) Pump(100);
      return exit_code_;
    }
    Pump(20);
  }
  return -1;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "stratus-test-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::filesystem::path full = std::filesystem::path(path_) / name;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary) << content;
  return full.string();
}

}  // namespace stratus::testing
