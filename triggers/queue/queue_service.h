// QueueService: SQS semantics over the in-memory model, with every change written through to
// SQLite by group commit (Db::Write). Callers answer their clients only after AfterCommit's
// callback, so an acknowledged send or delete is on disk (it survives kill -9).
//
// Visibility: a message is `ready` (receivable now) or `hidden` until its visible time
// (delayed, or in flight after a receive). Promotion from hidden to ready happens lazily on
// every access and, while someone waits on the queue, on a Clock timer set for the earliest
// visible time, so long pollers cost no CPU. FIFO queues hand out a message group only while
// none of its messages is in flight, in sequence order.
// Threading: loop thread only. Stop() before destruction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/storage/db.h"
#include "emulator/util/clock.h"
#include "emulator/util/ids.h"
#include "triggers/queue/queue_errors.h"
#include "triggers/queue/queue_model.h"

namespace stratus::triggers::queue {

using AttributeMap = std::map<std::string, std::string>;
using Error = std::optional<SqsError>;  // nullopt: success

struct SendInput {
  std::string body;
  std::optional<int> delay;
  nlohmann::json attributes;  // validated message attributes (object), or null
  std::string trace_header;
  std::string group_id;
  std::string dedup_id;
};

struct SendOutput {
  std::string message_id;
  std::string md5_body;
  std::string md5_attributes;
  std::string md5_system_attributes;
  std::string sequence_number;
};

struct ReceiveOptions {
  int max = 1;                    // messages at most
  std::optional<int> visibility;  // seconds; the queue's when absent
  std::optional<int> wait;        // seconds of long polling; the queue's when absent
};

// A received message, copied: the queue may change before the answer goes out.
struct Received {
  Message message;
  std::string receipt;
};
using ReceiveCallback = std::function<void(std::vector<Received>)>;

class QueueService {
 public:
  QueueService(Clock& clock, Random& random, storage::Db& db, std::string region,
               std::string account);
  ~QueueService();
  QueueService(const QueueService&) = delete;
  QueueService& operator=(const QueueService&) = delete;

  // Rebuilds the model from the database (the tables must be migrated). OK or the SQLite error.
  Status Load();
  // Answers every waiting receive (empty), cancels timers, refuses further waits.
  void Stop();

  // Runs `done` after every change made so far is committed (with the commit's Status).
  void AfterCommit(std::function<void(Status)> done);

  // --- queues (queue_service.cc) ---
  Queue* Find(const std::string& name);
  // Creates the queue, or returns the existing one when its attributes match.
  // Errors: InvalidParameterValue (name), InvalidAttributeName/Value, QueueNameExists.
  Error CreateQueue(const std::string& name, const AttributeMap& attributes,
                    const std::map<std::string, std::string>& tags);
  Error DeleteQueue(const std::string& name);
  Error SetAttributes(Queue& queue, const AttributeMap& attributes);
  // The named attributes ("All" for every one); InvalidAttributeName for an unknown name.
  Error GetAttributes(Queue& queue, const std::vector<std::string>& names, AttributeMap* out);
  void SetTags(Queue& queue, const std::map<std::string, std::string>& tags);
  void RemoveTags(Queue& queue, const std::vector<std::string>& keys);
  std::vector<std::string> QueueNames() const;
  // Names of the queues whose redrive policy targets `name`.
  std::vector<std::string> DeadLetterSources(const std::string& name) const;
  std::string Arn(const std::string& name) const;
  const std::string& region() const { return region_; }
  const std::string& account() const { return account_; }

  // --- messages (queue_messages.cc) ---
  Error Send(Queue& queue, SendInput input, SendOutput* out);
  // Receives at most options.max messages; waits up to options.wait seconds for the first.
  // `done` runs once, after the receive is committed (possibly before Receive returns).
  void Receive(const std::string& queue, ReceiveOptions options, ReceiveCallback done);
  // Receives at once (no waiting) with the queue's visibility timeout; the change is
  // committed with the next group commit. For event source mappings.
  std::vector<Received> ReceiveNow(Queue& queue, int max);
  Error Delete(Queue& queue, const std::string& receipt);
  Error ChangeVisibility(Queue& queue, const std::string& receipt, int timeout_seconds);
  Error Purge(Queue& queue);
  // Messages receivable now (after promoting those whose time has come).
  size_t Ready(Queue& queue);
  struct Counts {
    size_t visible = 0, in_flight = 0, delayed = 0;
  };
  Counts Count(Queue& queue);

  // Event source mappings watch queues: `fn` runs whenever messages become receivable.
  // Returns an id for Unwatch.
  uint64_t Watch(const std::string& queue, std::function<void()> fn);
  void Unwatch(const std::string& queue, uint64_t id);

  // Receives waiting on `queue` (long polls).
  size_t TestWaiters(const std::string& queue) const;

 private:
  struct Waiter;
  struct QueueWatch;
  int64_t NowMs() const { return clock_.WallNowMs(); }
  void Persist(std::function<Status(storage::Db&)> change);
  void SaveQueueRow(const Queue& queue);
  Error ApplyAttributes(Queue& queue, const AttributeMap& attributes, bool creating);
  AttributeMap StoredAttributes(const Queue& queue) const;
  void Index(Queue& queue, Message& message);
  void Promote(Queue& queue);
  std::vector<Received> Take(Queue& queue, int max, int visibility_seconds);
  bool DeliverOrMove(Queue& queue, Message& message);
  void MoveToDeadLetter(Queue& source, Message& message, Queue& target);
  void Remove(Queue& queue, Message& message);
  void Insert(Queue& queue, Message message);
  Message* FindByReceipt(Queue& queue, const std::string& receipt, Error* error);
  void Notify(const std::string& queue);
  void ArmPromotion(const std::string& queue);
  void FinishWaiter(const std::string& queue, uint64_t id, std::vector<Received> messages);

  Clock& clock_;
  Random& random_;
  storage::Db& db_;
  std::string region_;
  std::string account_;
  std::map<std::string, Queue> queues_;
  std::map<std::string, std::unique_ptr<QueueWatch>> watches_;
  uint64_t next_id_ = 1;
  bool stopped_ = false;
};

// "arn:aws:sqs:REGION:ACCOUNT:NAME" -> NAME; empty when not an SQS ARN.
std::string QueueNameFromArn(const std::string& arn);
// SQS's queue-name rule: 1-80 of [A-Za-z0-9_-], plus ".fifo" for FIFO queues.
bool ValidQueueName(const std::string& name);

}  // namespace stratus::triggers::queue
