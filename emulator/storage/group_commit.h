// GroupCommitter: the queue behind Db::Write (DESIGN.md "Group commit"). Changes queued in
// one loop turn run at the end of that turn (a uv_check handle, plus a uv_idle handle so the
// loop does not block in poll while changes wait) in one transaction; callers are answered
// after COMMIT. Owned by a Db; loop thread only.
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

  // Runs the queued changes now (their callbacks run before it returns), then closes the
  // handles; their memory is freed by libuv's close callback, so the committer may be
  // destroyed right after. Idempotent.
  void Close();

  // Runs every queued change in one transaction and answers the callers. Public for Close
  // and tests; a no-op with an empty queue.
  void Flush();

  size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    std::function<Status(Db&)> change;
    std::function<void(Status)> done;
  };
  struct Handles {
    uv_check_t check;
    uv_idle_t idle;
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
  std::vector<Pending> pending_;
};

}  // namespace stratus::storage
