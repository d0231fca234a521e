#include "emulator/functions/instance.h"

#include "emulator/util/json.h"

#include <signal.h>

#include <cassert>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "emulator/util/log.h"
#include "emulator/util/time_format.h"

namespace stratus::functions {

namespace {

// Lambda limits the INIT phase to 10 seconds.
constexpr auto kInitTimeout = std::chrono::seconds(10);
constexpr auto kMemorySampleEvery = std::chrono::milliseconds(50);

double Millis(Clock::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string Fixed2(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", value);
  return buf;
}


std::string ErrorJson(const std::string& type, const std::string& message) {
  return DumpJson(nlohmann::json{{"errorType", type}, {"errorMessage", message}});
}

// Moving a process into a cgroup can take milliseconds (cgroup v1 waits for an RCU grace
// period): done on libuv's thread pool so neither the loop nor Init Duration pays for it.
void AdoptInBackground(loop::Loop& loop, std::shared_ptr<MemoryAccount> account,
                       std::shared_ptr<CpuCap> cpu, pid_t pid) {
  auto status = std::make_shared<Status>(Status::Ok());
  loop.QueueWork(
      [account, cpu, pid, status] {
        if (account) *status = account->Adopt(pid);
        if (cpu && status->ok()) *status = cpu->Adopt(pid);
      },
      [status] {
        if (!status->ok()) log::Warn(status->message());
      });
}

}  // namespace

std::string_view InstanceStateName(Instance::State state) {
  switch (state) {
    case Instance::State::kStarting: return "starting";
    case Instance::State::kIdle: return "idle";
    case Instance::State::kBusy: return "busy";
    case Instance::State::kDead: return "dead";
  }
  return "?";
}

Instance::Instance(InstanceEnv& env, std::shared_ptr<const Function> function, uint64_t id,
                   bool provisioned, Delegate& delegate)
    : env_(env),
      function_(std::move(function)),
      id_(id),
      provisioned_(provisioned),
      delegate_(delegate),
      api_(env.loop, env.clock, *this),
      sandbox_(env.loop, env.clock) {}

Instance::~Instance() = default;

Status Instance::Start(InvocationPtr first) {
  current_ = std::move(first);
  const auto& config = function_->config;
  auto account = env_.memory.NewAccount(config.name + "-" + std::to_string(id_), config.memory);
  if (account.ok()) {
    memory_ = std::move(account.value());
  } else {
    log::Warn("memory limit not applied to " + config.name + ": " + account.status().message());
  }
  if (env_.cpu != nullptr) {
    auto cap = env_.cpu->NewCap(config.name + "-" + std::to_string(id_), config.memory);
    if (cap.ok()) {
      cpu_ = std::move(cap.value());
    } else {
      cpu_not_capped_ = "not capped: " + cap.status().message();
      log::Warn("CPU not capped for " + config.name + ": " + cap.status().message());
    }
  }
  auto port = api_.Listen();  // before the spawn: runtime-api.md §5
  if (!port.ok()) return FailStart(port.status());
  int64_t now_ms = env_.clock.WallNowMs();
  std::string date = IsoTimeUtc(now_ms).substr(0, 10);
  for (auto& c : date) c = c == '-' ? '/' : c;
  log_stream_ = date + "/[$LATEST]" + env_.random.Hex(32);
  Sandbox::Options options;
  options.argv = function_->argv;
  options.environment = function_->environment;
  options.environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(*port);
  options.environment["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream_;
  options.environment["AWS_LAMBDA_INITIALIZATION_TYPE"] =
      provisioned_ ? "provisioned-concurrency" : "on-demand";
  options.cwd = config.code_dir;
  spawned_at_ = env_.clock.Now();
  Status spawned = sandbox_.Spawn(
      options, [this](bool is_stderr, std::string_view chunk) { OnOutput(is_stderr, chunk); },
      [this](ExitInfo info) { OnExit(info); });
  if (!spawned.ok()) return FailStart(spawned);
  if (memory_ || cpu_) AdoptInBackground(env_.loop, memory_, cpu_, sandbox_.pid());
  deadline_timer_ = env_.clock.After(kInitTimeout, [this] { OnInitTimeout(); });
  SampleMemory();
  return Status::Ok();
}

Status Instance::FailStart(Status status) {
  current_.reset();  // the caller still holds it and reports the failure
  start_failed_ = true;
  Die();
  return status;
}

void Instance::OnFirstNext() {
  if (state_ != State::kStarting || simulated_init_timer_.active()) return;
  init_ms_ = Millis(env_.clock.Now() - spawned_at_);
  deadline_timer_.Cancel();
  if (cpu_) {
    Status engaged = cpu_->Engage();
    if (!engaged.ok()) {
      log::Warn("CPU not capped for " + function_->config.name + ": " + engaged.message());
      cpu_not_capped_ = "not capped: " + engaged.message();
      cpu_.reset();
    }
  }
  // `coldstart: simulated`: the environment stays in INIT until the model's duration is over.
  init_simulated_ms_ = env_.simulate_init ? env_.simulate_init(*function_, init_ms_) : 0;
  if (init_simulated_ms_ > 0) {
    auto extra = std::chrono::duration_cast<Clock::Duration>(
        std::chrono::duration<double, std::milli>(init_simulated_ms_));
    simulated_init_timer_ = env_.clock.After(extra, [this] { FinishInit(); });
    return;
  }
  FinishInit();
}

void Instance::FinishInit() {
  if (state_ != State::kStarting) return;
  if (current_) {
    current_cold_ = true;
    Deliver();
    return;
  }
  BecomeIdle();
}

void Instance::Invoke(InvocationPtr invocation) {
  assert(state_ == State::kIdle && "Invoke on an instance that is not idle");
  current_ = std::move(invocation);
  current_cold_ = false;
  Deliver();
}

void Instance::Deliver() {
  state_ = State::kBusy;
  event_sent_ = false;
  Invocation& inv = *current_;
  inv.started_at = env_.clock.Now();
  inv.start_wall_ms = env_.clock.WallNowMs();
  inv.instance_id = id_;
  auto timeout = function_->config.timeout;
  RuntimeEvent event;
  event.request_id = inv.request_id;
  event.payload = inv.request.payload;
  event.deadline_ms = inv.start_wall_ms + timeout.count();
  event.function_arn = function_->arn;
  char root[32];
  std::snprintf(root, sizeof(root), "%08llx", static_cast<unsigned long long>(inv.start_wall_ms / 1000));
  event.trace_id = std::string("Root=1-") + root + "-" + env_.random.Hex(24) +
                   ";Parent=" + env_.random.Hex(16) + ";Sampled=0";
  event.client_context = inv.request.client_context;
  event.cognito_identity = inv.request.cognito_identity;
  deadline_timer_ = env_.clock.After(timeout, [this] { OnTimeout(); });
  SampleMemory();
  api_.Deliver(std::move(event));
}

// Duration and the START line begin when the runtime has the event, not when it was queued
// to this instance (a runtime may take a moment to come back to /next).
void Instance::OnEventSent(const std::string& request_id) {
  if (!current_ || current_->request_id != request_id) return;
  event_sent_ = true;
  current_->started_at = env_.clock.Now();
  cpu_at_start_ms_ = process_cpu_.Ms(sandbox_.pid());
  env_.logs.PlatformLine(function_->config.name, id_, current_.get(),
                         "START RequestId: " + request_id + " Version: $LATEST");
}

void Instance::OnOutcome(const std::string& request_id, RuntimeOutcome outcome) {
  if (outcome.kind == RuntimeOutcome::Kind::kInitError) {
    init_error_ = std::move(outcome);  // the runtime exits next; OnExit fails the invocation
    has_init_error_ = true;
    return;
  }
  if (state_ != State::kBusy || !current_ || current_->request_id != request_id) return;
  sandbox_.DrainOutput();  // lines printed before the response belong to this invocation
  Complete(ResultFromOutcome(std::move(outcome)));
}

InvokeResult Instance::ResultFromOutcome(RuntimeOutcome outcome) {
  InvokeResult result;
  switch (outcome.kind) {
    case RuntimeOutcome::Kind::kResponse:
      result.payload = std::move(outcome.body);
      if (!outcome.content_type.empty()) result.content_type = outcome.content_type;
      break;
    case RuntimeOutcome::Kind::kError:
    case RuntimeOutcome::Kind::kInitError:
      result.function_error = true;
      result.error_type = outcome.error_type;
      result.payload = outcome.body.empty() ? ErrorJson(outcome.error_type, "") : outcome.body;
      break;
    case RuntimeOutcome::Kind::kTooLarge:
      result.function_error = true;
      result.error_type = "Function.ResponseSizeTooLarge";
      result.payload = ErrorJson(result.error_type,
                                 "Response payload size exceeded maximum allowed payload size (" +
                                     std::to_string(kMaxPayloadSize) + " bytes).");
      break;
  }
  return result;
}

void Instance::FailCurrent(const std::string& error_type, const std::string& message) {
  if (!current_) return;
  InvokeResult result;
  result.function_error = true;
  result.error_type = error_type;
  result.payload = ErrorJson(error_type, "RequestId: " + current_->request_id + " Error: " + message);
  Complete(std::move(result));
}

void Instance::Complete(InvokeResult result) {
  deadline_timer_.Cancel();
  InvocationPtr inv = std::move(current_);
  current_.reset();
  const std::string& name = function_->config.name;
  if (inv->log_dropped > 0) {
    env_.logs.PlatformLine(name, id_, inv.get(),
                           "[stratus] " + std::to_string(inv->log_dropped) +
                               " bytes of output dropped: over " +
                               std::to_string(kLogBudgetBytes / 1024) + " KiB for one invocation");
  }
  env_.logs.PlatformLine(name, id_, inv.get(), "END RequestId: " + inv->request_id);
  result.request_id = inv->request_id;
  bool was_starting = state_ == State::kStarting;
  result.cold = current_cold_ || was_starting;
  result.init_ms = result.cold ? (init_ms_ > 0 ? init_ms_ : Millis(env_.clock.Now() - spawned_at_)) : 0;
  result.init_simulated_ms = result.cold ? init_simulated_ms_ : 0;
  result.init_ms += result.init_simulated_ms;
  double cpu_now = event_sent_ ? process_cpu_.Ms(sandbox_.pid()) : -1;
  result.cpu_ms = cpu_now >= 0 && cpu_at_start_ms_ >= 0 ? cpu_now - cpu_at_start_ms_ : -1;
  result.cpu_limit = cpu_ ? cpu_->description() : cpu_not_capped_;
  result.duration_ms =
      was_starting ? 0 : Millis(env_.clock.Now() - inv->started_at);
  current_cold_ = false;
  WriteReport(result, inv.get());
  env_.logs.FlushTerminal();
  result.log_tail = inv->log_tail.size() > kLogTailBytes
                        ? inv->log_tail.substr(inv->log_tail.size() - kLogTailBytes)
                        : inv->log_tail;
  // A dying instance stays busy (its process still counts) until its exit is seen.
  bool dying = exit_seen_ || timed_out_ || killed_for_memory_;
  if (state_ != State::kDead) state_ = dying ? State::kBusy : State::kIdle;
  delegate_.OnInvocationDone(*this, inv, std::move(result));
  if (state_ != State::kIdle || dying) return;
  if (retiring_) {
    Kill();
    return;
  }
  BecomeIdle();
}

void Instance::WriteReport(InvokeResult& result, Invocation* invocation) {
  result.billed_ms = static_cast<int64_t>(std::ceil(result.duration_ms + result.init_ms));
  result.max_memory_mb =
      memory_ ? static_cast<int>((memory_->PeakBytes() + (1 << 20) - 1) >> 20) : 0;
  // Lambda's exact REPORT line: tab-separated, with a trailing tab.
  std::string line = "REPORT RequestId: " + result.request_id +
                     "\tDuration: " + Fixed2(result.duration_ms) +
                     " ms\tBilled Duration: " + std::to_string(result.billed_ms) +
                     " ms\tMemory Size: " + std::to_string(function_->config.memory) +
                     " MB\tMax Memory Used: " + std::to_string(result.max_memory_mb) + " MB";
  if (result.cold) line += "\tInit Duration: " + Fixed2(result.init_ms) + " ms";
  line += "\t";
  // Lambda's fields stay exact; stratus's own note follows them, for simulated cold starts.
  if (result.cold && result.init_simulated_ms > 0) {
    line += "Init Measured: " + Fixed2(result.init_ms - result.init_simulated_ms) +
            " ms\tInit Simulated: " + Fixed2(result.init_simulated_ms) + " ms\t";
  }
  env_.logs.PlatformLine(function_->config.name, id_, invocation, line);
}

void Instance::BecomeIdle() {
  state_ = State::kIdle;
  idle_since_ = env_.clock.Now();
  memory_timer_.Cancel();
  delegate_.OnInstanceIdle(*this);
}

void Instance::OnOutput(bool is_stderr, std::string_view chunk) {
  auto emit = [&](std::string_view line) {
    Invocation* inv = state_ == State::kBusy ? current_.get() : nullptr;
    uint64_t* used = inv ? &inv->log_bytes : &idle_log_bytes_;
    uint64_t* dropped = inv ? &inv->log_dropped : &idle_log_dropped_;
    env_.logs.FunctionLine(function_->config.name, id_, inv, is_stderr, line, used, dropped);
  };
  (is_stderr ? err_lines_ : out_lines_).Feed(chunk, emit);
}

void Instance::OnTimeout() {
  if (state_ != State::kBusy || !current_) return;
  timed_out_ = true;
  std::string seconds = Fixed2(std::chrono::duration<double>(function_->config.timeout).count());
  env_.logs.PlatformLine(function_->config.name, id_, current_.get(),
                         IsoTimeUtc(env_.clock.WallNowMs()) + " " + current_->request_id +
                             " Task timed out after " + seconds + " seconds");
  sandbox_.Kill(SIGKILL);
  FailCurrent("Sandbox.Timedout", "Task timed out after " + seconds + " seconds");
}

void Instance::OnInitTimeout() {
  if (state_ != State::kStarting) return;
  timed_out_ = true;
  sandbox_.Kill(SIGKILL);
  FailCurrent("Sandbox.Timedout", "Init phase timed out after 10.00 seconds");
}

void Instance::SampleMemory() {
  if (!memory_ || state_ == State::kDead || state_ == State::kIdle) return;
  if (memory_->OverLimit()) {
    killed_for_memory_ = true;
    sandbox_.Kill(SIGKILL);
    return;
  }
  memory_timer_ = env_.clock.After(kMemorySampleEvery, [this] { SampleMemory(); });
}

void Instance::OnExit(ExitInfo info) {
  exit_seen_ = true;
  auto flush = [&](bool is_stderr) {
    (is_stderr ? err_lines_ : out_lines_).Finish([&](std::string_view line) {
      Invocation* inv = current_.get();
      uint64_t* used = inv ? &inv->log_bytes : &idle_log_bytes_;
      uint64_t* dropped = inv ? &inv->log_dropped : &idle_log_dropped_;
      env_.logs.FunctionLine(function_->config.name, id_, inv, is_stderr, line, used, dropped);
    });
  };
  flush(false);
  flush(true);
  bool oom = killed_for_memory_ || (memory_ && memory_->OomKilled());
  if (current_ && state_ == State::kBusy && !event_sent_ && !timed_out_) {
    // AWS's Node client posts an error, then exits: a call queued in that gap never ran.
    deadline_timer_.Cancel();
    InvocationPtr returned = std::move(current_);
    current_.reset();
    delegate_.OnInvocationReturned(*this, std::move(returned));
  } else if (current_) {
    if (has_init_error_ && state_ == State::kStarting) {
      InvokeResult result = ResultFromOutcome(std::move(init_error_));
      Complete(std::move(result));
    } else if (oom) {
      FailCurrent("Runtime.OutOfMemory", "Runtime exited with error: " + info.Describe());
    } else {
      FailCurrent("Runtime.ExitError", "Runtime exited with error: " + info.Describe());
    }
  }
  Die();
}

void Instance::Retire() {
  retiring_ = true;
  if (state_ == State::kIdle || (state_ == State::kStarting && !current_)) Kill();
}

void Instance::Kill() {
  if (sandbox_.running()) {
    sandbox_.Kill(SIGKILL);
    return;
  }
  if (state_ != State::kDead && !exit_seen_) Die();
}

void Instance::Die() {
  if (state_ == State::kDead && api_closed_) return;
  state_ = State::kDead;
  deadline_timer_.Cancel();
  simulated_init_timer_.Cancel();
  memory_timer_.Cancel();
  api_.Shutdown([this] {
    api_closed_ = true;
    delegate_.OnInstanceDead(*this);
  });
}

}  // namespace stratus::functions
