// Checkpointer: copies the WAL's frames into the database file on libuv's thread pool, through
// a connection of its own, instead of SQLite's auto-checkpoint. That one runs inside the
// commit that crosses 1,000 WAL pages, on the loop thread, fsyncs included: with small
// objects or messages stored at ten thousand a second it stalled every request for
// milliseconds dozens of times a second. A PASSIVE checkpoint never blocks the writer, and a
// WAL fully copied is reused from its start by the next write.
// Threading: construct, Attach, Close and destroy on the loop thread; the checkpoint itself
// runs on a pool thread, one at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "emulator/loop/loop.h"
#include "emulator/storage/durability.h"

namespace stratus::storage {

class Checkpointer {
 public:
  // WAL size (pages) that starts a checkpoint: SQLite's own auto-checkpoint threshold.
  static constexpr int kPages = 1000;

  Checkpointer(loop::Loop& loop, std::string path, Durability durability);
  ~Checkpointer();  // Close()
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Takes over `db`'s WAL hook (which turns SQLite's auto-checkpoint off).
  void Attach(sqlite3* db);

  // Waits for a running checkpoint, then closes the checkpoint connection, so the loop's
  // connection, closed after this, is the last and checkpoints what is left. Idempotent.
  void Close();

  // Checkpoints that ran on the pool (tests).
  int64_t completed() const;

 private:
  struct Shared;
  static int OnWal(void* self, sqlite3* db, const char* name, int pages);
  void Start();

  loop::Loop& loop_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace stratus::storage
