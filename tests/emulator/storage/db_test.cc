#include "emulator/storage/db.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

using test::TempDir;

std::unique_ptr<Db> OpenOrDie(const std::string& path, Durability durability = Durability::kNormal) {
  auto db = Db::Open(path, durability);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  return std::move(db).value();
}

std::string PragmaText(Db& db, const std::string& pragma) {
  Statement* statement = db.Prepare("PRAGMA " + pragma).value();
  REQUIRE(statement->Step().value());
  std::string value = statement->Text(0);
  statement->Reset();
  return value;
}

int64_t CountRows(Db& db, const std::string& table) {
  Statement* statement = db.Prepare("SELECT count(*) FROM " + table).value();
  REQUIRE(statement->Step().value());
  int64_t count = statement->Int64(0);
  statement->Reset();
  return count;
}

TEST_CASE("durability names parse and print") {
  struct Case { const char* text; Durability value; };
  for (Case c : {Case{"off", Durability::kOff}, Case{"normal", Durability::kNormal},
                 Case{"full", Durability::kFull}}) {
    CHECK(ParseDurability(c.text).value() == c.value);
    CHECK(DurabilityName(c.value) == c.text);
  }
  for (const char* bad : {"", "FULL", "fast", "full "}) {
    auto parsed = ParseDurability(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("open sets WAL, synchronous per durability and foreign keys") {
  struct Case { Durability durability; const char* synchronous; };
  for (Case c : {Case{Durability::kOff, "0"}, Case{Durability::kNormal, "1"},
                 Case{Durability::kFull, "2"}}) {
    CAPTURE(DurabilityName(c.durability));
    TempDir dir;
    auto db = OpenOrDie(dir / "state.db", c.durability);
    CHECK(PragmaText(*db, "journal_mode") == "wal");
    CHECK(PragmaText(*db, "synchronous") == c.synchronous);
    CHECK(PragmaText(*db, "foreign_keys") == "1");
    CHECK(PragmaText(*db, "busy_timeout") != "0");
    CHECK(db->durability() == c.durability);
  }
}

TEST_CASE("open failure names the path") {
  TempDir dir;
  std::string path = dir / "missing/dir/state.db";
  auto db = Db::Open(path, Durability::kFull);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message().find(path) != std::string::npos);
}

TEST_CASE("prepared statements are cached, handed out reset and unbound") {
  TempDir dir;
  auto db = OpenOrDie(dir / "state.db");
  REQUIRE(db->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                   "INSERT INTO t(v) VALUES('a'),('b'),('c')").ok());
  Statement* first = db->Prepare("SELECT v, ? FROM t ORDER BY id").value();
  first->Bind(1, int64_t{7});
  REQUIRE(first->Step().value());
  CHECK(first->Text(0) == "a");
  CHECK(first->Int64(1) == 7);
  Statement* again = db->Prepare("SELECT v, ? FROM t ORDER BY id").value();
  CHECK(again == first);
  REQUIRE(again->Step().value());
  CHECK(again->Text(0) == "a");  // reset: starts over
  CHECK(again->IsNull(1));       // unbound
  again->Reset();
  CHECK(db->Prepare("SELECT v FROM t").value() != first);

  auto bad = db->Prepare("SELEKT nonsense");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("SELEKT nonsense") != std::string::npos);
}

TEST_CASE("bind and read back every type") {
  TempDir dir;
  auto db = OpenOrDie(dir / "state.db");
  REQUIRE(db->Exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)").ok());
  const uint8_t bytes[] = {0, 1, 2, 255, 0};
  std::string text("with\0nul", 8);
  Statement* insert = db->Prepare("INSERT INTO t VALUES(?, ?, ?, ?, ?)").value();
  REQUIRE(insert->BindAll(int64_t{1} << 40, 2.5, std::string_view(text),
                          std::span<const uint8_t>(bytes), nullptr)
              .Run()
              .ok());
  CHECK(db->Changes() == 1);
  CHECK(db->LastInsertRowId() == 1);
  REQUIRE(insert->BindAll(7, 0.0, "plain", std::span<const uint8_t>(), nullptr).Run().ok());
  CHECK(db->LastInsertRowId() == 2);

  Statement* select = db->Prepare("SELECT i, d, s, b, n, typeof(b) FROM t ORDER BY rowid").value();
  REQUIRE(select->Step().value());
  CHECK(select->Int64(0) == (int64_t{1} << 40));
  CHECK(select->Double(1) == 2.5);
  CHECK(select->Text(2) == text);
  CHECK(select->Blob(3) == std::vector<uint8_t>(bytes, bytes + sizeof(bytes)));
  CHECK(select->IsNull(4));
  REQUIRE(select->Step().value());
  CHECK(select->Int64(0) == 7);
  CHECK(select->Text(2) == "plain");
  CHECK(select->Blob(3).empty());
  CHECK(select->Text(5) == "blob");  // an empty blob is not NULL
  CHECK_FALSE(select->Step().value());
}

