// The functions-layer test fixture: an Emulator embedded on its own loop thread, started from
// inline YAML in a TempDir that also holds the functions' code, on ephemeral ports. Tests
// call the Invoker (through Invoke), the HTTP APIs (through RawClient) and the pools (through
// OnLoop); nothing sleeps for timing: WaitUntil polls a condition.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/functions/pool.h"
#include "emulator/storage/db.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "tests/support/paths.h"

namespace stratus::fntest {

using functions::InvocationType;
using functions::InvokeRequest;
using functions::InvokeResult;
using nlohmann::json;

// Set in the test process before any function starts; must never reach a function.
inline void SetCanary() { ::setenv("STRATUS_TEST_CANARY", "leaked", 1); }

// Polls `condition` (on the calling thread) until it holds or `limit` passes.
template <typename Fn>
bool WaitUntil(Fn condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a poll interval, not a timing
  }
  return true;
}

inline bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return false;
  // A zombie is dead for our purposes.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// The environment of a live process, from /proc/PID/environ.
inline std::map<std::string, std::string> ProcessEnv(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  std::map<std::string, std::string> env;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    std::string entry = all.substr(start, end - start);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    start = end + 1;
  }
  return env;
}

// VmRSS of this process, in KiB.
inline long SelfRssKb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

struct FixtureOptions {
  ClockKind clock = ClockKind::kReal;
  std::vector<std::string> executable;  // files to chmod 0755
  std::function<void(const std::string& dir)> prepare;  // runs before the emulator starts
};

class Fixture {
 public:
  // `files`: path (relative to the project dir) -> content.
  Fixture(const std::string& yaml, const std::map<std::string, std::string>& files,
          FixtureOptions fixture_options = {}) {
    SetCanary();
    for (const auto& [name, content] : files) dir_.Write(name, content);
    for (const auto& name : fixture_options.executable) {
      ::chmod((dir_.path() + "/" + name).c_str(), 0755);
    }
    if (fixture_options.prepare) fixture_options.prepare(dir_.path());
    auto project = config::ParseConfig(yaml, dir_.path() + "/stratus.yaml");
    REQUIRE_MESSAGE(project.ok(), project.status().message());
    EmulatorOptions options;
    options.project = project.value();
    options.service_port = 0;
    options.gateway_port = 0;
    options.data_dir = dir_.path() + "/.stratus";
    options.clock = fixture_options.clock;
    options.log_fd = -1;
    emulator_ = std::make_unique<Emulator>(lt_.loop(), std::move(options));
    Status started = lt_.Run([&] { return emulator_->Start(); });
    REQUIRE_MESSAGE(started.ok(), started.message());
  }

  ~Fixture() {
    testing::StopAndDestroy(lt_, emulator_);
  }

  const std::string& dir() const { return dir_.path(); }
  Emulator& emulator() { return *emulator_; }
  int port() const { return emulator_->service_port(); }

  template <typename Fn>
  auto OnLoop(Fn fn) {
    return lt_.Run(std::move(fn));
  }

  // Starts an invocation; the future is ready when its callback ran.
  std::shared_future<InvokeResult> Start(const std::string& name, const std::string& payload,
                                         InvocationType type = InvocationType::kRequestResponse) {
    auto promise = std::make_shared<std::promise<InvokeResult>>();
    auto future = promise->get_future().share();
    lt_.Run([&] {
      InvokeRequest request;
      request.payload = payload;
      request.type = type;
      request.source = "test";
      emulator_->invoker().Invoke(name, std::move(request),
                                  [promise](InvokeResult r) { promise->set_value(std::move(r)); });
      return 0;
    });
    return future;
  }

