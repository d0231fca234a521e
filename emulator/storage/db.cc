#include "emulator/storage/db.h"

#include <cassert>

#include "emulator/storage/checkpointer.h"
#include "emulator/storage/group_commit.h"

namespace stratus::storage {

namespace {
constexpr int kBusyTimeoutMs = 5000;

const char* SynchronousPragma(Durability durability) {
  switch (durability) {
    case Durability::kOff: return "PRAGMA synchronous=OFF";
    case Durability::kNormal: return "PRAGMA synchronous=NORMAL";
    case Durability::kFull: return "PRAGMA synchronous=FULL";
  }
  return "PRAGMA synchronous=FULL";
}
}  // namespace

Db::Db(sqlite3* db, std::string path, Durability durability)
    : db_(db), path_(std::move(path)), durability_(durability) {
  sqlite3_commit_hook(db_, &Db::OnCommit, this);
}

Db::~Db() {
  Close();
  assert(savepoint_depth_ == 0 && "a Transaction outlived its Db");
  statements_.clear();
  sqlite3_close_v2(db_);
}

int Db::OnCommit(void* self) {
  ++static_cast<Db*>(self)->commit_count_;
  return 0;  // 0 lets the commit proceed
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Durability durability) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(raw, rc, "open database " + path);
    sqlite3_close_v2(raw);  // a handle is returned even on failure (or null: harmless)
    return status;
  }
  sqlite3_extended_result_codes(raw, 1);
  std::unique_ptr<Db> db(new Db(raw, path, durability));
  STRATUS_RETURN_IF_ERROR(db->Configure().Annotate("open database " + path));
  return db;
}

Result<std::unique_ptr<Db>> Db::Open(loop::Loop& loop, const std::string& path,
                                     Durability durability) {
  Result<std::unique_ptr<Db>> db = Open(path, durability);
  if (!db.ok()) return db;
  (*db)->committer_ = std::make_unique<GroupCommitter>(loop, **db);
  if (path != ":memory:") {
    (*db)->checkpointer_ = std::make_unique<Checkpointer>(loop, path, durability);
    (*db)->checkpointer_->Attach((*db)->db_);
  }
  return db;
}

Status Db::Configure() {
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // journal_mode returns a row with the resulting mode; an in-memory database stays "memory".
  Result<Statement*> journal = Prepare("PRAGMA journal_mode=WAL");
  if (!journal.ok()) return journal.status();
  Result<bool> row = (*journal)->Step();
  if (!row.ok()) return row.status();
  std::string mode = *row ? (*journal)->Text(0) : "";
  (*journal)->Reset();
  if (mode != "wal" && mode != "memory") {
    return Status::IoError("cannot switch to WAL (journal_mode is '" + mode + "')");
  }
  STRATUS_RETURN_IF_ERROR(Exec(SynchronousPragma(durability_)));
  // Statement journals (an INSERT OR REPLACE inside a savepoint) stay in memory instead of
  // creating and deleting a temporary file each time.
  STRATUS_RETURN_IF_ERROR(Exec("PRAGMA temp_store=MEMORY"));
  return Exec("PRAGMA foreign_keys=ON");
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(error);
  return SqliteStatus(db_, rc, "'" + text + "'");
}

Result<Statement*> Db::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = statements_.find(key);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK || stmt == nullptr) {
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK) return Status::Internal("prepare '" + key + "': no statement");
    return SqliteStatus(db_, rc, "prepare '" + key + "'");
  }
  auto [inserted, _] = statements_.emplace(std::move(key), std::make_unique<Statement>(db_, stmt));
  return inserted->second.get();
}

Status Db::RunCached(const std::string& sql) {
  Result<Statement*> statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  return (*statement)->Run();
}

Result<int64_t> Db::SchemaVersion(std::string_view module) {
  STRATUS_RETURN_IF_ERROR(Exec(
      "CREATE TABLE IF NOT EXISTS schema_versions(module TEXT PRIMARY KEY, version INTEGER)"));
  Result<Statement*> select = Prepare("SELECT version FROM schema_versions WHERE module = ?");
  if (!select.ok()) return select.status();
  Statement& statement = **select;
  statement.Bind(1, module);
  Result<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  int64_t version = *row ? statement.Int64(0) : 0;
  statement.Reset();
  return version;
}

Status Db::Migrate(std::string_view module, const std::vector<std::string>& steps) {
  std::string name(module);
  Result<int64_t> current = SchemaVersion(module);
  if (!current.ok()) return current.status().Annotate("migrate " + name);
  auto known = static_cast<int64_t>(steps.size());
  if (*current > known) {
    return Status::FailedPrecondition(
        "database schema of module '" + name + "' is version " + std::to_string(*current) +
        ", newer than this build of stratus knows (" + std::to_string(known) + ")");
  }
  for (int64_t version = *current; version < known; ++version) {
    std::string context = "migrate " + name + " to version " + std::to_string(version + 1);
    Result<Transaction> tx = Begin();
    if (!tx.ok()) return tx.status().Annotate(context);
    STRATUS_RETURN_IF_ERROR(Exec(steps[static_cast<size_t>(version)]).Annotate(context));
    Result<Statement*> bump = Prepare(
        "INSERT INTO schema_versions(module, version) VALUES(?, ?) "
        "ON CONFLICT(module) DO UPDATE SET version = excluded.version");
    if (!bump.ok()) return bump.status().Annotate(context);
    STRATUS_RETURN_IF_ERROR((*bump)->BindAll(module, version + 1).Run().Annotate(context));
    STRATUS_RETURN_IF_ERROR(tx->Commit().Annotate(context));
  }
  return Status::Ok();
}

void Db::Write(std::function<Status(Db&)> change, std::function<void(Status)> done) {
  assert(committer_ != nullptr && "Db::Write needs a Db opened with a loop");
  committer_->Add(std::move(change), std::move(done));
}

void Db::WriteDeferred(std::function<Status(Db&)> change) {
  assert(committer_ != nullptr && "Db::WriteDeferred needs a Db opened with a loop");
  committer_->AddDeferred(std::move(change));
}

void Db::FlushPending() {
  if (committer_ != nullptr && committer_->pending() > 0) committer_->Flush();
}

void Db::Close() {
  if (committer_ != nullptr) committer_->Close();
  // The checkpoint connection goes first, so the loop's is the last and checkpoints at close.
  if (checkpointer_ != nullptr) checkpointer_->Close();
}

int64_t Db::TestBackgroundCheckpoints() const {
  return checkpointer_ != nullptr ? checkpointer_->completed() : 0;
}

}  // namespace stratus::storage
