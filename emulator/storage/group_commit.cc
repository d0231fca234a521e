#include "emulator/storage/group_commit.h"

#include <cassert>

#include "emulator/storage/db.h"

namespace stratus::storage {

GroupCommitter::GroupCommitter(loop::Loop& loop, Db& db)
    : loop_(loop), db_(db), handles_(new Handles{}) {
  loop_.AssertOnLoopThread();
  handles_->owner = this;
  uv_check_init(loop_.raw(), &handles_->check);
  uv_idle_init(loop_.raw(), &handles_->idle);
  uv_timer_init(loop_.raw(), &handles_->timer);
  handles_->check.data = handles_;
  handles_->idle.data = handles_;
  handles_->timer.data = handles_;
  handles_->open = 3;
}

GroupCommitter::~GroupCommitter() { Close(); }

void GroupCommitter::Add(std::function<Status(Db&)> change, std::function<void(Status)> done) {
  loop_.AssertOnLoopThread();
  assert(!closed_ && "Db::Write after Close");
  pending_.push_back(Pending{std::move(change), std::move(done)});
  Arm();
}

void GroupCommitter::AddDeferred(std::function<Status(Db&)> change) {
  loop_.AssertOnLoopThread();
  assert(!closed_ && "Db::WriteDeferred after Close");
  deferred_.push_back(std::move(change));
  if (deferred_.size() >= kDeferMax) {
    Arm();
  } else if (!timer_armed_) {
    timer_armed_ = true;
    uv_timer_start(
        &handles_->timer,
        [](uv_timer_t* timer) {
          auto* handles = static_cast<Handles*>(timer->data);
          handles->owner->timer_armed_ = false;
          handles->owner->Flush();
        },
        kDeferDelayMs, 0);
  }
}

void GroupCommitter::Arm() {
  if (armed_) return;
  armed_ = true;
  uv_check_start(&handles_->check, &GroupCommitter::OnCheck);
  // An active idle handle makes the poll phase non-blocking, so the check phase comes soon
  // even when the change was queued from a timer or before poll.
  uv_idle_start(&handles_->idle, [](uv_idle_t*) {});
}

void GroupCommitter::Disarm() {
  if (!armed_) return;
  armed_ = false;
  uv_check_stop(&handles_->check);
  uv_idle_stop(&handles_->idle);
}

void GroupCommitter::OnCheck(uv_check_t* handle) {
  auto* handles = static_cast<Handles*>(handle->data);
  handles->owner->Flush();
}

void GroupCommitter::Flush() {
  loop_.AssertOnLoopThread();
  std::vector<Pending> batch;
  // Deferred changes are older than anything queued this turn: they go first.
  batch.reserve(deferred_.size() + pending_.size());
  for (auto& change : deferred_) batch.push_back(Pending{std::move(change), nullptr});
  deferred_.clear();
  for (auto& pending : pending_) batch.push_back(std::move(pending));
  pending_.clear();
  Disarm();
  if (timer_armed_) {
    timer_armed_ = false;
    uv_timer_stop(&handles_->timer);
  }
  if (batch.empty()) return;

  std::vector<Status> results(batch.size());
  Result<Transaction> tx = db_.Begin();
  if (!tx.ok()) {
    for (Status& result : results) result = tx.status().Annotate("group commit");
  } else if (batch.size() == 1) {
    // Alone in its transaction a change needs no savepoint: failing, it rolls the whole back.
    results[0] = batch[0].change(db_);
    Status end = results[0].ok() ? tx->Commit() : tx->Rollback();
    if (results[0].ok() && !end.ok()) results[0] = end.Annotate("group commit");
  } else {
    for (size_t i = 0; i < batch.size(); ++i) {
      Result<Transaction> savepoint = db_.Begin();
      if (!savepoint.ok()) {
        results[i] = savepoint.status();
        continue;
      }
      results[i] = batch[i].change(db_);
      Status end = results[i].ok() ? savepoint->Commit() : savepoint->Rollback();
      if (results[i].ok()) results[i] = end;
    }
    Status commit = tx->Commit();
    if (!commit.ok()) {
      for (Status& result : results) {
        if (result.ok()) result = commit.Annotate("group commit");
      }
    }
  }
  // Answer only now that the batch is durable (or definitely failed). A done may queue more
  // writes: they go to pending_ and re-arm the handles.
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(std::move(results[i]));
  }
}

void GroupCommitter::Close() {
  if (closed_) return;
  loop_.AssertOnLoopThread();
  // Callbacks may queue more writes while we flush; drain until quiet.
  while (!pending_.empty() || !deferred_.empty()) Flush();
  closed_ = true;
  Disarm();
  handles_->owner = nullptr;
  auto on_close = [](uv_handle_t* handle) {
    auto* handles = static_cast<Handles*>(handle->data);
    if (--handles->open == 0) delete handles;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&handles_->check), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&handles_->idle), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&handles_->timer), on_close);
  handles_ = nullptr;
}

}  // namespace stratus::storage
