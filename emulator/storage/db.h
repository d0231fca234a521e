// Db: one SQLite database (WAL) used from the loop thread, with cached prepared statements,
// per-module migrations, RAII transactions and group commit (DESIGN.md "Group commit").
// Threading: loop thread only (the thread that opened it); SQLite calls are synchronous.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "emulator/loop/loop.h"
#include "emulator/storage/durability.h"
#include "emulator/storage/statement.h"
#include "emulator/storage/transaction.h"
#include "emulator/util/status.h"

namespace stratus::storage {

class Checkpointer;
class GroupCommitter;

class Db {
 public:
  // Opens or creates the database at `path` (":memory:" works, without WAL), with
  // journal_mode=WAL, synchronous per `durability`, foreign_keys=ON, a 5 s busy timeout.
  // Returns the Db (caller owns it), or IoError/Internal naming the path and SQLite's message.
  // Without a loop, Write() is not available.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Durability durability);
  // Same, plus group commit on `loop` (which must outlive the Db or its Close()), and WAL
  // checkpoints on the loop's thread pool instead of inside commits (storage/checkpointer.h).
  static Result<std::unique_ptr<Db>> Open(loop::Loop& loop, const std::string& path,
                                          Durability durability);

  // Closes the group committer (see Close), finalizes statements and closes the database.
  // Every Transaction must have ended before.
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements with no rows and no parameters (DDL, PRAGMA). OK or the first
  // failure, annotated with the SQL; statements before the failing one stay applied unless a
  // transaction rolls them back.
  Status Exec(std::string_view sql);

  // Returns the cached statement for `sql` (prepared on first use), reset with no bindings;
  // the Db keeps ownership and the pointer stays valid until the Db dies. The same SQL
  // always returns the same Statement, so don't Prepare a statement you are still stepping.
  // Internal (naming the SQL and SQLite's message) if the SQL does not compile.
  Result<Statement*> Prepare(std::string_view sql);

  // Brings `module`'s schema up to date: steps[i] takes version i to i+1. Reads the version
  // from schema_versions (0 if absent), applies each missing step (Exec, several statements
  // allowed) in its own transaction together with the version bump, so a crash leaves a
  // consistent version and the next call resumes. OK when up to date; FailedPrecondition naming
  // the module when the database is newer than `steps`; the failing step's error (annotated
  // with module and step) otherwise, with earlier steps kept.
  Status Migrate(std::string_view module, const std::vector<std::string>& steps);
  // The module's schema version (0 if it never migrated), or the SQLite error.
  Result<int64_t> SchemaVersion(std::string_view module);

  // Starts a transaction (BEGIN IMMEDIATE), or a SAVEPOINT when one is already open.
  // See transaction.h.
  Result<Transaction> Begin();

  // Group commit. Queues `change`; at the end of the current loop turn every queued change
  // runs, in order, inside ONE transaction, each behind its own SAVEPOINT: a change returning
  // an error is rolled back alone. After COMMIT, each `done` runs in queue order with its
  // change's Status, or with the COMMIT's error if the commit failed (all changes are then
  // lost). `done` never runs before the commit, and never inside Write. Requires the Db to
  // have been opened with a loop and not Closed (asserted). A change may call Write again: it
  // joins the next batch.
  void Write(std::function<Status(Db&)> change, std::function<void(Status)> done);

  // A change nobody waits for (logs, records): it joins the next group commit, which comes
  // within a few milliseconds (GroupCommitter::AddDeferred). Readers that must see it call
  // FlushPending first.
  void WriteDeferred(std::function<Status(Db&)> change);
  // Commits every queued change (deferred or not) now, so a read sees them.
  void FlushPending();

  // Flushes pending writes now (their `done` callbacks run before Close returns) and closes
  // the committer's loop handles. Idempotent; the destructor calls it.
  void Close();

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  const std::string& path() const { return path_; }
  Durability durability() const { return durability_; }
  sqlite3* raw() { return db_; }

  // Number of transactions SQLite committed on this connection (commit hook), including
  // autocommitted single statements that wrote.
  int64_t TestCommitCount() const { return commit_count_; }
  // WAL checkpoints run off the loop thread (Db opened with a loop; 0 otherwise).
  int64_t TestBackgroundCheckpoints() const;

 private:
  friend class Transaction;
  Db(sqlite3* db, std::string path, Durability durability);
  Status Configure();
  // Prepare (cached) + Run.
  Status RunCached(const std::string& sql);
  static int OnCommit(void* self);

  sqlite3* db_;
  std::string path_;
  Durability durability_;
  int64_t commit_count_ = 0;
  int savepoint_depth_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<Checkpointer> checkpointer_;  // with a loop: WAL checkpoints off the loop
};

}  // namespace stratus::storage
