#include "emulator/loop/loop.h"

#include <memory>

#include <csignal>
#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace stratus::loop {

Loop::Loop() : thread_(std::this_thread::get_id()) {
  // libuv writes to sockets and pipes with write(2): a peer that hung up would raise SIGPIPE
  // and kill the whole process, embedders' included. EPIPE is handled where it arrives.
  std::signal(SIGPIPE, SIG_IGN);
  int rc = uv_loop_init(&loop_);
  if (rc != 0) {
    std::fprintf(stderr, "stratus: uv_loop_init: %s\n", uv_strerror(rc));
    std::abort();
  }
  uv_async_init(&loop_, &async_, &Loop::OnAsync);
  async_.data = this;
  async_open_ = true;
  // The Post handle alone must not keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
}

Loop::~Loop() {
  if (async_open_) Stop();
  // Let pending close callbacks run.
  uv_run(&loop_, UV_RUN_NOWAIT);
  int rc = uv_loop_close(&loop_);
  if (rc != 0) {
    CloseAllHandles();
    uv_loop_close(&loop_);
  }
}

void Loop::Run() {
  thread_ = std::this_thread::get_id();
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Loop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!async_open_) return;
    posted_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void Loop::QueueWork(std::function<void()> work, std::function<void()> after) {
  AssertOnLoopThread();
  struct Job {
    uv_work_t req{};
    std::function<void()> work, after;
  };
  auto* job = new Job{{}, std::move(work), std::move(after)};
  job->req.data = job;
  uv_queue_work(
      &loop_, &job->req, [](uv_work_t* req) { static_cast<Job*>(req->data)->work(); },
      [](uv_work_t* req, int) {
        std::unique_ptr<Job> job(static_cast<Job*>(req->data));
        if (job->after) job->after();
      });
}

void Loop::OnAsync(uv_async_t* handle) { static_cast<Loop*>(handle->data)->DrainPosted(); }

void Loop::DrainPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void Loop::KeepAlive(bool on) {
  AssertOnLoopThread();
  if (!async_open_) return;
  auto* handle = reinterpret_cast<uv_handle_t*>(&async_);
  on ? uv_ref(handle) : uv_unref(handle);
}

void Loop::Stop() {
  AssertOnLoopThread();
  DrainPosted();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!async_open_) return;
    async_open_ = false;
    posted_.clear();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

int Loop::CloseAllHandles() {
  int closed = 0;
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void* arg) {
        if (!uv_is_closing(handle)) {
          uv_close(handle, nullptr);
          ++*static_cast<int*>(arg);
        }
      },
      &closed);
  uv_run(&loop_, UV_RUN_DEFAULT);
  return closed;
}

void Loop::AssertOnLoopThread() const {
  assert(OnLoopThread() && "loop-owned state touched off the loop thread");
}

}  // namespace stratus::loop
