#include "triggers/queue/queue_store.h"

#include "emulator/util/json.h"

namespace stratus::triggers::queue {

using storage::Db;
using storage::Statement;

std::vector<std::string> StoreMigrations() {
  return {
      "CREATE TABLE queue_queues(name TEXT PRIMARY KEY, fifo INTEGER NOT NULL,"
      " attributes TEXT NOT NULL, tags TEXT NOT NULL, created_ms INTEGER NOT NULL,"
      " modified_ms INTEGER NOT NULL);"
      "CREATE TABLE queue_messages(queue TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,"
      " body BLOB NOT NULL, attributes TEXT NOT NULL, trace_header TEXT NOT NULL,"
      " sent_ms INTEGER NOT NULL, first_receive_ms INTEGER NOT NULL,"
      " receive_count INTEGER NOT NULL, visible_ms INTEGER NOT NULL, group_id TEXT NOT NULL,"
      " dedup_id TEXT NOT NULL, sequence_number TEXT NOT NULL, dead_letter_source TEXT NOT NULL,"
      " PRIMARY KEY(queue, seq)) WITHOUT ROWID;"
      "CREATE TABLE queue_dedup(queue TEXT NOT NULL, dedup_id TEXT NOT NULL,"
      " expires_ms INTEGER NOT NULL, message_id TEXT NOT NULL, sequence_number TEXT NOT NULL,"
      " PRIMARY KEY(queue, dedup_id)) WITHOUT ROWID;"
      "CREATE TABLE queue_mappings(uuid TEXT PRIMARY KEY, function TEXT NOT NULL,"
      " queue TEXT NOT NULL, batch_size INTEGER NOT NULL, window_ms INTEGER NOT NULL,"
      " max_concurrency INTEGER NOT NULL, report_failures INTEGER NOT NULL,"
      " enabled INTEGER NOT NULL, modified_ms INTEGER NOT NULL);",
  };
}

namespace {

Result<Statement*> Prepared(Db& db, std::string_view sql) { return db.Prepare(sql); }

nlohmann::json ParseOr(const std::string& text, nlohmann::json fallback) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? fallback : parsed;
}

Status LoadMessages(Db& db, std::map<std::string, Queue>* queues) {
  auto select = Prepared(db,
                         "SELECT queue, seq, id, body, attributes, trace_header, sent_ms,"
                         " first_receive_ms, receive_count, visible_ms, group_id, dedup_id,"
                         " sequence_number, dead_letter_source FROM queue_messages"
                         " ORDER BY queue, seq");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto queue = queues->find(s.Text(0));
    if (queue == queues->end()) continue;
    Message m;
    m.seq = s.Int64(1);
    m.id = s.Text(2);
    m.body = s.Text(3);
    m.attributes = ParseOr(s.Text(4), nullptr);
    m.trace_header = s.Text(5);
    m.sent_ms = s.Int64(6);
    m.first_receive_ms = s.Int64(7);
    m.receive_count = static_cast<int>(s.Int64(8));
    m.visible_ms = s.Int64(9);
    m.group_id = s.Text(10);
    m.dedup_id = s.Text(11);
    m.sequence_number = s.Text(12);
    m.dead_letter_source = s.Text(13);
    Queue& q = queue->second;
    q.next_seq = std::max(q.next_seq, m.seq + 1);
    q.messages.emplace(m.seq, std::move(m));
  }
  return Status::Ok();
}

Status LoadDedup(Db& db, std::map<std::string, Queue>* queues) {
  auto select = Prepared(db, "SELECT queue, dedup_id, expires_ms, message_id, sequence_number"
                             " FROM queue_dedup");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto queue = queues->find(s.Text(0));
    if (queue == queues->end()) continue;
    queue->second.dedup[s.Text(1)] = DedupEntry{s.Int64(2), s.Text(3), s.Text(4)};
  }
  return Status::Ok();
}

}  // namespace

Status LoadQueues(Db& db, std::map<std::string, Queue>* queues,
                  std::map<std::string, std::map<std::string, std::string>>* attributes) {
  auto select = Prepared(db, "SELECT name, fifo, attributes, tags, created_ms, modified_ms"
                             " FROM queue_queues");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Queue q;
    q.name = s.Text(0);
    q.fifo = s.Int64(1) != 0;
    auto& attrs = (*attributes)[q.name];
    nlohmann::json stored_attributes = ParseOr(s.Text(2), nlohmann::json::object());
    nlohmann::json stored_tags = ParseOr(s.Text(3), nlohmann::json::object());
    for (const auto& [k, v] : stored_attributes.items()) {
      if (v.is_string()) attrs[k] = v.get<std::string>();
    }
    for (const auto& [k, v] : stored_tags.items()) {
      if (v.is_string()) q.tags[k] = v.get<std::string>();
    }
    q.created_ms = s.Int64(4);
    q.modified_ms = s.Int64(5);
    std::string name = q.name;
    queues->emplace(std::move(name), std::move(q));
  }
  STRATUS_RETURN_IF_ERROR(LoadMessages(db, queues));
  return LoadDedup(db, queues);
}

