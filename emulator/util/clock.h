// Clock: the one source of time and timers in stratus.
// Threading: loop thread only. A Clock must outlive every Timer made from it, and Close()
// must be called before its Loop is destroyed.
//
// RealClock follows the machine. VirtualClock runs at real speed plus an offset (or stands
// still when frozen); Advance(d) moves the offset forward at once and fires the timers that
// fall due, in due-time order, with Now() equal to each timer's due time as it fires, so
// tests skip visibility timeouts, back-offs and keep-alives without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "emulator/loop/loop.h"

namespace stratus {

class Clock;

// A one-shot timer. Destroying or cancelling it before it fires means the callback never runs.
class Timer {
 public:
  Timer() = default;
  Timer(Timer&& other) noexcept { *this = std::move(other); }
  Timer& operator=(Timer&& other) noexcept;
  ~Timer() { Cancel(); }

  void Cancel();
  bool active() const;

 private:
  friend class Clock;
  Timer(Clock* clock, uint64_t id) : clock_(clock), id_(id) {}
  Clock* clock_ = nullptr;
  uint64_t id_ = 0;
};

class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  explicit Clock(loop::Loop& loop);
  virtual ~Clock();
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;

  // Monotonic time, for durations and deadlines.
  virtual TimePoint Now() const = 0;
  // Calendar time, for timestamps shown to users and functions.
  virtual WallTime WallNow() const = 0;
  int64_t WallNowMs() const;

  // Runs `fn` once, `delay` from Now(), on the loop thread. Timers due at the same instant
  // fire in the order they were made.
  [[nodiscard]] Timer After(Duration delay, std::function<void()> fn);

  // Closes the underlying libuv timer; no timer fires afterwards.
  void Close();

  size_t pending_timers() const { return queue_.size(); }

 protected:
  // Fires every timer due at or before Now(), then re-arms the libuv timer.
  void FireDue();
  // The due time of the earliest timer, if any.
  bool EarliestDue(TimePoint* due) const;
  // Fires, in order, every timer due at or before `until`, calling before_fire(due) first.
  void FireUntil(TimePoint until, const std::function<void(TimePoint)>& before_fire);
  // How long the machine must wait for Now() to reach `due`; negative for never (frozen).
  virtual int64_t RealMillisUntil(TimePoint due) const = 0;
  void Rearm();

 private:
  friend class Timer;
  void CancelTimer(uint64_t id);
  bool IsPending(uint64_t id) const { return due_by_id_.count(id) != 0; }
  static void OnUvTimer(uv_timer_t* handle);

  loop::Loop& loop_;
  uv_timer_t* uv_timer_ = nullptr;
  uint64_t next_id_ = 1;
  std::map<std::pair<TimePoint, uint64_t>, std::function<void()>> queue_;
  std::unordered_map<uint64_t, TimePoint> due_by_id_;
};

class RealClock final : public Clock {
 public:
  using Clock::Clock;
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }

 protected:
  int64_t RealMillisUntil(TimePoint due) const override;
};

class VirtualClock final : public Clock {
 public:
  // A running virtual clock starts at the machine's time; a frozen one stands still at the
  // machine's time of construction until advanced.
  VirtualClock(loop::Loop& loop, bool frozen);

  TimePoint Now() const override;
  WallTime WallNow() const override;

  // Moves time forward by `delta`, firing due timers in order (see the file comment).
  void Advance(Duration delta);
  bool frozen() const { return frozen_; }

 protected:
  int64_t RealMillisUntil(TimePoint due) const override;

 private:
  void MoveTo(TimePoint target);

  bool frozen_;
  TimePoint frozen_base_;
  WallTime frozen_wall_base_;
  Duration offset_{0};
};

}  // namespace stratus
