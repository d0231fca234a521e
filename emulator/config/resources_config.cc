// `queues:`, `buckets:` and `tables:`: the resources events refer to.
#include <algorithm>
#include <cctype>

#include "emulator/config/config_internal.h"

namespace stratus::config {

namespace {

using std::chrono::seconds;

bool IsQueueName(std::string_view name) {
  if (name.ends_with(".fifo")) name.remove_suffix(5);
  if (name.empty() || name.size() > 75) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// S3's rules: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a
// letter or digit.
bool IsBucketName(std::string_view name) {
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
  };
  if (name.size() < 3 || name.size() > 63 || !alnum(name.front()) || !alnum(name.back())) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

bool IsTableName(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// A queue being read, with what the checks after reading need.
struct QueueDraft {
  QueueConfig q;
  std::optional<bool> fifo;
  Position fifo_at;
  Position dedup_at;
};

// Reads an integer number of seconds into `member` of the queue.
template <seconds QueueConfig::*member, int64_t min, int64_t max>
Status ReadSeconds(const Reader& r, const Entry& e, QueueDraft& d) {
  Result<int64_t> v = ReadInt(r, e, min, max);
  if (v.ok()) d.q.*member = seconds(*v);
  return v.status();
}

constexpr Field<DeadLetter> kDeadLetterFields[] = {
    {"queue",
     [](const Reader& r, const Entry& e, DeadLetter& out) {
       Result<std::string> v = ReadName(r, e);
       if (v.ok()) out.queue = *v;
       return v.status();
     }},
    {"max_receives",
     [](const Reader& r, const Entry& e, DeadLetter& out) {
       Result<int64_t> v = ReadInt(r, e, 1, 1000);
       if (v.ok()) out.max_receives = static_cast<int>(*v);
       return v.status();
     }},
};

Status ReadDeadLetter(const Reader& r, const Entry& e, QueueDraft& d) {
  DeadLetter dlq;
  dlq.position = e.key_position;
  STRATUS_RETURN_IF_ERROR(ReadFields<DeadLetter>(
      r, e.value, e.value_position, "'dead_letter' of queue '" + d.q.name + "'",
      kDeadLetterFields, dlq));
  if (dlq.queue.empty()) return r.Error(e.key_position, "'dead_letter' needs a 'queue'");
  if (dlq.max_receives == 0) return r.Error(e.key_position, "'dead_letter' needs 'max_receives'");
  d.q.dead_letter = std::move(dlq);
  return Status::Ok();
}

constexpr Field<QueueDraft> kQueueFields[] = {
    {"visibility_timeout", ReadSeconds<&QueueConfig::visibility_timeout, 0, 43200>},
    {"delay", ReadSeconds<&QueueConfig::delay, 0, 900>},
    {"retention", ReadSeconds<&QueueConfig::retention, 60, 1209600>},
    {"fifo",
     [](const Reader& r, const Entry& e, QueueDraft& d) {
       Result<bool> v = ReadBool(r, e);
       if (v.ok()) d.fifo = *v;
       d.fifo_at = e.value_position;
       return v.status();
     }},
    {"content_based_dedup",
     [](const Reader& r, const Entry& e, QueueDraft& d) {
       Result<bool> v = ReadBool(r, e);
       if (v.ok()) d.q.content_based_dedup = *v;
       d.dedup_at = e.value_position;
       return v.status();
     }},
    {"dead_letter", ReadDeadLetter},
};

Status FinishQueue(const Reader& r, QueueDraft& d) {
  QueueConfig& q = d.q;
  q.fifo = q.name.ends_with(".fifo");
  if (d.fifo && *d.fifo && !q.fifo) {
    return r.Error(d.fifo_at, "queue '" + q.name +
                                  "' has 'fifo: true' but a FIFO queue's name must end in "
                                  "'.fifo' (like '" + q.name + ".fifo')");
  }
  if (d.fifo && !*d.fifo && q.fifo) {
    return r.Error(d.fifo_at, "queue '" + q.name + "' ends in '.fifo', so it is a FIFO queue "
                                  "and cannot have 'fifo: false'");
  }
  if (q.content_based_dedup && !q.fifo) {
    return r.Error(d.dedup_at, "'content_based_dedup' needs a FIFO queue (a name ending in "
                               "'.fifo')");
  }
  return Status::Ok();
}

constexpr Field<TableConfig> kTableFields[] = {
    {"key",
     [](const Reader& r, const Entry& e, TableConfig& t) {
       Result<std::vector<Entry>> attrs = MapEntries(r, e.value, e.value_position, "'key'");
       if (!attrs.ok()) return attrs.status();
       if (attrs->empty() || attrs->size() > 2) {
         return r.Error(e.value_position, "'key' must have 1 or 2 attributes (hash, then range), "
                                          "got " + std::to_string(attrs->size()));
       }
       for (const Entry& attr : *attrs) {
         Result<std::string> type = ReadChoice(r, attr, {"S", "N", "B"});
         if (!type.ok()) return type.status();
         t.key.push_back({attr.key, static_cast<KeyType>(type->front())});
       }
       return Status::Ok();
     }},
    {"stream",
     [](const Reader& r, const Entry& e, TableConfig& t) {
       Result<bool> v = ReadBool(r, e);
       if (v.ok()) t.stream = *v;
       return v.status();
     }},
};

}  // namespace

Status ReadQueues(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::vector<Entry>> queues = MapEntries(r, e.value, e.value_position, "'queues'");
  if (!queues.ok()) return queues.status();
  for (const Entry& entry : *queues) {
    if (!IsQueueName(entry.key)) {
      return r.Error(entry.key_position, "queue name '" + entry.key +
                                             "' must be 1 to 80 letters, digits, '-' or '_' "
                                             "(with '.fifo' at the end for a FIFO queue)");
    }
    QueueDraft draft;
    draft.q.name = entry.key;
    draft.q.position = entry.key_position;
    STRATUS_RETURN_IF_ERROR(ReadFields<QueueDraft>(r, entry.value, entry.value_position,
                                                   "queue '" + entry.key + "'", kQueueFields,
                                                   draft));
    STRATUS_RETURN_IF_ERROR(FinishQueue(r, draft));
    out.queues[entry.key] = std::move(draft.q);
  }
  return Status::Ok();
}

Status ReadBuckets(const Reader& r, const Entry& e, ProjectConfig& out) {
  if (e.value.IsNull()) return Status::Ok();
  if (!e.value.IsSequence()) {
    return r.Error(e.value_position, "'buckets' must be a list of names, got " +
                                         Describe(e.value));
  }
  for (const YAML::Node& item : e.value) {
    Position at = PositionOf(item);
    if (!item.IsScalar()) {
      return r.Error(at, "bucket names must be strings, got " + Describe(item));
    }
    const std::string& name = item.Scalar();
    if (!IsBucketName(name)) {
      return r.Error(at, "bucket name '" + name + "' must be 3 to 63 lower-case letters, "
                                                  "digits, '.' or '-', starting and ending "
                                                  "with a letter or digit");
    }
    if (std::find(out.buckets.begin(), out.buckets.end(), name) != out.buckets.end()) {
      return r.Error(at, "bucket '" + name + "' is declared twice");
    }
    out.buckets.push_back(name);
  }
  return Status::Ok();
}

Status ReadTables(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::vector<Entry>> tables = MapEntries(r, e.value, e.value_position, "'tables'");
  if (!tables.ok()) return tables.status();
  for (const Entry& entry : *tables) {
    if (!IsTableName(entry.key)) {
      return r.Error(entry.key_position, "table name '" + entry.key +
                                             "' must be 3 to 255 letters, digits, '_', '-' "
                                             "or '.'");
    }
    TableConfig table;
    table.name = entry.key;
    table.position = entry.key_position;
    STRATUS_RETURN_IF_ERROR(ReadFields<TableConfig>(r, entry.value, entry.value_position,
                                                    "table '" + entry.key + "'", kTableFields,
                                                    table));
    if (table.key.empty()) {
      return r.Error(entry.key_position,
                     "table '" + entry.key + "' needs a 'key' like '{id: S}'");
    }
    out.tables[entry.key] = std::move(table);
  }
  return Status::Ok();
}

}  // namespace stratus::config
