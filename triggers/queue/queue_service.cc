// QueueService: queues, persistence plumbing, and the watches (long-poll waiters, mapping
// listeners and the promotion timer) that wake consumers when messages become receivable.
#include "triggers/queue/queue_service.h"

#include <algorithm>

#include "emulator/util/log.h"
#include "triggers/queue/queue_store.h"

namespace stratus::triggers::queue {

struct QueueService::Waiter {
  int max = 1;
  int visibility = 30;
  ReceiveCallback done;
  Timer timeout;
};

struct QueueService::QueueWatch {
  std::map<uint64_t, std::unique_ptr<Waiter>> waiters;  // in arrival order
  std::map<uint64_t, std::function<void()>> listeners;
  Timer promotion;
  int64_t promotion_at = 0;
};

QueueService::QueueService(Clock& clock, Random& random, storage::Db& db, std::string region,
                           std::string account)
    : clock_(clock), random_(random), db_(db), region_(std::move(region)),
      account_(std::move(account)) {}

QueueService::~QueueService() { Stop(); }

Status QueueService::Load() {
  std::map<std::string, AttributeMap> attributes;
  STRATUS_RETURN_IF_ERROR(LoadQueues(db_, &queues_, &attributes));
  // Dead-letter targets must exist before their sources re-apply their redrive policies.
  for (auto& [name, queue] : queues_) {
    AttributeMap attrs = attributes[name];
    attrs.erase("RedrivePolicy");
    if (auto error = ApplyAttributes(queue, attrs, /*creating=*/true)) {
      log::Warn("queue " + name + ": stored attributes: " + error->message);
    }
  }
  for (auto& [name, queue] : queues_) {
    auto redrive = attributes[name].find("RedrivePolicy");
    if (redrive != attributes[name].end()) {
      (void)ApplyAttributes(queue, {{"RedrivePolicy", redrive->second}}, false);
    }
    for (auto& [seq, message] : queue.messages) {
      message.in_flight = message.receive_count > 0 && message.visible_ms > NowMs();
      Index(queue, message);
    }
  }
  return Status::Ok();
}

void QueueService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  auto watches = std::move(watches_);
  watches_.clear();
  for (auto& [name, watch] : watches) {
    for (auto& [id, waiter] : watch->waiters) {
      waiter->timeout.Cancel();
      if (waiter->done) waiter->done({});
    }
  }
}

void QueueService::Persist(std::function<Status(storage::Db&)> change) {
  db_.Write(std::move(change), [](Status status) {
    if (!status.ok()) log::Warn("queue: a change was not saved: " + status.message());
  });
}

void QueueService::AfterCommit(std::function<void(Status)> done) {
  db_.Write([](storage::Db&) { return Status::Ok(); }, std::move(done));
}

void QueueService::SaveQueueRow(const Queue& queue) {
  // The row needs the queue's identity, tags and times, not its messages.
  auto row = std::make_shared<Queue>();
  row->name = queue.name;
  row->fifo = queue.fifo;
  row->tags = queue.tags;
  row->created_ms = queue.created_ms;
  row->modified_ms = queue.modified_ms;
  Persist([row, attrs = StoredAttributes(queue)](storage::Db& db) {
    return SaveQueue(db, *row, attrs);
  });
}

Queue* QueueService::Find(const std::string& name) {
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : &it->second;
}

bool ValidQueueName(const std::string& name) {
  std::string base = name;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".fifo") == 0) {
    base.resize(base.size() - 5);
  }
  if (base.empty() || name.size() > 80) return false;
  return std::all_of(base.begin(), base.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string QueueNameFromArn(const std::string& arn) {
  constexpr std::string_view kPrefix = "arn:aws:sqs:";
  if (arn.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  size_t last = arn.rfind(':');
  return last == std::string::npos ? "" : arn.substr(last + 1);
}

std::string QueueService::Arn(const std::string& name) const {
  return "arn:aws:sqs:" + region_ + ":" + account_ + ":" + name;
}

Error QueueService::CreateQueue(const std::string& name, const AttributeMap& attributes,
                                const std::map<std::string, std::string>& tags) {
  if (!ValidQueueName(name)) {
    return InvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. "
                            "1 to 80 in length");
  }
  bool fifo_name = name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
  auto fifo_attr = attributes.find("FifoQueue");
  bool fifo = fifo_attr != attributes.end() && fifo_attr->second == "true";
  if (fifo != fifo_name) {
    return fifo ? InvalidParameter("The name of a FIFO queue can only include alphanumeric "
                                   "characters, hyphens, or underscores, must end with .fifo "
                                   "suffix and be 1 to 80 in length.")
                : SqsError{ErrorKind::kInvalidAttributeName,
                           "Can only include alphanumeric characters, hyphens, or underscores. "
                           "1 to 80 in length"};
  }
  if (Queue* existing = Find(name)) {
    AttributeMap current;
    (void)GetAttributes(*existing, {"All"}, &current);
    for (const auto& [key, value] : attributes) {
      auto it = current.find(key);
      if (it == current.end() || it->second != value) {
        return SqsError{ErrorKind::kQueueNameExists,
                        "A queue already exists with the same name and a different value for "
                        "attribute " + key};
      }
    }
    return std::nullopt;
  }
  Queue queue;
  queue.name = name;
  queue.fifo = fifo;
  queue.created_ms = queue.modified_ms = NowMs();
  if (auto error = ApplyAttributes(queue, attributes, /*creating=*/true)) return error;
  queue.tags = tags;
  auto [it, inserted] = queues_.emplace(name, std::move(queue));
  SaveQueueRow(it->second);
  return std::nullopt;
}

Error QueueService::DeleteQueue(const std::string& name) {
  auto it = queues_.find(name);
  if (it == queues_.end()) return NoSuchQueue();
  queues_.erase(it);
  Persist([name](storage::Db& db) { return DeleteQueueRows(db, name); });
  auto watch = watches_.find(name);
  if (watch != watches_.end()) {
    auto owned = std::move(watch->second);
    watches_.erase(watch);
    for (auto& [id, waiter] : owned->waiters) {
      waiter->timeout.Cancel();
      AfterCommit([done = std::move(waiter->done)](Status) { done({}); });
    }
  }
  return std::nullopt;
}

void QueueService::SetTags(Queue& queue, const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) queue.tags[key] = value;
  SaveQueueRow(queue);
}