Status LoadMappings(Db& db, std::vector<StoredMapping>* out) {
  auto select = Prepared(db, "SELECT uuid, function, queue, batch_size, window_ms,"
                             " max_concurrency, report_failures, enabled, modified_ms"
                             " FROM queue_mappings ORDER BY modified_ms, uuid");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out->push_back(StoredMapping{s.Text(0), s.Text(1), s.Text(2), static_cast<int>(s.Int64(3)),
                                 s.Int64(4), static_cast<int>(s.Int64(5)), s.Int64(6) != 0,
                                 s.Int64(7) != 0, s.Int64(8)});
  }
  return Status::Ok();
}

Status SaveQueue(Db& db, const Queue& queue, const std::map<std::string, std::string>& attributes) {
  auto upsert = Prepared(db,
                         "INSERT INTO queue_queues(name, fifo, attributes, tags, created_ms,"
                         " modified_ms) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                         " attributes = excluded.attributes, tags = excluded.tags,"
                         " modified_ms = excluded.modified_ms");
  if (!upsert.ok()) return upsert.status();
  nlohmann::json attrs(attributes), tags(queue.tags);
  return (*upsert)
      ->BindAll(queue.name, queue.fifo ? 1 : 0, DumpJson(attrs), DumpJson(tags), queue.created_ms,
                queue.modified_ms)
      .Run();
}

Status DeleteQueueRows(Db& db, const std::string& queue) {
  for (const char* sql : {"DELETE FROM queue_queues WHERE name = ?",
                          "DELETE FROM queue_messages WHERE queue = ?",
                          "DELETE FROM queue_dedup WHERE queue = ?"}) {
    auto statement = Prepared(db, sql);
    if (!statement.ok()) return statement.status();
    STRATUS_RETURN_IF_ERROR((*statement)->BindAll(queue).Run());
  }
  return Status::Ok();
}

Status InsertMessage(Db& db, const std::string& queue, const Message& m) {
  auto insert = Prepared(db,
                         "INSERT INTO queue_messages(queue, seq, id, body, attributes, trace_header,"
                         " sent_ms, first_receive_ms, receive_count, visible_ms, group_id, dedup_id,"
                         " sequence_number, dead_letter_source)"
                         " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  std::string attributes = m.attributes.is_null() ? "null" : DumpJson(m.attributes);
  return (*insert)
      ->BindAll(queue, m.seq, m.id, m.body, attributes, m.trace_header, m.sent_ms,
                m.first_receive_ms, m.receive_count, m.visible_ms, m.group_id, m.dedup_id,
                m.sequence_number, m.dead_letter_source)
      .Run();
}

Status UpdateMessageState(Db& db, const std::string& queue, const Message& m) {
  auto update = Prepared(db,
                         "UPDATE queue_messages SET receive_count = ?, visible_ms = ?,"
                         " first_receive_ms = ? WHERE queue = ? AND seq = ?");
  if (!update.ok()) return update.status();
  return (*update)->BindAll(m.receive_count, m.visible_ms, m.first_receive_ms, queue, m.seq).Run();
}

Status DeleteMessageRow(Db& db, const std::string& queue, int64_t seq) {
  auto remove = Prepared(db, "DELETE FROM queue_messages WHERE queue = ? AND seq = ?");
  if (!remove.ok()) return remove.status();
  return (*remove)->BindAll(queue, seq).Run();
}

Status DeleteAllMessages(Db& db, const std::string& queue) {
  auto remove = Prepared(db, "DELETE FROM queue_messages WHERE queue = ?");
  if (!remove.ok()) return remove.status();
  return (*remove)->BindAll(queue).Run();
}

Status SaveDedup(Db& db, const std::string& queue, const std::string& dedup_id,
                 const DedupEntry& entry) {
  auto expire = Prepared(db, "DELETE FROM queue_dedup WHERE queue = ? AND expires_ms <= ?");
  if (!expire.ok()) return expire.status();
  STRATUS_RETURN_IF_ERROR((*expire)->BindAll(queue, entry.expires_ms - kDedupWindowMs).Run());
  auto upsert = Prepared(db,
                         "INSERT OR REPLACE INTO queue_dedup(queue, dedup_id, expires_ms,"
                         " message_id, sequence_number) VALUES(?, ?, ?, ?, ?)");
  if (!upsert.ok()) return upsert.status();
  return (*upsert)
      ->BindAll(queue, dedup_id, entry.expires_ms, entry.message_id, entry.sequence_number)
      .Run();
}

Status SaveMapping(Db& db, const StoredMapping& m) {
  auto upsert = Prepared(db,
                         "INSERT OR REPLACE INTO queue_mappings(uuid, function, queue, batch_size,"
                         " window_ms, max_concurrency, report_failures, enabled, modified_ms)"
                         " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!upsert.ok()) return upsert.status();
  return (*upsert)
      ->BindAll(m.uuid, m.function, m.queue, m.batch_size, m.window_ms, m.max_concurrency,
                m.report_failures ? 1 : 0, m.enabled ? 1 : 0, m.modified_ms)
      .Run();
}

Status DeleteMapping(Db& db, const std::string& uuid) {
  auto remove = Prepared(db, "DELETE FROM queue_mappings WHERE uuid = ?");
  if (!remove.ok()) return remove.status();
  return (*remove)->BindAll(uuid).Run();
}

}  // namespace stratus::triggers::queue
