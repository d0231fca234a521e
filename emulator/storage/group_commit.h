// GroupCommitter: the queue behind Db::Write (DESIGN.md "Group commit"). Changes queued in
// one loop turn run at the end of that turn (a uv_check handle, plus a uv_idle handle so the
// loop does not block in poll while changes wait) in one transaction; callers are answered
// after COMMIT. Deferred changes (AddDeferred) wait up to kDeferDelay for company, so bulk
// bookkeeping (log lines, invocation records) costs one transaction per few milliseconds
// instead of one per event; any flush takes them along. Owned by a Db; loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <vector>

#include "emulator/loop/loop.h"
#include "emulator/util/status.h"

namespace stratus::storage {

class Db;

class GroupCommitter {
 public:
  // Starts no handle until the first Add. `loop` and `db` must outlive Close().
  GroupCommitter(loop::Loop& loop, Db& db);
  ~GroupCommitter();  // calls Close()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues a change for the end of this turn; see Db::Write. Asserts if closed.
  void Add(std::function<Status(Db&)> change, std::function<void(Status)> done);

  // Queues a change with no caller waiting: it runs in the next flush, at the latest
  // kDeferDelay (real time: this is I/O batching, not emulated time) from now, or at the end
  // of this turn once kDeferMax are waiting. Asserts if closed.
  void AddDeferred(std::function<Status(Db&)> change);

  // Runs the queued changes now (their callbacks run before it returns), then closes the
  // handles; their memory is freed by libuv's close callback, so the committer may be
  // destroyed right after. Idempotent.
  void Close();

  // Runs every queued change in one transaction and answers the callers. Public for Close
  // and tests; a no-op with an empty queue.
  void Flush();

  size_t pending() const { return pending_.size() + deferred_.size(); }

  static constexpr uint64_t kDeferDelayMs = 5;
  static constexpr size_t kDeferMax = 256;

 private:
  struct Pending {
    std::function<Status(Db&)> change;
    std::function<void(Status)> done;
  };
  struct Handles {
    uv_check_t check;
    uv_idle_t idle;
    uv_timer_t timer;
    GroupCommitter* owner;
    int open;
  };
  static void OnCheck(uv_check_t* handle);
  void Arm();
  void Disarm();

  loop::Loop& loop_;
  Db& db_;
  Handles* handles_;  // freed once both handles have closed
  bool armed_ = false;
  bool closed_ = false;
  bool timer_armed_ = false;
  std::vector<Pending> pending_;
  std::vector<std::function<Status(Db&)>> deferred_;
};

}  // namespace stratus::storage
