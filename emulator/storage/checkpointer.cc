#include "emulator/storage/checkpointer.h"

#include <atomic>
#include <mutex>

#include "emulator/util/log.h"

namespace stratus::storage {

struct Checkpointer::Shared {
  std::string path;
  Durability durability;
  std::mutex mutex;  // held by a running checkpoint; Close waits on it
  sqlite3* connection = nullptr;
  bool closed = false;
  bool running = false;  // loop thread only
  bool again = false;    // loop thread only: the WAL crossed the threshold during a run
  std::atomic<int64_t> completed{0};

  // Pool thread, under `mutex`.
  void Checkpoint() {
    if (closed) return;
    if (connection == nullptr && !OpenConnection()) return;
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::Warn("checkpoint of " + path + " failed: " + sqlite3_errmsg(connection));
      return;
    }
    ++completed;
  }

  bool OpenConnection() {
    int rc = sqlite3_open_v2(path.c_str(), &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc == SQLITE_OK) {
      // The checkpoint's fsyncs follow the project's durability, like the loop's connection.
      const char* sync = durability == Durability::kOff    ? "PRAGMA synchronous=OFF"
                         : durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                                           : "PRAGMA synchronous=NORMAL";
      rc = sqlite3_exec(connection, sync, nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK) return true;
    log::Warn("cannot open " + path + " to checkpoint it: " + sqlite3_errmsg(connection));
    sqlite3_close_v2(connection);
    connection = nullptr;
    closed = true;  // the loop's connection checkpoints at its close instead
    return false;
  }

  void CloseConnection() {
    std::lock_guard<std::mutex> lock(mutex);
    closed = true;
    if (connection != nullptr) sqlite3_close_v2(connection);
    connection = nullptr;
  }
};

Checkpointer::Checkpointer(loop::Loop& loop, std::string path, Durability durability)
    : loop_(loop), shared_(std::make_shared<Shared>()) {
  shared_->path = std::move(path);
  shared_->durability = durability;
}

Checkpointer::~Checkpointer() { Close(); }

void Checkpointer::Attach(sqlite3* db) { sqlite3_wal_hook(db, &Checkpointer::OnWal, this); }

int Checkpointer::OnWal(void* self, sqlite3*, const char*, int pages) {
  if (pages >= kPages) static_cast<Checkpointer*>(self)->Start();
  return SQLITE_OK;
}

void Checkpointer::Start() {
  if (shared_->closed) return;
  if (shared_->running) {
    // Frames committed meanwhile may be past the running checkpoint's end: one more run
    // when it is over, or the last burst's frames would wait for the next commit.
    shared_->again = true;
    return;
  }
  shared_->running = true;
  shared_->again = false;
  auto shared = shared_;
  loop_.QueueWork(
      [shared] {
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->Checkpoint();
      },
      [this, shared] {
        shared->running = false;
        if (shared->again && !shared->closed) Start();
      });
}

void Checkpointer::Close() { shared_->CloseConnection(); }

int64_t Checkpointer::completed() const { return shared_->completed.load(); }

}  // namespace stratus::storage
