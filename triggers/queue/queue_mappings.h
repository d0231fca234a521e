// Event source mappings from queues to functions, as Lambda runs them for SQS: a mapping
// polls its queue (woken by the queue, never by a busy loop), gathers up to batch_size
// messages (waiting up to the batching window for a full batch), invokes the function
// synchronously through the Invoker with the SQS event, and deletes the messages the function
// handled: all of them on success, all but the reported batchItemFailures with
// ReportBatchItemFailures, none on a function error (they come back after the visibility
// timeout and reach the dead-letter queue after maxReceiveCount). At most max_concurrency
// batches (5 when unset) run at once.
// Threading: loop thread only. Stop() before destruction.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/util/clock.h"
#include "emulator/util/status.h"
#include "triggers/queue/queue_store.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::queue {

class QueueService;
struct Received;

constexpr int kDefaultMappingConcurrency = 5;

struct MappingConfig : StoredMapping {
  bool from_project = false;  // a `queue:` event: not stored, rebuilt at each start
};

// The Lambda event for a batch: {"Records": [...]} with each record as Lambda sends it.
nlohmann::json SqsEvent(const std::vector<Received>& batch, const std::string& queue_arn,
                        const std::string& region, const std::string& sender_id);

// Which messages of a batch failed, from a function's answer under ReportBatchItemFailures.
// Returns the failed message ids; every id of the batch when the answer is malformed.
std::vector<std::string> FailedItems(const std::string& payload,
                                     const std::vector<std::string>& batch_ids);

class Mappings;
// Lambda's EventSourceMapping API on the service port (queue_mapping_api.cc):
//   POST/GET /2015-03-31/event-source-mappings/ (create, list), GET/PUT/DELETE .../{UUID}.
Status AddMappingRoutes(Emulator& emulator, Mappings& mappings);

class Mappings {
 public:
  Mappings(Emulator& emulator, QueueService& service);
  ~Mappings();

  // Creates the project's mappings, resumes the stored ones, adds the Lambda API routes.
  // InvalidArgument ("FILE:LINE:COL: ...") for a project mapping Lambda would refuse.
  Status Start();
  void Stop();

  // Validates and starts a mapping; stores it unless it comes from the project.
  // InvalidArgument naming the field, NotFound for an unknown function or queue.
  Result<const MappingConfig*> Create(MappingConfig config);
  // Applies changed settings (batch size, window, concurrency, failures, enabled).
  Result<const MappingConfig*> Update(const std::string& uuid, const nlohmann::json& changes);
  Status Delete(const std::string& uuid);
  const MappingConfig* Get(const std::string& uuid) const;
  std::vector<const MappingConfig*> List() const;

  // Batches being processed by the function now, over every mapping.
  int TestBatchesInFlight() const;

 private:
  struct Runner;
  void Poll(const std::string& uuid);
  bool StartBatch(Runner& runner);
  void OnBatchDone(const std::string& uuid, const std::string& queue,
                   std::vector<std::pair<std::string, std::string>> items, bool report_failures,
                   std::string payload, bool failed);
  Status Validate(const MappingConfig& config) const;
  void Run(Runner& runner);
  void Halt(Runner& runner);

  Emulator& emulator_;
  QueueService& service_;
  std::map<std::string, std::unique_ptr<Runner>> runners_;
  Timer start_;
  bool running_ = false;
  bool stopped_ = false;
};

}  // namespace stratus::triggers::queue