  // Starts `n` invocations in one loop turn, so none can finish before the last is asked.
  std::vector<std::shared_future<InvokeResult>> StartMany(
      const std::string& name, const std::string& payload, int n,
      InvocationType type = InvocationType::kRequestResponse) {
    std::vector<std::shared_ptr<std::promise<InvokeResult>>> promises;
    std::vector<std::shared_future<InvokeResult>> futures;
    for (int i = 0; i < n; ++i) {
      promises.push_back(std::make_shared<std::promise<InvokeResult>>());
      futures.push_back(promises.back()->get_future().share());
    }
    lt_.Run([&] {
      for (auto& promise : promises) {
        InvokeRequest request;
        request.payload = payload;
        request.type = type;
        request.source = "test";
        emulator_->invoker().Invoke(
            name, std::move(request),
            [promise](InvokeResult r) { promise->set_value(std::move(r)); });
      }
      return 0;
    });
    return futures;
  }

  InvokeResult Invoke(const std::string& name, const std::string& payload = "{}",
                      InvocationType type = InvocationType::kRequestResponse) {
    auto future = Start(name, payload, type);
    REQUIRE_MESSAGE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready,
                    (std::string("invocation of ") + name + " never completed"));
    return future.get();
  }

  // Process ids of the live instances of `name`.
  std::vector<pid_t> Pids(const std::string& name) {
    return lt_.Run([&] { return emulator_->invoker().pool(name)->TestPids(); });
  }
  size_t IdleCount(const std::string& name) {
    return lt_.Run([&] { return emulator_->invoker().pool(name)->TestIdleCount(); });
  }
  size_t InstanceCount(const std::string& name) {
    return lt_.Run([&] { return emulator_->invoker().pool(name)->instance_count(); });
  }

  void Advance(Clock::Duration d) {
    lt_.Run([&] {
      static_cast<VirtualClock&>(emulator_->clock()).Advance(d);
      return 0;
    });
  }

  // Rows of a query on the emulator's database, each column as text; what the deferred
  // group commit still holds (log lines, records) is committed first, as readers do.
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    return lt_.Run([&] {
      emulator_->db().FlushPending();
      std::vector<std::vector<std::string>> rows;
      auto stmt = emulator_->db().Prepare(sql);
      REQUIRE(stmt.ok());
      while (true) {
        auto row = (*stmt)->Step();
        if (!row.ok() || !*row) break;
        std::vector<std::string> cols;
        for (int i = 0; i < (*stmt)->ColumnCount(); ++i) cols.push_back((*stmt)->Text(i));
        rows.push_back(std::move(cols));
      }
      (*stmt)->Reset();
      return rows;
    });
  }

  // An HTTP request on the service port.
  std::optional<testing::RawResponse> Http(const std::string& method, const std::string& path,
                                           const std::string& body = "",
                                           const std::string& extra_headers = "") {
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + extra_headers +
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    testing::RawClient client(port());
    client.Send(request);
    return client.Read(std::chrono::seconds(60));
  }

 private:
  testing::LoopThread lt_;
  testing::TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
};

// Live processes (not zombies) started for function `name` of the project in `dir`: found by
// their environment, so grandchildren count too.
inline int CountFunctionProcesses(const std::string& name, const std::string& dir) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    auto env = ProcessEnv(std::atoi(pid.c_str()));
    if (env["AWS_LAMBDA_FUNCTION_NAME"] == name && env["LAMBDA_TASK_ROOT"].rfind(dir, 0) == 0 &&
        ProcessAlive(std::atoi(pid.c_str()))) {
      ++n;
    }
  }
  return n;
}

// Sync results that ran (`ok`, checked free of function errors) and that were throttled by
// the function's reserved concurrency (checked: 429 with Lambda's reason).
struct Outcomes {
  int ok = 0;
  int throttled = 0;
};
inline Outcomes CountOutcomes(const std::vector<std::shared_future<InvokeResult>>& futures) {
  Outcomes out;
  for (const auto& future : futures) {
    InvokeResult r = future.get();
    if (r.status.ok()) {
      CHECK_FALSE(r.function_error);
      ++out.ok;
    } else {
      CHECK(r.status.code() == Status::Code::kResourceExhausted);
      CHECK(r.throttle_reason == "ReservedFunctionConcurrentInvocationLimitExceeded");
      ++out.throttled;
    }
  }
  return out;
}

