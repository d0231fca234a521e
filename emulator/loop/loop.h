// Loop: the one libuv event loop that owns all of stratus's state.
// Threading: every method but Post() must be called on the loop thread (the thread that
// constructed the Loop, or the one that last called Run()). Post() may be called from any
// thread; the function then runs on the loop thread, in posting order.
#pragma once

#include <uv.h>

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace stratus::loop {

class Loop {
 public:
  Loop();
  ~Loop();  // closes the loop; every handle must have been closed before
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* raw() { return &loop_; }

  // Runs until no active handle is left (Stop() closes the Post handle, which lets it end).
  void Run();

  // Thread-safe. Runs fn on the loop thread soon. After Stop(), fn is dropped.
  void Post(std::function<void()> fn);

  // Runs `work` on libuv's thread pool, then `after` on the loop thread (also when the loop
  // stops first: libuv runs every queued job's completion). For CPU-bound or blocking steps
  // (hashing a body, moving a process into a cgroup) that must not stall the loop.
  // Loop thread only.
  void QueueWork(std::function<void()> work, std::function<void()> after);

  // While kept alive, Run() does not return for want of handles (a loop thread that waits for
  // posted work). Off by default.
  void KeepAlive(bool on);

  // Closes the loop's own handles so that Run() can return once every other handle is closed.
  void Stop();

  // Closes every handle still open (with their close callbacks) and runs the loop until they
  // are gone. For teardown paths that cannot track each handle; returns the count closed.
  int CloseAllHandles();

  bool OnLoopThread() const { return std::this_thread::get_id() == thread_; }
  void AssertOnLoopThread() const;

 private:
  static void OnAsync(uv_async_t* handle);
  void DrainPosted();

  uv_loop_t loop_{};
  uv_async_t async_{};
  bool async_open_ = false;
  std::thread::id thread_;
  std::mutex mutex_;
  std::vector<std::function<void()>> posted_;
};

// Closes a handle owned by `owner` and deletes the owner only after libuv's close callback
// has run (libuv forbids freeing a handle's memory before that).
template <typename Owner, typename Handle>
void CloseAndDelete(Owner* owner, Handle* handle) {
  handle->data = owner;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete static_cast<Owner*>(h->data); });
}

}  // namespace stratus::loop
