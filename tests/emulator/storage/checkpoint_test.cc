// WAL checkpoints run on the thread pool (storage/checkpointer.h), not inside a commit on the
// loop thread: SQLite's auto-checkpoint is off, so only they keep the WAL from growing.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "emulator/storage/db.h"
#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

using test::TempDir;

constexpr int kRowsPerRound = 1000;  // 4 KiB each: ~1,130 WAL pages, over the 1,000 threshold
constexpr int kRounds = 6;

Status WriteRound(testing::LoopThread& loop, Db& db, int round) {
  return test::Await<Status>(loop, [&db, round](std::function<void(Status)> reply) {
    for (int i = 0; i < kRowsPerRound; ++i) {
      int v = round * kRowsPerRound + i;
      db.Write(
          [v](Db& db) {
            std::string blob(4096, static_cast<char>('a' + v % 26));
            return db.Prepare("INSERT INTO t(v, body) VALUES(?, ?)").value()->BindAll(v, blob).Run();
          },
          i + 1 == kRowsPerRound ? reply : [](Status) {});
    }
  });
}

TEST_CASE("WAL checkpoints run off the loop thread and keep the WAL bounded") {
  TempDir dir;
  std::unique_ptr<Db> db;
  testing::LoopThread loop;
  loop.Run([&] {
    db = Db::Open(loop.loop(), dir / "state.db", Durability::kNormal).value();
    REQUIRE(db->Exec("CREATE TABLE t(v INTEGER PRIMARY KEY, body BLOB)").ok());
  });
  loop.AtTeardown([&] { db.reset(); });
  uintmax_t largest_wal = 0;
  for (int round = 0; round < kRounds; ++round) {
    int64_t before = loop.Run([&] { return db->TestBackgroundCheckpoints(); });
    REQUIRE(WriteRound(loop, *db, round).ok());
    // The round crossed the threshold: a checkpoint starts on the pool and ends there.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (loop.Run([&] { return db->TestBackgroundCheckpoints(); }) == before &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(loop.Run([&] { return db->TestBackgroundCheckpoints(); }) > before);
    largest_wal = std::max(largest_wal, std::filesystem::file_size(dir / "state.db-wal"));
  }
  // Each round's frames were copied out, so the next round reused the WAL from its start:
  // it holds a round or two (~4.7 MB each), against all six (~28 MB) without checkpoints.
  CHECK(largest_wal < kRounds * kRowsPerRound * 4096 / 2);
  loop.Run([&] { db->Close(); db.reset(); });
  auto reopened = Db::Open(dir / "state.db", Durability::kNormal).value();
  Statement* count = reopened->Prepare("SELECT count(*), sum(length(body)) FROM t").value();
  REQUIRE(count->Step().value());
  CHECK(count->Int64(0) == kRounds * kRowsPerRound);
  CHECK(count->Int64(1) == int64_t(kRounds) * kRowsPerRound * 4096);
  count->Reset();
}

}  // namespace
}  // namespace stratus::storage
