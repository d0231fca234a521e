#include "emulator/emulator.h"

#include "emulator/util/json.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "emulator/admin/admin_api.h"
#include "emulator/billing/coldstart.h"
#include "emulator/billing/keep_alive.h"
#include "emulator/billing/meter.h"
#include "emulator/functions/invocation_store.h"
#include "emulator/functions/invoke_api.h"
#include "emulator/functions/invoker.h"
#include "emulator/functions/limits.h"
#include "emulator/functions/logs.h"
#include "emulator/functions/watcher.h"
#include "emulator/storage/blob_store.h"
#include "emulator/storage/db.h"
#include "emulator/storage/ephemeral_dirs.h"
#include "emulator/util/log.h"

namespace stratus {

namespace fs = std::filesystem;

namespace {

std::unique_ptr<Clock> MakeClock(loop::Loop& loop, ClockKind kind) {
  switch (kind) {
    case ClockKind::kReal: return std::make_unique<RealClock>(loop);
    case ClockKind::kVirtual: return std::make_unique<VirtualClock>(loop, /*frozen=*/false);
    case ClockKind::kFrozen: return std::make_unique<VirtualClock>(loop, /*frozen=*/true);
  }
  return nullptr;
}

}  // namespace

Emulator::Emulator(loop::Loop& loop, EmulatorOptions options)
    : loop_(loop),
      options_(std::move(options)),
      clock_(MakeClock(loop, options_.clock)),
      random_(options_.seed) {}

Emulator::~Emulator() = default;

Status Emulator::Start() {
  loop_.AssertOnLoopThread();
  started_at_ = clock_->Now();
  STRATUS_RETURN_IF_ERROR(LoadProject());
  STRATUS_RETURN_IF_ERROR(OpenDataDir());
  STRATUS_RETURN_IF_ERROR(OpenFunctions());
  admin::RegisterAdminRoutes(service_router_, *this);
  for (auto& module : modules_) {
    Status started = module->Start(*this);
    if (!started.ok()) return started.Annotate(module->name());
    ++modules_started_;
  }
  STRATUS_RETURN_IF_ERROR(Listen());
  // After Listen, in the same loop turn: functions learn the service port (AWS_ENDPOINT_URL)
  // and no request can arrive before they exist.
  return StartFunctions();
}

Status Emulator::LoadProject() {
  if (options_.project) {
    project_ = *options_.project;
    return Status::Ok();
  }
  if (options_.config_path.empty()) {
    project_.project_dir = fs::current_path().string();
    return Status::Ok();
  }
  auto loaded = config::LoadConfigFile(options_.config_path);
  if (!loaded.ok()) return loaded.status();
  project_ = std::move(loaded.value());
  return Status::Ok();
}

Status Emulator::OpenDataDir() {
  std::error_code ec;
  if (options_.ephemeral) {
    int swept = storage::RemoveAbandonedEphemeralDirs(storage::EphemeralParent());
    if (swept > 0) {
      log::Info("removed " + std::to_string(swept) + (swept == 1 ? " data directory" : " data directories") +
                " left by killed --ephemeral runs");
    }
    auto made = storage::MakeEphemeralDir();
    if (!made.ok()) return made.status();
    data_dir_ = made.value();
  } else {
    data_dir_ = options_.data_dir.empty() ? project_.project_dir + "/.stratus" : options_.data_dir;
    fs::create_directories(data_dir_, ec);
    if (ec) return Status::IoError("cannot create data directory " + data_dir_ + ": " + ec.message());
  }
  data_dir_ = fs::absolute(data_dir_, ec).lexically_normal().string();
  // One emulator per data directory: another would delete its temp files at start.
  std::string lock_path = data_dir_ + "/lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder;
    char buf[32] = {0};
    if (lock_fd_ >= 0 && ::pread(lock_fd_, buf, sizeof(buf) - 1, 0) > 0) holder = buf;
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    return Status::FailedPrecondition("data directory " + data_dir_ +
                                      " is in use by another stratus" +
                                      (holder.empty() ? "" : " (pid " + holder + ")"));
  }
  std::string pid = std::to_string(::getpid());
  [[maybe_unused]] int t = ::ftruncate(lock_fd_, 0);
  [[maybe_unused]] ssize_t w = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
  if (options_.ephemeral) STRATUS_RETURN_IF_ERROR(storage::MarkEphemeral(data_dir_));
  // An ephemeral directory is removed at exit and useless after an OS crash, so fsyncs would
  // buy nothing; kill -9 safety does not depend on them (WAL, rename into place).
  auto durability = options_.ephemeral ? storage::Durability::kOff : project_.durability;
  auto db = storage::Db::Open(loop_, data_dir_ + "/stratus.db", durability);
  if (!db.ok()) return db.status();
  db_ = std::move(db.value());
  auto blobs = storage::BlobStore::Open(loop_, data_dir_, durability);
  if (!blobs.ok()) return blobs.status();
  blobs_ = std::move(blobs.value());
  return Status::Ok();
}

