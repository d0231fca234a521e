// The queue trigger's in-memory model: queues, their messages and the indexes that make
// receiving cheap. The SQLite tables (queue_store) follow every change; at start the model
// is rebuilt from them. Plain structs; loop thread only, like the QueueService that owns them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace stratus::triggers::queue {

constexpr int kMaxMessageBytes = 256 * 1024;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;

struct Message {
  int64_t seq = 0;  // order of arrival in its queue
  std::string id;   // MessageId (a UUID)
  std::string body;
  nlohmann::json attributes;  // message attributes, JSON-protocol shape; null when none
  std::string md5_body;
  std::string md5_attributes;
  std::string trace_header;  // the AWSTraceHeader system attribute, if sent
  int64_t sent_ms = 0;       // wall clock, epoch ms
  int64_t first_receive_ms = 0;
  int receive_count = 0;
  int64_t visible_ms = 0;  // when it may next be received
  bool in_flight = false;  // received and not yet visible again
  std::string receipt_token;  // of the latest receive
  std::string group_id;       // FIFO
  std::string dedup_id;       // FIFO
  std::string sequence_number;  // FIFO
  std::string dead_letter_source;  // ARN of the queue it was moved from, in a DLQ
};

// The attributes a queue was created or set with.
struct QueueSettings {
  int visibility_timeout = 30;
  int delay = 0;
  int retention = 345600;
  int max_message_size = kMaxMessageBytes;
  int receive_wait = 0;
  bool content_based_dedup = false;
  std::string redrive_policy;  // JSON text as given; empty for none
  std::string dead_letter_target;  // queue name from the redrive policy's ARN
  int max_receive_count = 0;
  // Attributes stored and returned verbatim (Policy, KmsMasterKeyId, ...).
  std::map<std::string, std::string> opaque;
};

struct DedupEntry {
  int64_t expires_ms = 0;
  std::string message_id;
  std::string sequence_number;
};

struct Queue {
  std::string name;
  bool fifo = false;
  QueueSettings settings;
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
  int64_t next_seq = 1;
  int64_t purge_until_ms = 0;  // a purge is "in progress" until then (60 s, as SQS)

  std::map<int64_t, Message> messages;           // by seq
  std::set<int64_t> ready;                       // seqs receivable now
  std::set<std::pair<int64_t, int64_t>> hidden;  // (visible_ms, seq): delayed or in flight
  std::map<std::string, int> groups_in_flight;   // FIFO group -> messages in flight
  std::map<std::string, DedupEntry> dedup;       // FIFO deduplication ids, 5-minute window
};

}  // namespace stratus::triggers::queue
