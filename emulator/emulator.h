// Emulator: owns stratus's modules for one project and wires them together: the clock, the
// data directory (SQLite database and blob store), the service server (AWS APIs and the
// admin API under /_stratus/) and the gateway server. It holds no logic of its own.
// Threading: loop thread only. Start() once; Stop() before destruction, whatever Start()
// returned.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/config/config.h"
#include "emulator/http/router.h"
#include "emulator/http/server.h"
#include "emulator/loop/loop.h"
#include "emulator/module.h"
#include "emulator/util/clock.h"
#include "emulator/util/ids.h"

namespace stratus {

namespace storage {
class Db;
class BlobStore;
}  // namespace storage
namespace billing {
class Meter;
class ColdStartModel;
class KeepAlivePolicy;
}  // namespace billing
namespace functions {
class CpuLimiter;
class Invoker;
class InvocationStore;
class LogSink;
class MemoryLimiter;
class CodeWatcher;
}  // namespace functions

enum class ClockKind { kReal, kVirtual, kFrozen };

struct EmulatorOptions {
  std::string config_path;  // the project file; empty for an empty project
  std::optional<config::ProjectConfig> project;  // already loaded: used instead of the file
  std::string host = "127.0.0.1";
  int service_port = 4566;  // 0 = ephemeral
  int gateway_port = 3000;  // 0 = ephemeral
  std::string data_dir;     // empty: ".stratus" beside the project file (or the cwd)
  bool ephemeral = false;   // a temporary data directory, removed by Stop()
  ClockKind clock = ClockKind::kReal;
  std::optional<uint64_t> seed;
  http::ServerLimits limits;
  int log_fd = 1;                  // where function logs are shown; -1 for nowhere
  int account_concurrency = 1000;  // Lambda's default account limit
  std::string runtimes_dir;        // empty: functions::DefaultRuntimesDir()
  bool watch = false;              // retire warm instances when a function's files change
  Clock::Duration drain_timeout = std::chrono::seconds(10);  // graceful stop bound
};

class Emulator {
 public:
  Emulator(loop::Loop& loop, EmulatorOptions options);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Adds a module (a trigger) to start after the data directory opens. Before Start() only.
  void AddModule(std::unique_ptr<Module> module) { modules_.push_back(std::move(module)); }

  // Loads the project, opens the data directory, starts the modules and starts listening.
  // Errors: the config's InvalidArgument (file:line:col), IoError for the data directory,
  // Unavailable for a port in use, or a module's error. After an error, call Stop() to
  // release what was opened.
  Status Start();

  // Stops accepting, lets requests in flight finish (bounded by drain_timeout), closes the
  // database and every handle, removes an ephemeral data directory, then runs `done`.
  void Stop(std::function<void()> done);

  // The one-line JSON ready message: {"event":"ready","service_port":..,...}.
  std::string ReadyLine() const;

  int service_port() const { return service_server_ ? service_server_->port() : 0; }
  int gateway_port() const { return gateway_server_ ? gateway_server_->port() : 0; }
  const std::string& data_dir() const { return data_dir_; }
  const config::ProjectConfig& project() const { return project_; }
  Clock& clock() { return *clock_; }
  Random& random() { return random_; }
  storage::Db& db() { return *db_; }
  storage::BlobStore& blobs() { return *blobs_; }
  functions::Invoker& invoker() { return *invoker_; }
  functions::InvocationStore& invocations() { return *invocation_store_; }
  functions::LogSink& logs() { return *logs_; }
  functions::CodeWatcher* watcher() { return watcher_.get(); }
  // Bills invocations and API requests against the project's price sheet; triggers call
  // meter().CountRequest(service, billing_class, bytes) for each request they serve.
  billing::Meter& meter() { return *meter_; }
  std::string_view memory_limit_mode() const;
  // How function CPU is capped ("cgroup v1 cpu.cfs_quota_us"), or why it is not.
  const std::string& cpu_limit_mode() const { return cpu_limit_mode_; }
  // The queue trigger installs where messages for a queue go; async destinations and S3
  // notifications send through it. SendToQueue: Unavailable until a sink is installed, else
  // the sink's answer (NotFound for an unknown queue).
  void SetQueueSink(std::function<Status(const std::string& queue, const std::string& body)> sink);
  Status SendToQueue(const std::string& queue, const std::string& body);
  http::Router& service_router() { return service_router_; }
  http::Router& gateway_router() { return gateway_router_; }
  Clock::TimePoint started_at() const { return started_at_; }
  bool stopping() const { return stopping_; }

 private:
  Status LoadProject();
  Status OpenDataDir();
  Status Listen();
  Status OpenFunctions();
  Status OpenBilling();
  Status StartFunctions();
  void FinishStop();
  void CloseDataDir();

  loop::Loop& loop_;
  EmulatorOptions options_;
  std::unique_ptr<Clock> clock_;
  Random random_;
  config::ProjectConfig project_;
  std::string data_dir_;
  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<storage::BlobStore> blobs_;
  int lock_fd_ = -1;
  std::unique_ptr<functions::LogSink> logs_;
  std::unique_ptr<functions::MemoryLimiter> memory_limiter_;
  std::unique_ptr<functions::InvocationStore> invocation_store_;
  std::unique_ptr<billing::Meter> meter_;
  std::unique_ptr<billing::ColdStartModel> coldstart_;
  std::unique_ptr<billing::KeepAlivePolicy> keep_alive_;
  std::unique_ptr<functions::CpuLimiter> cpu_limiter_;
  std::string cpu_limit_mode_;
  std::unique_ptr<functions::Invoker> invoker_;
  std::unique_ptr<functions::CodeWatcher> watcher_;
  http::Router service_router_;
  http::Router gateway_router_;
  std::unique_ptr<http::Server> service_server_;
  std::unique_ptr<http::Server> gateway_server_;
  std::function<Status(const std::string& queue, const std::string& body)> queue_sink_;
  std::vector<std::unique_ptr<Module>> modules_;
  size_t modules_started_ = 0;
  Clock::TimePoint started_at_;
  bool stopping_ = false;
  int servers_open_ = 0;
  std::function<void()> stop_done_;
};

}  // namespace stratus
