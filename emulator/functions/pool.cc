#include "emulator/functions/pool.h"

#include "emulator/billing/keep_alive.h"
#include "emulator/util/log.h"

namespace stratus::functions {

Pool::Pool(InstanceEnv& env, std::shared_ptr<const Function> function, AccountConcurrency& account,
           std::function<void()> on_capacity)
    : env_(env),
      function_(std::move(function)),
      account_(account),
      on_capacity_(std::move(on_capacity)) {}

Pool::~Pool() = default;

void Pool::Start() {
  for (int i = 0; i < function_->config.provisioned; ++i) StartInstance(nullptr, true);
}

size_t Pool::busy_count() const {
  size_t n = 0;
  for (const auto& [id, instance] : instances_) {
    if (instance->state() == Instance::State::kBusy) ++n;
  }
  return n;
}

std::vector<pid_t> Pool::TestPids() const {
  std::vector<pid_t> pids;
  for (const auto& [id, instance] : instances_) pids.push_back(instance->pid());
  return pids;
}

size_t Pool::TestIdleCount() const {
  size_t n = 0;
  for (const auto& [id, instance] : instances_) {
    if (instance->state() == Instance::State::kIdle) ++n;
  }
  return n;
}

int Pool::provisioned_alive() const {
  int n = 0;
  for (const auto& [id, instance] : instances_) {
    if (instance->provisioned() && !instance->retiring()) ++n;
  }
  return n;
}

// The most recently idle instance: reusing it lets the others reach their keep-alive.
Instance* Pool::WarmIdle() {
  Instance* best = nullptr;
  for (auto& [id, instance] : instances_) {
    if (instance->state() != Instance::State::kIdle || instance->retiring()) continue;
    if (best == nullptr || instance->idle_since() > best->idle_since()) best = instance.get();
  }
  return best;
}

bool Pool::TryRun(InvocationPtr invocation, std::string* reason) {
  if (shutting_down_) {
    *reason = "stopping";
    return false;
  }
  if (account_.in_flight >= account_.limit) {
    *reason = "ConcurrentInvocationLimitExceeded";
    return false;
  }
  if (env_.keep_alive != nullptr) {
    env_.keep_alive->OnInvocation(function_->config.name, env_.clock.Now());
    prewarm_timer_.Cancel();  // the arrival came first: the next idle decides again
  }
  if (Instance* warm = WarmIdle()) {
    keep_alive_.erase(warm->id());
    ++account_.in_flight;
    warm->Invoke(std::move(invocation));
    return true;
  }
  auto limit = function_->config.concurrency;
  if (limit && static_cast<int>(instances_.size()) >= *limit) {
    *reason = "ReservedFunctionConcurrentInvocationLimitExceeded";
    return false;
  }
  ++account_.in_flight;
  Status started = StartInstance(invocation, false);
  if (!started.ok()) {
    --account_.in_flight;
    InvokeResult result;
    result.request_id = invocation->request_id;
    result.status = Status::Unavailable("cannot start the function: " + started.message());
    invocation->Finish(std::move(result));
  }
  return true;
}

Status Pool::StartInstance(InvocationPtr first, bool provisioned) {
  uint64_t id = next_id_++;
  Instance::Delegate& delegate = *this;
  auto instance = std::make_unique<Instance>(env_, function_, id, provisioned, delegate);
  Instance* raw = instance.get();
  instances_.emplace(id, std::move(instance));
  // On failure the instance still reports OnInstanceDead once its listener has closed.
  Status started = raw->Start(std::move(first));
  if (!started.ok()) {
    log::Error("cannot start an instance of " + function_->config.name + ": " +
               started.message());
  }
  return started;
}

void Pool::Enqueue(InvocationPtr invocation) {
  queue_.push_back(std::move(invocation));
  Drain();
}

void Pool::Drain() {
  std::string reason;
  while (!queue_.empty() && TryRun(queue_.front(), &reason)) queue_.pop_front();
}

void Pool::OnInstanceIdle(Instance& instance) {
  if (shutting_down_ || instance.retiring()) {
    instance.Kill();
    return;
  }
  if (!queue_.empty()) {
    Drain();
    if (instance.state() != Instance::State::kIdle) return;
  }
  if (instance.provisioned()) return;  // kept warm, never reaped
  uint64_t id = instance.id();
  Clock::Duration keep_alive = function_->config.keep_alive;
  if (auto prewarmed = prewarmed_.find(id); prewarmed != prewarmed_.end()) {
    keep_alive = prewarmed->second;  // a pre-warmed instance keeps the window it was made for
    prewarmed_.erase(prewarmed);
  } else if (env_.keep_alive != nullptr) {
    billing::KeepAliveWindow window = env_.keep_alive->AfterIdle(function_->config.name, keep_alive);
    if (window.prewarm > Clock::Duration::zero() && busy_count() == 0) {
      SchedulePrewarm(window);
      instance.Retire();
      return;
    }
    keep_alive = window.keep_alive;
  }
  keep_alive_[id] = env_.clock.After(keep_alive, [this, id] {
    keep_alive_.erase(id);
    auto it = instances_.find(id);
    if (it != instances_.end() && it->second->state() == Instance::State::kIdle) {
      it->second->Retire();
    }
  });
}

// The hybrid policy's pre-warm: unload now, start a fresh instance shortly before the next
// invocation is expected, and keep that one warm for the policy's window.
void Pool::SchedulePrewarm(const billing::KeepAliveWindow& window) {
  Clock::Duration keep_alive = window.keep_alive;
  prewarm_timer_ = env_.clock.After(window.prewarm, [this, keep_alive] {
    if (shutting_down_) return;
    uint64_t id = next_id_;
    if (StartInstance(nullptr, false).ok()) prewarmed_[id] = keep_alive;
  });
}

void Pool::OnInvocationDone(Instance&, InvocationPtr invocation, InvokeResult result) {
  --account_.in_flight;
  invocation->Finish(std::move(result));
  if (on_capacity_) on_capacity_();
}

void Pool::OnInvocationReturned(Instance&, InvocationPtr invocation) {
  --account_.in_flight;
  if (shutting_down_) {
    InvokeResult result;
    result.request_id = invocation->request_id;
    result.status = Status::Unavailable("stratus is stopping");
    invocation->Finish(std::move(result));
    return;
  }
  queue_.push_front(std::move(invocation));  // first in line; drained when the instance is gone
}

void Pool::OnInstanceDead(Instance& instance) {
  uint64_t id = instance.id();
  bool start_failed = instance.start_failed();
  keep_alive_.erase(id);
  prewarmed_.erase(id);
  auto it = instances_.find(id);
  if (it != instances_.end()) {
    // Freed on a later turn: this call comes from inside the instance's own shutdown.
    graveyard_.push_back(std::move(it->second));
    instances_.erase(it);
    bury_ = env_.clock.After(Clock::Duration::zero(), [this] { graveyard_.clear(); });
  }
  if (shutting_down_) {
    MaybeFinishShutdown();
    return;
  }
  // A provisioned environment that died (or was replaced by --watch) is started again, unless
  // starting is what fails (that would loop).
  if (!start_failed && provisioned_alive() < function_->config.provisioned) {
    StartInstance(nullptr, true);
  }
  Drain();
  if (on_capacity_) on_capacity_();
}

void Pool::RetireAll() {
  std::vector<Instance*> all;
  for (auto& [id, instance] : instances_) all.push_back(instance.get());
  for (Instance* instance : all) instance->Retire();
}

void Pool::Shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  keep_alive_.clear();
  prewarm_timer_.Cancel();
  // Queued invocations never ran: their callers learn so.
  std::deque<InvocationPtr> queued;
  queued.swap(queue_);
  for (auto& invocation : queued) {
    InvokeResult result;
    result.request_id = invocation->request_id;
    result.status = Status::Unavailable("stratus is stopping");
    invocation->Finish(std::move(result));
  }
  std::vector<Instance*> all;
  for (auto& [id, instance] : instances_) all.push_back(instance.get());
  for (Instance* instance : all) instance->Kill();
  MaybeFinishShutdown();
}

void Pool::MaybeFinishShutdown() {
  if (!shutting_down_ || !instances_.empty() || !shutdown_done_) return;
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  // After the graveyard is cleared, so no instance outlives the pool's shutdown.
  bury_ = env_.clock.After(Clock::Duration::zero(), [this, done] {
    graveyard_.clear();
    done();
  });
}

}  // namespace stratus::functions