Status Emulator::OpenFunctions() {
  STRATUS_RETURN_IF_ERROR(db_->Migrate("invocations", functions::InvocationStore::Migrations()));
  STRATUS_RETURN_IF_ERROR(db_->Migrate("logs", functions::LogSink::Migrations()));
  logs_ = std::make_unique<functions::LogSink>(*clock_, db_.get(), options_.log_fd);
  memory_limiter_ = functions::MemoryLimiter::Create("stratus-" + std::to_string(::getpid()) +
                                                     "-" + random_.Hex(6));
  invocation_store_ = std::make_unique<functions::InvocationStore>(*db_);
  invoker_ = std::make_unique<functions::Invoker>(loop_, *clock_, random_, *logs_,
                                                  invocation_store_.get(), *memory_limiter_);
  functions::RegisterInvokeApi(service_router_, *invoker_, {project_.region, project_.account});
  return OpenBilling();
}

// The price sheet, the cold-start model, the keep-alive policy and CPU caps (emulator/billing).
Status Emulator::OpenBilling() {
  STRATUS_RETURN_IF_ERROR(db_->Migrate("billing", billing::Meter::Migrations()));
  auto sheet = billing::FindPriceSheet(project_.pricing, project_.project_dir,
                                       billing::DefaultPricingDir());
  if (!sheet.ok()) return sheet.status().Annotate("pricing");
  meter_ = std::make_unique<billing::Meter>(*db_, *clock_, std::move(sheet.value()));
  invoker_->SetMeter([this](const functions::Function& fn, functions::InvokeResult& result) {
    billing::InvocationUsage usage{fn.config.memory, result.max_memory_mb, result.duration_ms,
                                   result.init_ms, fn.config.architecture};
    billing::InvocationCharge charge = meter_->Charge(usage);
    result.gb_seconds = charge.gb_seconds;
    result.cost = charge.cost;
  });
  if (project_.coldstart == config::ColdStartMode::kSimulated) {
    auto model = billing::ColdStartModel::Load(billing::DefaultColdStartDir() + "/aws-lambda.yaml");
    if (!model.ok()) return model.status().Annotate("coldstart");
    coldstart_ = std::make_unique<billing::ColdStartModel>(std::move(model.value()));
    invoker_->SetInitSimulator([this](const functions::Function& fn, double measured_ms) {
      return coldstart_->SimulatedExtra(fn.config.runtime, fn.config.memory, measured_ms, random_);
    });
  }
  keep_alive_ = billing::MakeKeepAlivePolicy(project_.keep_alive_policy);
  invoker_->SetKeepAlivePolicy(keep_alive_.get());
  std::string why;
  cpu_limiter_ = functions::CpuLimiter::Create(
      "stratus-cpu-" + std::to_string(::getpid()) + "-" + random_.Hex(6), &why);
  cpu_limit_mode_ = cpu_limiter_ ? std::string(cpu_limiter_->mode()) : why;
  if (!cpu_limiter_ && !project_.functions.empty()) log::Warn("function CPU " + why);
  invoker_->SetCpuLimiter(cpu_limiter_.get(), why);
  return Status::Ok();
}