// The lines of a file (empty when it does not exist yet).
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

inline json ParseJson(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  INFO("not JSON: " << text.substr(0, 300));
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// The C++ test function (tests/fixtures/functions/cpp_fn.cc) compiled once per test binary
// with the header-only runtime client; returns the binary's path.
inline std::string CppFunctionBinary() {
  static testing::TempDir build_dir;  // removed at exit
  static std::string binary;
  if (!binary.empty()) return binary;
  std::string src = stratus::testing::SourceDir() + "/tests/fixtures/functions/cpp_fn.cc";
  std::string include = stratus::testing::SourceDir() + "/emulator/runtimes/cpp";
  std::string out = build_dir.path() + "/cpp_fn";
  std::string cmd = "g++ -std=c++17 -O0 -I '" + include + "' '" + src + "' -o '" + out + "'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, (std::string("cannot compile ") + src));
  binary = out;
  return binary;
}

// Copies the C++ test function to DIR/SUB/bootstrap.
inline void InstallCppBootstrap(const std::string& dir, const std::string& sub) {
  std::filesystem::create_directories(dir + "/" + sub);
  std::filesystem::copy_file(CppFunctionBinary(), dir + "/" + sub + "/bootstrap");
}

// The text of tests/fixtures/functions/NAME.
inline std::string FixtureFile(const std::string& name) {
  std::ifstream in(stratus::testing::SourceDir() + "/tests/fixtures/functions/" + name);
  REQUIRE_MESSAGE(in.good(), (std::string("missing fixture ") + name));
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace stratus::fntest

namespace stratus::fntest {

// One runtime under test: how to declare a function `fn` of it, and what its errors look like.
struct RuntimeCase {
  std::string label;
  std::string runtime;     // the YAML runtime
  std::string handler;     // handler line, "" for provided
  std::string code;        // `code:` subdirectory, "" for the project dir
  std::string error_type;  // of the "raise" action
  std::string error_message;
  std::string trace_key;   // stackTrace (Python, C++) or trace (Node)
};

inline std::vector<RuntimeCase> AllRuntimes() {
  return {
      {"python", "python3.11", "handler.handler", "", "ValueError", "boom from python",
       "stackTrace"},
      {"node", "nodejs20.x", "handler.handler", "", "TypeError", "boom from node", "trace"},
      {"c++", "provided.al2023", "", "cpp", "std::runtime_error", "boom from c++", "stackTrace"},
  };
}

// The YAML of function NAME for runtime `rc`, with EXTRA lines (indented 4) appended.
inline std::string FunctionYaml(const RuntimeCase& rc, const std::string& name,
                                const std::string& extra = "") {
  std::string y = "  " + name + ":\n    runtime: " + rc.runtime + "\n";
  if (!rc.handler.empty()) y += "    handler: " + rc.handler + "\n";
  if (!rc.code.empty()) y += "    code: " + rc.code + "\n";
  return y + extra;
}

// The code every runtime case needs, written before the emulator starts.
inline std::map<std::string, std::string> RuntimeFiles() {
  return {{"handler.py", FixtureFile("handler.py")},
          {"handler.js", FixtureFile("handler.js")},
          {"broken_import.py", FixtureFile("broken_import.py")},
          {"broken_import.js", FixtureFile("broken_import.js")}};
}

inline FixtureOptions RuntimeOptions(ClockKind clock = ClockKind::kReal) {
  FixtureOptions options;
  options.clock = clock;
  options.prepare = [](const std::string& dir) { InstallCppBootstrap(dir, "cpp"); };
  return options;
}

}  // namespace stratus::fntest
