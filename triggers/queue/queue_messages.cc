// QueueService: messages. Sending (with FIFO deduplication and sequence numbers), receiving
// (visibility, receive counts, FIFO group locks, redrive to the dead-letter queue, retention),
// deleting and changing visibility by receipt handle, purging.
#include <algorithm>
#include <charconv>

#include "emulator/util/base64.h"
#include "triggers/queue/queue_md5.h"
#include "triggers/queue/queue_service.h"
#include "triggers/queue/queue_store.h"

namespace stratus::triggers::queue {
namespace {

// FIFO sequence numbers: large, increasing, as SQS's are (20 digits).
std::string SequenceNumber(int64_t seq) {
  return std::to_string(18000000000000000000ULL + static_cast<uint64_t>(seq));
}

// Receipt handles name the queue, the message and the receive: base64("queue/seq/token").
std::string MakeReceipt(const std::string& queue, int64_t seq, const std::string& token) {
  return Base64Encode(queue + "/" + std::to_string(seq) + "/" + token);
}

bool ParseReceipt(const std::string& receipt, std::string* queue, int64_t* seq,
                  std::string* token) {
  auto decoded = Base64Decode(receipt);
  if (!decoded) return false;
  size_t first = decoded->find('/');
  size_t second = first == std::string::npos ? first : decoded->find('/', first + 1);
  if (second == std::string::npos) return false;
  *queue = decoded->substr(0, first);
  std::string_view number(decoded->data() + first + 1, second - first - 1);
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), *seq);
  if (ec != std::errc() || end != number.data() + number.size()) return false;
  *token = decoded->substr(second + 1);
  return !token->empty();
}

}  // namespace

void QueueService::Index(Queue& queue, Message& message) {
  if (message.visible_ms > NowMs()) {
    queue.hidden.emplace(message.visible_ms, message.seq);
    if (message.in_flight && queue.fifo) ++queue.groups_in_flight[message.group_id];
  } else {
    message.in_flight = false;
    queue.ready.insert(message.seq);
  }
}

void QueueService::Insert(Queue& queue, Message message) {
  auto [it, inserted] = queue.messages.emplace(message.seq, std::move(message));
  Index(queue, it->second);
  Persist([name = queue.name, copy = it->second](storage::Db& db) {
    return InsertMessage(db, name, copy);
  });
}

void QueueService::Remove(Queue& queue, Message& message) {
  if (message.in_flight && queue.fifo) {
    auto group = queue.groups_in_flight.find(message.group_id);
    if (group != queue.groups_in_flight.end() && --group->second <= 0) {
      queue.groups_in_flight.erase(group);
    }
  }
  queue.ready.erase(message.seq);
  queue.hidden.erase({message.visible_ms, message.seq});
  int64_t seq = message.seq;
  queue.messages.erase(seq);
  Persist([name = queue.name, seq](storage::Db& db) { return DeleteMessageRow(db, name, seq); });
}

void QueueService::Promote(Queue& queue) {
  int64_t now = NowMs();
  while (!queue.hidden.empty() && queue.hidden.begin()->first <= now) {
    int64_t seq = queue.hidden.begin()->second;
    queue.hidden.erase(queue.hidden.begin());
    Message& message = queue.messages.at(seq);
    if (message.in_flight && queue.fifo) {
      auto group = queue.groups_in_flight.find(message.group_id);
      if (group != queue.groups_in_flight.end() && --group->second <= 0) {
        queue.groups_in_flight.erase(group);
      }
    }
    message.in_flight = false;
    queue.ready.insert(seq);
  }
}