TEST_CASE("bind and constraint errors come back as Status") {
  TempDir dir;
  auto db = OpenOrDie(dir / "state.db");
  REQUIRE(db->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY)").ok());
  Statement* insert = db->Prepare("INSERT INTO t(id) VALUES(?)").value();
  CHECK_FALSE(insert->Bind(5, 1).Run().ok());  // no parameter 5
  insert->Reset();
  REQUIRE(insert->Bind(1, 1).Run().ok());
  Status duplicate = insert->Run();
  CHECK(duplicate.code() == Status::Code::kAlreadyExists);
  // The statement is usable after an error.
  CHECK(db->Prepare("INSERT INTO t(id) VALUES(?)").value()->Bind(1, 2).Run().ok());
  CHECK(CountRows(*db, "t") == 2);
  Status bad = db->Exec("CREATE TABLE t(x)");
  CHECK_FALSE(bad.ok());
  CHECK(bad.message().find("already exists") != std::string::npos);
}

TEST_CASE("migrations apply once, resume, and refuse a newer database") {
  TempDir dir;
  std::string path = dir / "state.db";
  std::vector<std::string> steps = {
      "CREATE TABLE queues(name TEXT PRIMARY KEY)",
      "ALTER TABLE queues ADD COLUMN created INTEGER; CREATE TABLE messages(id INTEGER)",
  };
  {
    auto db = OpenOrDie(path);
    REQUIRE(db->Migrate("queue", steps).ok());
    CHECK(db->SchemaVersion("queue").value() == 2);
    CHECK(db->SchemaVersion("objects").value() == 0);
    REQUIRE(db->Migrate("queue", steps).ok());  // nothing re-runs (CREATE would fail)
  }
  {
    auto db = OpenOrDie(path);
    REQUIRE(db->Migrate("queue", steps).ok());  // idempotent on reopen
    steps.push_back("CREATE TABLE dead_letters(id INTEGER)");
    int64_t commits = db->TestCommitCount();
    REQUIRE(db->Migrate("queue", steps).ok());  // only the new step
    CHECK(db->TestCommitCount() == commits + 1);
    CHECK(db->SchemaVersion("queue").value() == 3);
    CHECK(CountRows(*db, "dead_letters") == 0);
  }
  {
    auto db = OpenOrDie(path);
    steps.pop_back();
    Status too_new = db->Migrate("queue", steps);
    CHECK(too_new.code() == Status::Code::kFailedPrecondition);
    CHECK(too_new.message().find("'queue'") != std::string::npos);
  }
}

TEST_CASE("a failing migration step keeps earlier steps and resumes later") {
  TempDir dir;
  auto db = OpenOrDie(dir / "state.db");
  std::vector<std::string> steps = {"CREATE TABLE a(x)", "CREATE TABLE b(x); SELEKT 1"};
  Status failed = db->Migrate("table", steps);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.message().find("migrate table to version 2") != std::string::npos);
  CHECK(db->SchemaVersion("table").value() == 1);
  CHECK_FALSE(db->Prepare("SELECT * FROM b").ok());  // half of step 2 rolled back
  CHECK_FALSE(db->InTransaction());
  steps[1] = "CREATE TABLE b(x)";
  REQUIRE(db->Migrate("table", steps).ok());
  CHECK(db->SchemaVersion("table").value() == 2);
}

TEST_CASE("transactions commit, roll back, and nest as savepoints") {
  TempDir dir;
  auto db = OpenOrDie(dir / "state.db");
  REQUIRE(db->Exec("CREATE TABLE t(v INTEGER)").ok());
  auto insert = [&](int v) {
    REQUIRE(db->Prepare("INSERT INTO t VALUES(?)").value()->Bind(1, v).Run().ok());
  };
  int64_t commits = db->TestCommitCount();
  {
    auto tx = db->Begin().value();
    CHECK_FALSE(tx.nested());
    insert(1);
    insert(2);
    REQUIRE(tx.Commit().ok());
    CHECK_FALSE(tx.active());
  }
  CHECK(db->TestCommitCount() == commits + 1);
  { auto tx = db->Begin().value(); insert(3); }  // destroyed: rolled back
  {
    auto tx = db->Begin().value();
    insert(4);
    REQUIRE(tx.Rollback().ok());
  }
  CHECK(CountRows(*db, "t") == 2);
  {
    auto outer = db->Begin().value();
    insert(5);
    {
      auto inner = db->Begin().value();
      CHECK(inner.nested());
      insert(6);
      REQUIRE(inner.Rollback().ok());
    }
    {
      auto inner = db->Begin().value();
      insert(7);
      auto innermost = db->Begin().value();
      insert(8);
      REQUIRE(innermost.Commit().ok());
      REQUIRE(inner.Commit().ok());
    }
    REQUIRE(outer.Commit().ok());
  }
  Statement* sum = db->Prepare("SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY v)").value();
  REQUIRE(sum->Step().value());
  CHECK(sum->Text(0) == "1,2,5,7,8");
  sum->Reset();
  {
    auto outer = db->Begin().value();
    auto inner = db->Begin().value();
    insert(9);
    REQUIRE(inner.Commit().ok());
  }  // outer rolls back the released savepoint too
  CHECK(CountRows(*db, "t") == 5);
  CHECK_FALSE(db->InTransaction());
}

}  // namespace
}  // namespace stratus::storage
