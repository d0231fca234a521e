// Statement: one prepared SQLite statement, owned by the Db that prepared it (Db::Prepare
// caches it; callers get a pointer, never ownership). Threading: loop thread only, like Db.
//
// Binding never fails on the spot: the first bind error is kept and returned by the next
// Step() or Run(). Indexes start at 1, as in SQLite. Text and blobs are copied on bind, so the
// caller's buffers may die right after Bind returns.
//
// A statement is reset (bindings kept) when Step() reports the end or an error and after
// Run(); Db::Prepare hands it out reset with no bindings.
#pragma once

#include <sqlite3.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::storage {

// Returns a Status for an SQLite result code: AlreadyExists for unique/primary-key
// violations, FailedPrecondition for other constraints, Unavailable for BUSY/LOCKED,
// ResourceExhausted for FULL, Internal for SQL errors (a bug), IoError otherwise. The message
// is "context: sqlite3_errmsg(db)".
Status SqliteStatus(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  // Takes ownership of `stmt` (finalized by the destructor).
  Statement(sqlite3* db, sqlite3_stmt* stmt);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, std::span<const uint8_t> blob);
  Statement& Bind(int index, std::nullptr_t);
  template <std::integral T>
    requires(!std::same_as<T, int64_t>)
  Statement& Bind(int index, T value) {
    return Bind(index, static_cast<int64_t>(value));
  }

  // Binds args to parameters 1..N in order.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
    return *this;
  }

  // Returns true when a row is ready for the column getters, false at the end (the
  // statement is then reset); an error Status (the statement is reset) on failure or when a
  // bind had failed.
  Result<bool> Step();

  // Steps to the end, ignoring rows, then resets. OK, or the error of the failing step/bind.
  Status Run();

  // Resets and clears every binding.
  void Reset();

  // Column getters for the current row (index from 0). Text/Blob copy the value; NULL reads
  // as 0, 0.0 or empty.
  int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string Text(int column) const;
  std::vector<uint8_t> Blob(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int ColumnCount() const { return sqlite3_column_count(stmt_); }

  std::string_view sql() const { return sqlite3_sql(stmt_); }
  sqlite3_stmt* raw() { return stmt_; }

 private:
  void NoteBind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status bind_status_;
};

}  // namespace stratus::storage