Error QueueService::Send(Queue& queue, SendInput input, SendOutput* out) {
  if (queue.fifo && input.delay && *input.delay != 0) {
    return InvalidParameter("Value " + std::to_string(*input.delay) +
                            " for parameter DelaySeconds is invalid. Reason: The request include "
                            "parameter that is not valid for this queue type.");
  }
  if (queue.fifo && input.group_id.empty()) {
    return MissingParameter("MessageGroupId");
  }
  if (!queue.fifo && !input.dedup_id.empty()) {
    return InvalidParameter("Value " + input.dedup_id + " for parameter MessageDeduplicationId is "
                            "invalid. Reason: The request includes a parameter that is not valid "
                            "for this queue type.");
  }
  if (queue.fifo && input.dedup_id.empty()) {
    if (!queue.settings.content_based_dedup) {
      return InvalidParameter("The queue should either have ContentBasedDeduplication enabled or "
                              "MessageDeduplicationId provided explicitly");
    }
    input.dedup_id = Sha256Hex(input.body);
  }
  int64_t now = NowMs();
  out->md5_body = Md5Hex(input.body);
  out->md5_attributes = Md5OfAttributes(input.attributes);
  if (!input.trace_header.empty()) {
    out->md5_system_attributes = Md5OfAttributes(
        {{"AWSTraceHeader", {{"DataType", "String"}, {"StringValue", input.trace_header}}}});
  }
  if (queue.fifo) {
    auto dup = queue.dedup.find(input.dedup_id);
    if (dup != queue.dedup.end() && dup->second.expires_ms > now) {
      out->message_id = dup->second.message_id;
      out->sequence_number = dup->second.sequence_number;
      return std::nullopt;  // accepted, not delivered twice
    }
  }
  Message message;
  message.seq = queue.next_seq++;
  message.id = random_.Uuid();
  message.body = std::move(input.body);
  message.attributes = std::move(input.attributes);
  message.md5_body = out->md5_body;
  message.md5_attributes = out->md5_attributes;
  message.trace_header = std::move(input.trace_header);
  message.sent_ms = now;
  message.visible_ms = now + 1000LL * input.delay.value_or(queue.settings.delay);
  message.group_id = std::move(input.group_id);
  if (queue.fifo) {
    message.dedup_id = input.dedup_id;
    message.sequence_number = SequenceNumber(message.seq);
    DedupEntry entry{now + kDedupWindowMs, message.id, message.sequence_number};
    queue.dedup[input.dedup_id] = entry;
    Persist([name = queue.name, id = input.dedup_id, entry](storage::Db& db) {
      return SaveDedup(db, name, id, entry);
    });
    // Expired ids leave memory with the next send; the table drops them in SaveDedup.
    std::erase_if(queue.dedup, [now](const auto& item) { return item.second.expires_ms <= now; });
  }
  out->message_id = message.id;
  out->sequence_number = message.sequence_number;
  std::string name = queue.name;
  Insert(queue, std::move(message));
  Notify(name);
  return std::nullopt;
}

// SQS moves a message to the dead-letter queue when it is about to be received more than
// maxReceiveCount times. Returns true when the message was moved.
bool QueueService::DeliverOrMove(Queue& queue, Message& message) {
  const QueueSettings& s = queue.settings;
  if (s.max_receive_count <= 0 || message.receive_count < s.max_receive_count) return false;
  Queue* target = Find(s.dead_letter_target);
  if (target == nullptr || target == &queue) return false;
  MoveToDeadLetter(queue, message, *target);
  return true;
}

void QueueService::MoveToDeadLetter(Queue& source, Message& message, Queue& target) {
  Message moved = message;
  moved.seq = target.next_seq++;
  moved.receive_count = 0;
  moved.first_receive_ms = 0;
  moved.in_flight = false;
  moved.receipt_token.clear();
  moved.visible_ms = NowMs();
  moved.dead_letter_source = Arn(source.name);
  if (target.fifo) moved.sequence_number = SequenceNumber(moved.seq);
  Remove(source, message);
  std::string name = target.name;
  Insert(target, std::move(moved));
  Notify(name);
}

std::vector<Received> QueueService::Take(Queue& queue, int max, int visibility_seconds) {
  std::vector<Received> out;
  Promote(queue);
  int64_t now = NowMs();
  std::set<std::string> taken_groups;
  for (auto it = queue.ready.begin(); it != queue.ready.end() && static_cast<int>(out.size()) < max;) {
    int64_t seq = *it++;
    Message& message = queue.messages.at(seq);
    if (message.sent_ms + 1000LL * queue.settings.retention <= now) {
      Remove(queue, message);  // past the retention period
      continue;
    }
    if (queue.fifo && queue.groups_in_flight.count(message.group_id) != 0 &&
        taken_groups.count(message.group_id) == 0) {
      continue;  // an earlier message of its group is in flight
    }
    if (DeliverOrMove(queue, message)) continue;
    queue.ready.erase(seq);
    message.receive_count++;
    if (message.first_receive_ms == 0) message.first_receive_ms = now;
    message.visible_ms = now + 1000LL * visibility_seconds;
    message.receipt_token = random_.Hex(16);
    if (visibility_seconds > 0) {
      message.in_flight = true;
      queue.hidden.emplace(message.visible_ms, seq);
      if (queue.fifo) {
        ++queue.groups_in_flight[message.group_id];
        taken_groups.insert(message.group_id);
      }
    } else {
      queue.ready.insert(seq);  // visible again at once
    }
    Persist([name = queue.name, copy = message](storage::Db& db) {
      return UpdateMessageState(db, name, copy);
    });
    out.push_back({message, MakeReceipt(queue.name, seq, message.receipt_token)});
  }
  return out;
}

