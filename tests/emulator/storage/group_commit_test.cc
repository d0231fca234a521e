#include "emulator/storage/group_commit.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "emulator/storage/db.h"
#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

using test::TempDir;

// A Db with group commit on a LoopThread, plus a second plain connection to the same file that
// sees only what was committed.
struct Fixture {
  TempDir dir;
  std::unique_ptr<Db> db;        // made and destroyed on the loop thread (AtTeardown)
  std::unique_ptr<Db> observer;
  testing::LoopThread loop;      // destroyed first: runs the teardown

  Fixture() {
    loop.Run([&] {
      auto opened = Db::Open(loop.loop(), dir / "state.db", Durability::kNormal);
      REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
      db = std::move(opened).value();
      REQUIRE(db->Exec("CREATE TABLE t(v INTEGER PRIMARY KEY, note TEXT)").ok());
      observer = Db::Open(dir / "state.db", Durability::kNormal).value();
    });
    loop.AtTeardown([this] {
      db->Close();
      observer.reset();
      db.reset();
    });
  }

  // Loop thread only.
  int64_t CommittedRows() {
    Statement* count = observer->Prepare("SELECT count(*) FROM t").value();
    REQUIRE(count->Step().value());
    int64_t rows = count->Int64(0);
    count->Reset();
    return rows;
  }
};

std::function<Status(Db&)> InsertRow(int v) {
  return [v](Db& db) { return db.Prepare("INSERT INTO t(v) VALUES(?)").value()->Bind(1, v).Run(); };
}

TEST_CASE("writes in one loop turn share one transaction; done runs after commit, in order") {
  Fixture f;
  std::promise<void> all_done;
  std::vector<int> order;
  std::vector<int64_t> visible;
  int64_t commits_before = 0;
  f.loop.Run([&] {
    commits_before = f.db->TestCommitCount();
    for (int i = 1; i <= 5; ++i) {
      f.db->Write(InsertRow(i), [&, i](Status status) {
        CHECK(status.ok());
        order.push_back(i);
        visible.push_back(f.CommittedRows());  // committed before any caller hears of it
        if (i == 5) all_done.set_value();
      });
    }
    CHECK(order.empty());  // never answered inside Write
  });
  all_done.get_future().get();
  f.loop.Run([&] {
    CHECK(f.db->TestCommitCount() == commits_before + 1);
    CHECK(order == std::vector<int>{1, 2, 3, 4, 5});
    CHECK(visible == std::vector<int64_t>{5, 5, 5, 5, 5});
  });
}

TEST_CASE("a failing change is rolled back alone; the others commit") {
  Fixture f;
  std::promise<void> all_done;
  std::vector<Status> results(4);
  f.loop.Run([&] {
    f.db->Write(InsertRow(1), [&](Status s) { results[0] = s; });
    f.db->Write(
        [](Db& db) {
          STRATUS_RETURN_IF_ERROR(InsertRow(2)(db));
          return InsertRow(1)(db);  // duplicate key: this change fails after a partial write
        },
        [&](Status s) { results[1] = s; });
    f.db->Write([](Db&) { return Status::InvalidArgument("rejected"); },
                [&](Status s) { results[2] = s; });
    f.db->Write(InsertRow(3), [&](Status s) {
      results[3] = s;
      all_done.set_value();
    });
  });
  all_done.get_future().get();
  CHECK(results[0].ok());
  CHECK(results[1].code() == Status::Code::kAlreadyExists);
  CHECK(results[2].code() == Status::Code::kInvalidArgument);
  CHECK(results[3].ok());
  f.loop.Run([&] {
    Statement* rows = f.observer->Prepare("SELECT group_concat(v) FROM t").value();
    REQUIRE(rows->Step().value());
    CHECK(rows->Text(0) == "1,3");
    rows->Reset();
  });
}

TEST_CASE("a failing change alone in its batch leaves nothing behind; the next batch commits") {
  Fixture f;
  std::promise<void> done;
  Status failed, next;
  f.loop.Run([&] {
    f.db->Write(
        [](Db& db) {
          STRATUS_RETURN_IF_ERROR(InsertRow(1)(db));
          STRATUS_RETURN_IF_ERROR(InsertRow(2)(db));
          return InsertRow(1)(db);  // duplicate key after two rows went in
        },
        [&](Status s) {
          failed = s;
          f.db->Write(InsertRow(3), [&](Status s2) {
            next = s2;
            done.set_value();
          });
        });
  });
  done.get_future().get();
  CHECK(failed.code() == Status::Code::kAlreadyExists);
  CHECK(next.ok());
  f.loop.Run([&] {
    CHECK_FALSE(f.db->InTransaction());
    Statement* rows = f.observer->Prepare("SELECT group_concat(v) FROM t").value();
    REQUIRE(rows->Step().value());
    CHECK(rows->Text(0) == "3");
    rows->Reset();
  });
}

