#include "emulator/util/clock.h"

#include <algorithm>

namespace stratus {

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    Cancel();
    clock_ = std::exchange(other.clock_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Timer::Cancel() {
  if (clock_ != nullptr) clock_->CancelTimer(id_);
  clock_ = nullptr;
  id_ = 0;
}

bool Timer::active() const { return clock_ != nullptr && clock_->IsPending(id_); }

Clock::Clock(loop::Loop& loop) : loop_(loop) {
  uv_timer_ = new uv_timer_t;
  uv_timer_init(loop_.raw(), uv_timer_);
  uv_timer_->data = this;
  // Pending timers alone do not keep the process alive; servers and processes do.
  uv_unref(reinterpret_cast<uv_handle_t*>(uv_timer_));
}

Clock::~Clock() { Close(); }

void Clock::Close() {
  if (uv_timer_ == nullptr) return;
  queue_.clear();
  due_by_id_.clear();
  uv_timer_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(uv_timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  uv_timer_ = nullptr;
}

int64_t Clock::WallNowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(WallNow().time_since_epoch())
      .count();
}

Timer Clock::After(Duration delay, std::function<void()> fn) {
  loop_.AssertOnLoopThread();
  uint64_t id = next_id_++;
  TimePoint due = Now() + std::max(delay, Duration::zero());
  queue_.emplace(std::make_pair(due, id), std::move(fn));
  due_by_id_.emplace(id, due);
  Rearm();
  return Timer(this, id);
}

void Clock::CancelTimer(uint64_t id) {
  auto it = due_by_id_.find(id);
  if (it == due_by_id_.end()) return;
  queue_.erase({it->second, id});
  due_by_id_.erase(it);
  // The libuv timer may stay armed for a cancelled deadline; it then finds nothing due.
}

bool Clock::EarliestDue(TimePoint* due) const {
  if (queue_.empty()) return false;
  *due = queue_.begin()->first.first;
  return true;
}

void Clock::FireUntil(TimePoint until, const std::function<void(TimePoint)>& before_fire) {
  while (!queue_.empty() && queue_.begin()->first.first <= until) {
    auto node = queue_.extract(queue_.begin());
    due_by_id_.erase(node.key().second);
    if (before_fire) before_fire(node.key().first);
    node.mapped()();
  }
}

void Clock::FireDue() {
  FireUntil(Now(), nullptr);
  Rearm();
}

void Clock::Rearm() {
  if (uv_timer_ == nullptr) return;
  TimePoint due;
  if (!EarliestDue(&due)) {
    uv_timer_stop(uv_timer_);
    return;
  }
  int64_t wait_ms = RealMillisUntil(due);
  if (wait_ms < 0) {
    uv_timer_stop(uv_timer_);
    return;
  }
  uv_timer_start(uv_timer_, &Clock::OnUvTimer, static_cast<uint64_t>(wait_ms), 0);
}

void Clock::OnUvTimer(uv_timer_t* handle) {
  auto* clock = static_cast<Clock*>(handle->data);
  if (clock != nullptr) clock->FireDue();
}

namespace {
// Rounds up so that a timer never fires before its due time.
int64_t CeilMillis(Clock::Duration d) {
  if (d <= Clock::Duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d);
  return ms.count();
}
}  // namespace

int64_t RealClock::RealMillisUntil(TimePoint due) const { return CeilMillis(due - Now()); }

VirtualClock::VirtualClock(loop::Loop& loop, bool frozen)
    : Clock(loop),
      frozen_(frozen),
      frozen_base_(std::chrono::steady_clock::now()),
      frozen_wall_base_(std::chrono::system_clock::now()) {}

Clock::TimePoint VirtualClock::Now() const {
  if (frozen_) return frozen_base_ + offset_;
  return std::chrono::steady_clock::now() + offset_;
}

Clock::WallTime VirtualClock::WallNow() const {
  auto offset = std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
  if (frozen_) return frozen_wall_base_ + offset;
  return std::chrono::system_clock::now() + offset;
}

int64_t VirtualClock::RealMillisUntil(TimePoint due) const {
  if (frozen_) return -1;
  return CeilMillis(due - Now());
}

void VirtualClock::MoveTo(TimePoint target) {
  TimePoint now = Now();
  if (target > now) offset_ += target - now;
}

void VirtualClock::Advance(Duration delta) {
  if (delta < Duration::zero()) delta = Duration::zero();
  TimePoint target = Now() + delta;
  // Each timer sees Now() equal to its own due time, so timers it makes are placed correctly.
  FireUntil(target, [this](TimePoint due) { MoveTo(due); });
  MoveTo(target);
  FireDue();
}

}  // namespace stratus
