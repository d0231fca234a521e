#include "emulator/functions/invoker.h"

#include "emulator/util/json.h"

#include <nlohmann/json.hpp>

#include "emulator/util/log.h"
#include "emulator/util/time_format.h"

namespace stratus::functions {

namespace {
// Lambda waits 1 minute before the first retry of a failed asynchronous event, 2 before the
// second.
Clock::Duration RetryDelay(int attempt) { return std::chrono::minutes(attempt == 1 ? 1 : 2); }

}  // namespace

// An Event invocation across its attempts.
struct Invoker::AsyncEvent {
  std::string function;
  std::string request_id;
  InvokeRequest request;
  Clock::TimePoint first_queued{};
  int attempts = 0;
};

Invoker::Invoker(loop::Loop& loop, Clock& clock, Random& random, LogSink& logs,
                 InvocationStore* store, MemoryLimiter& memory)
    : loop_(loop),
      clock_(clock),
      random_(random),
      logs_(logs),
      store_(store),
      env_{loop, clock, random, logs, memory, nullptr, nullptr, nullptr} {}

Invoker::~Invoker() = default;

Status Invoker::Start(const config::ProjectConfig& project, Options options) {
  account_.limit = options.account_concurrency;
  for (const auto& [name, config] : project.functions) {
    auto function = MakeFunction(config, options.context);
    if (!function.ok()) return function.status();
    auto shared = std::make_shared<const Function>(std::move(function.value()));
    pools_.emplace(name, std::make_unique<Pool>(env_, shared, account_, project.scaling,
                                                [this] { OnCapacity(); }));
  }
  for (auto& [name, pool] : pools_) pool->Start();
  return Status::Ok();
}

const Function* Invoker::Find(const std::string& name) const {
  auto it = pools_.find(name);
  return it == pools_.end() ? nullptr : &it->second->function();
}

std::vector<const Function*> Invoker::List() const {
  std::vector<const Function*> out;
  for (const auto& [name, pool] : pools_) out.push_back(&pool->function());
  return out;
}

Pool* Invoker::pool(const std::string& name) {
  auto it = pools_.find(name);
  return it == pools_.end() ? nullptr : it->second.get();
}

InvocationPtr Invoker::NewInvocation(const std::string& name, InvokeRequest request) {
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = random_.Uuid();
  invocation->function = name;
  invocation->request = std::move(request);
  invocation->queued_at = clock_.Now();
  invocation->start_wall_ms = clock_.WallNowMs();
  return invocation;
}

void Invoker::Invoke(const std::string& name, InvokeRequest request, InvokeCallback done) {
  Pool* target = pool(name);
  InvokeResult refused;
  if (target == nullptr) {
    refused.status = Status::NotFound("Function not found: " + name);
  }
  if (shutting_down_) refused.status = Status::Unavailable("stratus is stopping");
  if (!refused.status.ok()) {
    done(std::move(refused));
    return;
  }
  if (request.type == InvocationType::kDryRun) {
    InvokeResult dry;
    dry.request_id = random_.Uuid();
    done(std::move(dry));
    return;
  }
  if (request.type == InvocationType::kEvent) {
    auto event = std::make_shared<AsyncEvent>();
    event->function = name;
    event->request_id = random_.Uuid();
    event->request = std::move(request);
    event->first_queued = clock_.Now();
    InvokeResult accepted;
    accepted.request_id = event->request_id;
    done(std::move(accepted));
    RunAsync(std::move(event));
    return;
  }
  InvocationPtr invocation = NewInvocation(name, std::move(request));
  invocation->done = [this, invocation, done = std::move(done)](InvokeResult result) {
    Record(*invocation, result);
    done(std::move(result));
  };
  std::string reason;
  if (!target->TryRun(invocation, &reason)) {
    InvokeResult throttled;
    throttled.request_id = invocation->request_id;
    throttled.status = Status::ResourceExhausted("Rate Exceeded.");
    throttled.throttle_reason = reason;
    invocation->Finish(std::move(throttled));
  }
}

void Invoker::RunAsync(std::shared_ptr<AsyncEvent> event) {
  Pool* target = pool(event->function);
  if (target == nullptr || shutting_down_) return;
  ++event->attempts;
  InvocationPtr invocation = NewInvocation(event->function, event->request);
  invocation->request_id = event->request_id;  // retries keep the request id, as Lambda's do
  invocation->attempt = event->attempts;
  invocation->done = [this, event, invocation](InvokeResult result) {
    Record(*invocation, result);
    OnAsyncDone(event, std::move(result));
  };
  target->Enqueue(std::move(invocation));  // waits for capacity instead of throttling
}

void Invoker::OnAsyncDone(std::shared_ptr<AsyncEvent> event, InvokeResult result) {
  if (!result.status.ok()) return;  // stopping: the event is dropped with the process
  const Function* fn = Find(event->function);
  const auto& async = fn->config.async;
  if (!result.function_error) {
    if (async.on_success) Deliver(*async.on_success, DestinationRecord(*event, result, "Success"));
    return;
  }
  bool too_old = clock_.Now() - event->first_queued >= async.max_event_age;
  if (event->attempts <= async.retries && !too_old) {
    uint64_t id = next_retry_++;
    retry_timers_[id] = clock_.After(RetryDelay(event->attempts), [this, id, event] {
      retry_timers_.erase(id);
      RunAsync(event);
    });
    return;
  }
  std::string condition = too_old ? "EventAgeExceeded" : "RetriesExhausted";
  log::Warn("asynchronous event " + event->request_id + " for " + event->function +
            " failed after " + std::to_string(event->attempts) + " attempts (" + condition + ")");
  if (async.on_failure) Deliver(*async.on_failure, DestinationRecord(*event, result, condition));
}

// Lambda's invocation record for destinations (docs: "Capturing records of Lambda
// asynchronous invocations").
std::string Invoker::DestinationRecord(const AsyncEvent& event, const InvokeResult& result,
                                       const std::string& condition) const {
  const Function* fn = Find(event.function);
  auto parse = [](const std::string& text) {
    auto json = nlohmann::json::parse(text, nullptr, false);
    return json.is_discarded() ? nlohmann::json(text) : json;
  };
  nlohmann::json response_context = {{"statusCode", 200}, {"executedVersion", "$LATEST"}};
  if (result.function_error) response_context["functionError"] = "Unhandled";
  nlohmann::json record = {
      {"version", "1.0"},
      {"timestamp", IsoTimeUtc(clock_.WallNowMs())},
      {"requestContext",
       {{"requestId", event.request_id},
        {"functionArn", fn->arn + ":$LATEST"},
        {"condition", condition},
        {"approximateInvokeCount", event.attempts}}},
      {"requestPayload", parse(event.request.payload)},
      {"responseContext", response_context},
      {"responsePayload", parse(result.payload)},
  };
  return DumpJson(record);
}

void Invoker::Deliver(const config::Destination& destination, const std::string& record) {
  if (destination.kind == config::Destination::Kind::kFunction) {
    InvokeRequest request;
    request.payload = record;
    request.type = InvocationType::kEvent;
    request.source = "destination";
    Invoke(destination.name, std::move(request), [](InvokeResult) {});
    return;
  }
  Status sent = queue_sink_ ? queue_sink_(destination.name, record)
                            : Status::Unavailable("no queue service is running");
  if (!sent.ok()) {
    log::Error("cannot deliver to queue " + destination.name + ": " + sent.message());
  }
}

void Invoker::Record(const Invocation& invocation, InvokeResult& result) {
  const Function* fn = Find(invocation.function);
  if (fn != nullptr && result.status.ok()) {
    if (result.cpu_limit.empty()) result.cpu_limit = cpu_not_capped_;
    if (meter_) meter_(*fn, result);
  }
  if (store_ == nullptr) return;
  store_->Record(invocation, result, fn ? fn->config.memory : 0,
                 fn ? fn->config.architecture : "x86_64");
}

void Invoker::OnCapacity() {
  for (auto& [name, pool] : pools_) {
    if (pool->queued_count() > 0) pool->Drain();
  }
}

void Invoker::RetireWarm(const std::string& name) {
  if (Pool* p = pool(name)) p->RetireAll();
}

void Invoker::Shutdown(std::function<void()> done) {
  shutting_down_ = true;
  retry_timers_.clear();
  auto remaining = std::make_shared<size_t>(pools_.size());
  if (*remaining == 0) {
    done();
    return;
  }
  for (auto& [name, pool] : pools_) {
    pool->Shutdown([remaining, done] {
      if (--*remaining == 0) done();
    });
  }
}

}  // namespace stratus::functions