std::vector<Received> QueueService::ReceiveNow(Queue& queue, int max) {
  std::vector<Received> got = Take(queue, max, queue.settings.visibility_timeout);
  ArmPromotion(queue.name);
  return got;
}

Message* QueueService::FindByReceipt(Queue& queue, const std::string& receipt, Error* error) {
  std::string name, token;
  int64_t seq = 0;
  if (!ParseReceipt(receipt, &name, &seq, &token) || name != queue.name) {
    *error = SqsError{ErrorKind::kReceiptHandleIsInvalid,
                      "The input receipt handle \"" + receipt + "\" is not a valid receipt handle."};
    return nullptr;
  }
  auto it = queue.messages.find(seq);
  return it == queue.messages.end() ? nullptr : &it->second;
}

Error QueueService::Delete(Queue& queue, const std::string& receipt) {
  Error error;
  Message* message = FindByReceipt(queue, receipt, &error);
  if (error) return error;
  if (message == nullptr) return std::nullopt;  // already deleted: SQS answers success
  bool unlocks_group = queue.fifo && message->in_flight;
  std::string name = queue.name;
  Remove(queue, *message);
  if (unlocks_group) Notify(name);
  return std::nullopt;
}

Error QueueService::ChangeVisibility(Queue& queue, const std::string& receipt, int timeout) {
  if (timeout < 0 || timeout > 43200) {
    return InvalidParameter("Value " + std::to_string(timeout) +
                            " for parameter VisibilityTimeout is invalid. Reason: Must be between "
                            "0 and 43200, if provided.");
  }
  Error error;
  Message* message = FindByReceipt(queue, receipt, &error);
  if (error) return error;
  Promote(queue);
  if (message == nullptr || !message->in_flight) {
    return SqsError{ErrorKind::kMessageNotInflight, "Message does not exist or is not available "
                                                    "for visibility timeout change."};
  }
  queue.hidden.erase({message->visible_ms, message->seq});
  message->visible_ms = NowMs() + 1000LL * timeout;
  queue.hidden.emplace(message->visible_ms, message->seq);
  Persist([name = queue.name, copy = *message](storage::Db& db) {
    return UpdateMessageState(db, name, copy);
  });
  std::string name = queue.name;
  if (timeout == 0) {
    Notify(name);
  } else {
    ArmPromotion(name);
  }
  return std::nullopt;
}

Error QueueService::Purge(Queue& queue) {
  int64_t now = NowMs();
  if (queue.purge_until_ms > now) {
    return SqsError{ErrorKind::kPurgeQueueInProgress,
                    "Only one PurgeQueue operation on " + queue.name +
                        " is allowed every 60 seconds."};
  }
  queue.purge_until_ms = now + 60000;
  queue.messages.clear();
  queue.ready.clear();
  queue.hidden.clear();
  queue.groups_in_flight.clear();
  Persist([name = queue.name](storage::Db& db) { return DeleteAllMessages(db, name); });
  return std::nullopt;
}

size_t QueueService::Ready(Queue& queue) {
  Promote(queue);
  return queue.ready.size();
}

QueueService::Counts QueueService::Count(Queue& queue) {
  Promote(queue);
  Counts counts;
  counts.visible = queue.ready.size();
  for (const auto& [when, seq] : queue.hidden) {
    (queue.messages.at(seq).in_flight ? counts.in_flight : counts.delayed)++;
  }
  return counts;
}

}  // namespace stratus::triggers::queue