Status Emulator::StartFunctions() {
  functions::Invoker::Options options;
  options.account_concurrency = options_.account_concurrency;
  auto& context = options.context;
  context.region = project_.region;
  context.account = project_.account;
  context.endpoint_url = "http://127.0.0.1:" + std::to_string(service_port());
  context.runtimes_dir =
      options_.runtimes_dir.empty() ? functions::DefaultRuntimesDir() : options_.runtimes_dir;
  context.interpreter_overrides = project_.runtimes;
  const char* path = std::getenv("PATH");
  context.search_path = path ? path : "/usr/local/bin:/usr/bin:/bin";
  STRATUS_RETURN_IF_ERROR(invoker_->Start(project_, options));
  if (!options_.watch) return Status::Ok();
  watcher_ = std::make_unique<functions::CodeWatcher>(loop_, *clock_, *invoker_);
  return watcher_->Start();
}

std::string_view Emulator::memory_limit_mode() const {
  return memory_limiter_ ? memory_limiter_->mode() : "none";
}

Status Emulator::Listen() {
  service_server_ =
      std::make_unique<http::Server>(loop_, *clock_, service_router_, options_.limits);
  gateway_server_ =
      std::make_unique<http::Server>(loop_, *clock_, gateway_router_, options_.limits);
  auto service = service_server_->Listen(options_.host, options_.service_port);
  if (!service.ok()) return service.status().Annotate("service port");
  auto gateway = gateway_server_->Listen(options_.host, options_.gateway_port);
  if (!gateway.ok()) return gateway.status().Annotate("gateway port");
  return Status::Ok();
}

std::string Emulator::ReadyLine() const {
  nlohmann::json ready = {{"event", "ready"},
                          {"service_port", service_port()},
                          {"gateway_port", gateway_port()},
                          {"data_dir", data_dir_}};
  return DumpJson(ready);
}

void Emulator::Stop(std::function<void()> done) {
  loop_.AssertOnLoopThread();
  if (stopping_) return;
  stopping_ = true;
  stop_done_ = std::move(done);
  std::vector<http::Server*> servers;
  for (auto* server : {service_server_.get(), gateway_server_.get()}) {
    if (server != nullptr) servers.push_back(server);
  }
  // Counted before any Shutdown: one may finish at once, and the last one frees them all.
  servers_open_ = static_cast<int>(servers.size());
  if (servers.empty()) {
    FinishStop();
    return;
  }
  for (auto* server : servers) {
    server->Shutdown(options_.drain_timeout, [this] {
      if (--servers_open_ == 0) FinishStop();
    });
  }
}

void Emulator::FinishStop() {
  service_server_.reset();
  gateway_server_.reset();
  if (watcher_) watcher_->Close();
  if (!invoker_) {
    CloseDataDir();
    return;
  }
  // Function processes end after the servers drained: requests in flight needed them.
  invoker_->Shutdown([this] { CloseDataDir(); });
}

void Emulator::CloseDataDir() {
  for (size_t i = modules_started_; i > 0; --i) modules_[i - 1]->Stop();
  modules_started_ = 0;
  if (logs_) logs_->Flush();
  if (db_) db_->Close();
  clock_->Close();
  // Removed while still locked: another start's sweep takes an unlocked, marked directory
  // for abandoned.
  if (options_.ephemeral && !data_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
    if (ec) log::Warn("cannot remove " + data_dir_ + ": " + ec.message());
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the lock
    lock_fd_ = -1;
  }
  auto done = std::move(stop_done_);
  stop_done_ = nullptr;
  if (done) done();
}

void Emulator::SetQueueSink(
    std::function<Status(const std::string& queue, const std::string& body)> sink) {
  queue_sink_ = std::move(sink);
  if (invoker_) {
    invoker_->SetQueueSink([this](const std::string& queue, const std::string& body) {
      return SendToQueue(queue, body);
    });
  }
}

Status Emulator::SendToQueue(const std::string& queue, const std::string& body) {
  if (!queue_sink_) return Status::Unavailable("no queue service is running");
  return queue_sink_(queue, body);
}

}  // namespace stratus