TEST_CASE("a failing COMMIT fails every change of the batch") {
  Fixture f;
  std::promise<void> all_done;
  std::vector<Status> results(2);
  f.loop.Run([&] {
    REQUIRE(f.db->Exec("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE child(p INTEGER REFERENCES parent(id) "
                       "DEFERRABLE INITIALLY DEFERRED)").ok());
    f.db->Write(InsertRow(1), [&](Status s) { results[0] = s; });
    // A deferred foreign key is only checked at COMMIT.
    f.db->Write([](Db& db) { return db.Exec("INSERT INTO child VALUES(42)"); },
                [&](Status s) {
                  results[1] = s;
                  all_done.set_value();
                });
  });
  all_done.get_future().get();
  CHECK_FALSE(results[0].ok());
  CHECK_FALSE(results[1].ok());
  f.loop.Run([&] {
    CHECK(f.CommittedRows() == 0);
    CHECK_FALSE(f.db->InTransaction());
  });
}

TEST_CASE("later turns make later batches; a done may write again") {
  Fixture f;
  std::promise<void> all_done;
  int64_t commits_before = 0;
  f.loop.Run([&] {
    commits_before = f.db->TestCommitCount();
    f.db->Write(InsertRow(1), [&](Status s) {
      REQUIRE(s.ok());
      f.db->Write(InsertRow(2), [&](Status s2) {
        CHECK(s2.ok());
        all_done.set_value();
      });
    });
  });
  all_done.get_future().get();
  f.loop.Run([&] {
    CHECK(f.db->TestCommitCount() == commits_before + 2);
    CHECK(f.CommittedRows() == 2);
  });
}

TEST_CASE("a write queued from a timer commits without waiting for other events") {
  Fixture f;
  struct Context {
    uv_timer_t timer;
    Fixture* fixture;
    std::promise<void> done;
  };
  auto* context = new Context{{}, &f, {}};
  auto done = context->done.get_future();
  f.loop.Run([&] {
    uv_timer_init(f.loop.loop().raw(), &context->timer);
    context->timer.data = context;
    uv_timer_start(
        &context->timer,
        [](uv_timer_t* timer) {
          auto* c = static_cast<Context*>(timer->data);
          c->fixture->db->Write(InsertRow(7), [c](Status s) {
            CHECK(s.ok());
            c->done.set_value();
          });
        },
        1, 0);
  });
  // Would hang if the loop blocked in poll with the write pending.
  done.get();
  f.loop.Run([&] { loop::CloseAndDelete(context, &context->timer); });
}

TEST_CASE("Close flushes pending writes before returning") {
  Fixture f;
  f.loop.Run([&] {
    bool answered = false;
    f.db->Write(InsertRow(1), [&](Status s) {
      CHECK(s.ok());
      answered = true;
    });
    f.db->Close();
    CHECK(answered);
    CHECK(f.CommittedRows() == 1);
    f.db->Close();  // idempotent
  });
}

TEST_CASE("deferred writes commit together on their own, with no regular write to join") {
  Fixture f;
  int64_t commits_before = 0;
  f.loop.Run([&] {
    commits_before = f.db->TestCommitCount();
    for (int v = 1; v <= 3; ++v) f.db->WriteDeferred(InsertRow(v));
    CHECK(f.db->TestCommitCount() == commits_before);
  });
  // Committed on their own within the delay, whatever else happens (nothing, here).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int64_t rows = 0;
  while (rows < 3 && std::chrono::steady_clock::now() < deadline) {
    rows = f.loop.Run([&] { return f.CommittedRows(); });
  }
  CHECK(rows == 3);
  f.loop.Run([&] { CHECK(f.db->TestCommitCount() == commits_before + 1); });
}

TEST_CASE("a regular write and FlushPending take waiting deferred writes along") {
  Fixture f;
  std::promise<void> written;
  int64_t commits_before = 0;
  f.loop.Run([&] {
    commits_before = f.db->TestCommitCount();
    f.db->WriteDeferred(InsertRow(1));
    f.db->Write(InsertRow(2), [&](Status s) {
      CHECK(s.ok());
      CHECK(f.CommittedRows() == 2);  // the deferred row went first, in the same commit
      written.set_value();
    });
  });
  written.get_future().get();
  f.loop.Run([&] {
    CHECK(f.db->TestCommitCount() == commits_before + 1);
    f.db->WriteDeferred(InsertRow(3));
    f.db->FlushPending();  // what readers call: the row is visible at once
    CHECK(f.CommittedRows() == 3);
    f.db->FlushPending();  // nothing pending: no empty transaction
    CHECK(f.db->TestCommitCount() == commits_before + 2);
  });
}

TEST_CASE("a failing deferred change is rolled back alone; Close commits the rest") {
  Fixture f;
  f.loop.Run([&] {
    f.db->WriteDeferred(InsertRow(1));
    f.db->WriteDeferred(InsertRow(1));  // primary key conflict
    f.db->WriteDeferred(InsertRow(2));
    f.db->Close();
    CHECK(f.CommittedRows() == 2);
  });
}

}  // namespace
}  // namespace stratus::storage
