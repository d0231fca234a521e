#include "emulator/storage/transaction.h"

#include <cassert>

#include "emulator/storage/db.h"

namespace stratus::storage {

namespace {
std::string SavepointName(int depth) { return "stratus_sp_" + std::to_string(depth); }
}  // namespace

Result<Transaction> Db::Begin() {
  int depth = savepoint_depth_ + 1;
  bool savepoint = InTransaction();
  Status status = RunCached(savepoint ? "SAVEPOINT " + SavepointName(depth) : "BEGIN IMMEDIATE");
  if (!status.ok()) return status.Annotate("begin transaction");
  savepoint_depth_ = depth;
  return Transaction(this, depth, savepoint);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), depth_(other.depth_), savepoint_(other.savepoint_) {
  other.db_ = nullptr;
}

Transaction::~Transaction() {
  if (active()) Rollback();
}

Status Transaction::RunSql(const std::string& sql) { return db_->RunCached(sql); }

void Transaction::End() {
  assert(db_->savepoint_depth_ == depth_ && "transactions must end in reverse order");
  db_->savepoint_depth_ = depth_ - 1;
  db_ = nullptr;
}

Status Transaction::Commit() {
  assert(active() && "Commit on a transaction that already ended");
  Status status = RunSql(savepoint_ ? "RELEASE " + SavepointName(depth_) : "COMMIT");
  if (!status.ok()) {
    Rollback();
    return status.Annotate("commit");
  }
  End();
  return status;
}

Status Transaction::Rollback() {
  assert(active() && "Rollback on a transaction that already ended");
  Status status;
  if (savepoint_) {
    std::string name = SavepointName(depth_);
    status = RunSql("ROLLBACK TO " + name);
    Status release = RunSql("RELEASE " + name);
    if (status.ok()) status = release;
  } else if (db_->InTransaction()) {
    // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    status = RunSql("ROLLBACK");
  }
  End();
  return status.Annotate("rollback");
}

}  // namespace stratus::storage
