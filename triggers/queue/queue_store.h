// The queue trigger's SQLite tables: queues (attributes and tags as JSON), messages, FIFO
// deduplication ids and API-created event source mappings. Each function runs statements on
// the Db it is given (inside a Db::Write change, or at start) and returns OK or the SQLite
// error; nothing here holds state. Threading: loop thread only, like Db.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emulator/storage/db.h"
#include "triggers/queue/queue_model.h"

namespace stratus::triggers::queue {

// A mapping as stored (the API-created ones; the project's are rebuilt at each start).
struct StoredMapping {
  std::string uuid;
  std::string function;
  std::string queue;
  int batch_size = 10;
  int64_t window_ms = 0;
  int max_concurrency = 0;  // 0: not set
  bool report_failures = false;
  bool enabled = true;
  int64_t modified_ms = 0;
};

std::vector<std::string> StoreMigrations();

// Reads every queue with its messages and live dedup ids. `attributes` receives each queue's
// stored attribute map (the caller re-applies it); the queue's indexes are left empty.
Status LoadQueues(storage::Db& db, std::map<std::string, Queue>* queues,
                  std::map<std::string, std::map<std::string, std::string>>* attributes);
Status LoadMappings(storage::Db& db, std::vector<StoredMapping>* out);

Status SaveQueue(storage::Db& db, const Queue& queue,
                 const std::map<std::string, std::string>& attributes);
Status DeleteQueueRows(storage::Db& db, const std::string& queue);
Status InsertMessage(storage::Db& db, const std::string& queue, const Message& message);
// Writes what a receive or a visibility change alters.
Status UpdateMessageState(storage::Db& db, const std::string& queue, const Message& message);
Status DeleteMessageRow(storage::Db& db, const std::string& queue, int64_t seq);
Status DeleteAllMessages(storage::Db& db, const std::string& queue);
Status SaveDedup(storage::Db& db, const std::string& queue, const std::string& dedup_id,
                 const DedupEntry& entry);
Status SaveMapping(storage::Db& db, const StoredMapping& mapping);
Status DeleteMapping(storage::Db& db, const std::string& uuid);

}  // namespace stratus::triggers::queue