void QueueService::RemoveTags(Queue& queue, const std::vector<std::string>& keys) {
  for (const auto& key : keys) queue.tags.erase(key);
  SaveQueueRow(queue);
}

std::vector<std::string> QueueService::QueueNames() const {
  std::vector<std::string> names;
  for (const auto& [name, queue] : queues_) names.push_back(name);
  return names;
}

std::vector<std::string> QueueService::DeadLetterSources(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& [source, queue] : queues_) {
    if (queue.settings.dead_letter_target == name) names.push_back(source);
  }
  return names;
}

// --- watches ---

uint64_t QueueService::Watch(const std::string& queue, std::function<void()> fn) {
  auto& watch = watches_[queue];
  if (!watch) watch = std::make_unique<QueueWatch>();
  uint64_t id = next_id_++;
  watch->listeners.emplace(id, std::move(fn));
  ArmPromotion(queue);
  return id;
}

void QueueService::Unwatch(const std::string& queue, uint64_t id) {
  auto it = watches_.find(queue);
  if (it != watches_.end()) it->second->listeners.erase(id);
}

size_t QueueService::TestWaiters(const std::string& queue) const {
  auto it = watches_.find(queue);
  return it == watches_.end() ? 0 : it->second->waiters.size();
}

void QueueService::Receive(const std::string& name, ReceiveOptions options, ReceiveCallback done) {
  Queue* queue = Find(name);
  if (queue == nullptr || stopped_) {
    AfterCommit([done = std::move(done)](Status) { done({}); });
    return;
  }
  int visibility = options.visibility.value_or(queue->settings.visibility_timeout);
  std::vector<Received> got = Take(*queue, options.max, visibility);
  int wait = options.wait.value_or(queue->settings.receive_wait);
  if (!got.empty() || wait <= 0) {
    ArmPromotion(name);
    AfterCommit([done = std::move(done), got = std::move(got)](Status) mutable {
      done(std::move(got));
    });
    return;
  }
  auto& watch = watches_[name];
  if (!watch) watch = std::make_unique<QueueWatch>();
  uint64_t id = next_id_++;
  auto waiter = std::make_unique<Waiter>();
  waiter->max = options.max;
  waiter->visibility = visibility;
  waiter->done = std::move(done);
  waiter->timeout = clock_.After(std::chrono::seconds(wait),
                                 [this, name, id] { FinishWaiter(name, id, {}); });
  watch->waiters.emplace(id, std::move(waiter));
  ArmPromotion(name);
}

void QueueService::FinishWaiter(const std::string& queue, uint64_t id,
                                std::vector<Received> messages) {
  auto watch = watches_.find(queue);
  if (watch == watches_.end()) return;
  auto it = watch->second->waiters.find(id);
  if (it == watch->second->waiters.end()) return;
  auto waiter = std::move(it->second);
  watch->second->waiters.erase(it);
  waiter->timeout.Cancel();
  AfterCommit([done = std::move(waiter->done), messages = std::move(messages)](Status) mutable {
    done(std::move(messages));
  });
}

void QueueService::Notify(const std::string& name) {
  Queue* queue = Find(name);
  auto watch = watches_.find(name);
  if (queue == nullptr || watch == watches_.end()) return;
  Promote(*queue);
  auto& waiters = watch->second->waiters;
  while (!waiters.empty() && !queue->ready.empty()) {
    auto first = waiters.begin();
    std::vector<Received> got = Take(*queue, first->second->max, first->second->visibility);
    if (got.empty()) break;  // FIFO: every ready group is in flight
    FinishWaiter(name, first->first, std::move(got));
  }
  if (!queue->ready.empty()) {
    std::vector<std::function<void()>> listeners;
    for (const auto& [id, fn] : watch->second->listeners) listeners.push_back(fn);
    for (const auto& fn : listeners) fn();
  }
  ArmPromotion(name);
}

void QueueService::ArmPromotion(const std::string& name) {
  auto watch = watches_.find(name);
  Queue* queue = Find(name);
  if (watch == watches_.end() || queue == nullptr || stopped_) return;
  QueueWatch& w = *watch->second;
  if ((w.waiters.empty() && w.listeners.empty()) || queue->hidden.empty()) {
    w.promotion.Cancel();
    return;
  }
  int64_t due = queue->hidden.begin()->first;
  if (w.promotion.active() && w.promotion_at == due) return;
  w.promotion_at = due;
  // +1 ms: the wall clock is read in whole milliseconds.
  int64_t delay = std::max<int64_t>(0, due - NowMs()) + 1;
  w.promotion = clock_.After(std::chrono::milliseconds(delay), [this, name] { Notify(name); });
}

}  // namespace stratus::triggers::queue
