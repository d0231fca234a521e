// Transaction: RAII scope of an SQLite transaction on a Db (loop thread only).
// The outermost one is BEGIN IMMEDIATE (takes the write lock at once); one begun while another
// is open is a SAVEPOINT, so code that needs atomicity can nest freely. Transactions on one
// Db must end in reverse order of their beginning (asserted). Destroying one that was neither
// committed nor rolled back rolls it back.
#pragma once

#include <string>

#include "emulator/util/status.h"

namespace stratus::storage {

class Db;

class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // COMMIT (outermost) or RELEASE (savepoint). OK, or the SQLite error; on error the
  // transaction has been rolled back. Calling it twice is a programmer error (asserted).
  Status Commit();
  // ROLLBACK, or ROLLBACK TO + RELEASE for a savepoint: the changes since Begin are undone.
  // OK or the SQLite error; the transaction is over either way.
  Status Rollback();

  bool active() const { return db_ != nullptr; }
  bool nested() const { return savepoint_; }

 private:
  friend class Db;
  Transaction(Db* db, int depth, bool savepoint) : db_(db), depth_(depth), savepoint_(savepoint) {}
  Status RunSql(const std::string& sql);
  void End();

  Db* db_;
  int depth_;       // 1 = first begun on this Db
  bool savepoint_;  // a SAVEPOINT inside an open transaction
};

}  // namespace stratus::storage
