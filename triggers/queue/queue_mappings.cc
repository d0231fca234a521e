#include "triggers/queue/queue_mappings.h"

#include <algorithm>
#include <set>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/util/json.h"
#include "emulator/util/log.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {

struct Mappings::Runner {
  MappingConfig config;
  uint64_t watch = 0;
  bool watching = false;
  int in_flight = 0;
  Timer window;         // the batching window, open while a partial batch waits
  bool window_over = false;
  Timer repoll;         // the next poll after a batch, outside the invoke callback
};

Mappings::Mappings(Emulator& emulator, QueueService& service)
    : emulator_(emulator), service_(service) {}

Mappings::~Mappings() { Stop(); }

Status Mappings::Start() {
  const auto& project = emulator_.project();
  for (const auto& [name, function] : project.functions) {
    for (const auto& event : function.events) {
      const auto* q = std::get_if<config::QueueEvent>(&event);
      if (q == nullptr) continue;
      MappingConfig config;
      config.function = name;
      config.queue = q->queue;
      config.batch_size = q->batch_size;
      config.window_ms = q->window.count();
      config.max_concurrency = q->max_concurrency.value_or(0);
      config.report_failures = q->report_failures;
      config.from_project = true;
      auto created = Create(std::move(config));
      if (!created.ok()) {
        return Status::InvalidArgument(project.file + ":" + std::to_string(std::max(q->position.line, 1)) +
                                       ":" + std::to_string(std::max(q->position.column, 1)) +
                                       ": queue event of function '" + name + "': " +
                                       created.status().message());
      }
      log::Info("queue: " + q->queue + " -> " + name + " (batch " + std::to_string(q->batch_size) + ")");
    }
  }
  std::vector<StoredMapping> stored;
  STRATUS_RETURN_IF_ERROR(LoadMappings(emulator_.db(), &stored));
  for (auto& mapping : stored) {
    MappingConfig config;
    static_cast<StoredMapping&>(config) = mapping;
    auto created = Create(std::move(config));
    if (!created.ok()) log::Warn("queue: stored mapping " + mapping.uuid + " not resumed: " + created.status().message());
  }
  // Polling starts on the next loop turn: the functions start after the modules do.
  start_ = emulator_.clock().After(std::chrono::milliseconds(0), [this] {
    running_ = true;
    for (auto& [uuid, runner] : runners_) Run(*runner);
  });
  return AddMappingRoutes(emulator_, *this);
}

void Mappings::Stop() {
  if (stopped_) return;
  stopped_ = true;
  start_.Cancel();
  for (auto& [uuid, runner] : runners_) Halt(*runner);
}

Status Mappings::Validate(const MappingConfig& c) const {
  // The project's functions: the Invoker resolves them only after the modules start.
  if (emulator_.project().functions.count(c.function) == 0) {
    return Status::NotFound("Function not found: arn:aws:lambda:" + service_.region() + ":" +
                            service_.account() + ":function:" + c.function);
  }
  Queue* queue = const_cast<QueueService&>(service_).Find(c.queue);
  if (queue == nullptr) {
    return Status::InvalidArgument("Error occurred while ReceiveMessage. SQS Error Code: "
                                   "AWS.SimpleQueueService.NonExistentQueue. Queue " + c.queue +
                                   " does not exist.");
  }
  int max_batch = queue->fifo ? 10 : 10000;
  if (c.batch_size < 1 || c.batch_size > max_batch) {
    return Status::InvalidArgument("BatchSize must be between 1 and " + std::to_string(max_batch) + ".");
  }
  if (c.window_ms < 0 || c.window_ms > 300000) {
    return Status::InvalidArgument("MaximumBatchingWindowInSeconds must be between 0 and 300.");
  }
  if (queue->fifo && c.window_ms > 0) {
    return Status::InvalidArgument("Batching window is not supported for FIFO queues.");
  }
  if (c.batch_size > 10 && c.window_ms < 1000) {
    return Status::InvalidArgument("Maximum batch size is 10 when the batching window is under "
                                   "1 second.");
  }
  if (c.max_concurrency != 0 && (c.max_concurrency < 2 || c.max_concurrency > 1000)) {
    return Status::InvalidArgument("MaximumConcurrency must be between 2 and 1000.");
  }
  return Status::Ok();
}

Result<const MappingConfig*> Mappings::Create(MappingConfig config) {
  STRATUS_RETURN_IF_ERROR(Validate(config));
  if (config.uuid.empty()) config.uuid = emulator_.random().Uuid();
  if (config.modified_ms == 0) config.modified_ms = emulator_.clock().WallNowMs();
  if (!config.from_project) {
    StoredMapping row = config;
    emulator_.db().Write([row](storage::Db& db) { return SaveMapping(db, row); }, nullptr);
  }
  auto runner = std::make_unique<Runner>();
  runner->config = std::move(config);
  Runner& r = *runner;
  runners_[r.config.uuid] = std::move(runner);
  Run(r);
  return &r.config;
}

Result<const MappingConfig*> Mappings::Update(const std::string& uuid, const nlohmann::json& changes) {
  auto it = runners_.find(uuid);
  if (it == runners_.end()) return Status::NotFound("The resource you requested does not exist.");
  MappingConfig next = it->second->config;
  auto number = [&changes](const char* key, auto* out) {
    auto v = changes.find(key);
    if (v != changes.end() && v->is_number_integer()) *out = v->get<int64_t>();
  };
  int64_t batch = next.batch_size, window = next.window_ms / 1000, concurrency = next.max_concurrency;
  number("BatchSize", &batch);
  number("MaximumBatchingWindowInSeconds", &window);
  if (changes.contains("ScalingConfig") && changes["ScalingConfig"].is_object()) {
    concurrency = changes["ScalingConfig"].value("MaximumConcurrency", int64_t{0});
  }
  next.batch_size = static_cast<int>(batch);
  next.window_ms = window * 1000;
  next.max_concurrency = static_cast<int>(concurrency);
  if (changes.contains("Enabled") && changes["Enabled"].is_boolean()) next.enabled = changes["Enabled"].get<bool>();
  if (changes.contains("FunctionResponseTypes") && changes["FunctionResponseTypes"].is_array()) {
    next.report_failures = changes["FunctionResponseTypes"].size() > 0;
  }
  STRATUS_RETURN_IF_ERROR(Validate(next));
  next.modified_ms = emulator_.clock().WallNowMs();
  Halt(*it->second);
  it->second->config = next;
  if (!next.from_project) {
    StoredMapping row = next;
    emulator_.db().Write([row](storage::Db& db) { return SaveMapping(db, row); }, nullptr);
  }
  Run(*it->second);
  return &it->second->config;
}

Status Mappings::Delete(const std::string& uuid_ref) {
  std::string uuid = uuid_ref;  // the caller's may live in the runner erased below
  auto it = runners_.find(uuid);
  if (it == runners_.end()) return Status::NotFound("The resource you requested does not exist.");
  Halt(*it->second);
  runners_.erase(it);
  emulator_.db().Write([uuid](storage::Db& db) { return DeleteMapping(db, uuid); }, nullptr);
  return Status::Ok();
}

const MappingConfig* Mappings::Get(const std::string& uuid) const {
  auto it = runners_.find(uuid);
  return it == runners_.end() ? nullptr : &it->second->config;
}

std::vector<const MappingConfig*> Mappings::List() const {
  std::vector<const MappingConfig*> out;
  for (const auto& [uuid, runner] : runners_) out.push_back(&runner->config);
  std::sort(out.begin(), out.end(), [](const MappingConfig* a, const MappingConfig* b) {
    return std::tie(a->modified_ms, a->uuid) < std::tie(b->modified_ms, b->uuid);
  });
  return out;
}

int Mappings::TestBatchesInFlight() const {
  int total = 0;
  for (const auto& [uuid, runner] : runners_) total += runner->in_flight;
  return total;
}

void Mappings::Run(Runner& runner) {
  if (stopped_ || !runner.config.enabled || !running_) return;
  std::string uuid = runner.config.uuid;
  runner.watch = service_.Watch(runner.config.queue, [this, uuid] { Poll(uuid); });
  runner.watching = true;
  Poll(uuid);
}

void Mappings::Halt(Runner& runner) {
  if (runner.watching) service_.Unwatch(runner.config.queue, runner.watch);
  runner.watching = false;
  runner.window.Cancel();
  runner.repoll.Cancel();
}

void Mappings::Poll(const std::string& uuid) {
  auto it = runners_.find(uuid);
  if (it == runners_.end() || stopped_ || !it->second->watching) return;
  Runner& r = *it->second;
  int limit = r.config.max_concurrency > 0 ? r.config.max_concurrency : kDefaultMappingConcurrency;
  while (r.in_flight < limit) {
    Queue* queue = service_.Find(r.config.queue);
    if (queue == nullptr) return;
    size_t ready = service_.Ready(*queue);
    if (ready == 0) return;
    if (r.config.window_ms > 0 && ready < static_cast<size_t>(r.config.batch_size) && !r.window_over) {
      if (!r.window.active()) {
        r.window = emulator_.clock().After(std::chrono::milliseconds(r.config.window_ms), [this, uuid] {
          auto found = runners_.find(uuid);
          if (found == runners_.end()) return;
          found->second->window_over = true;
          Poll(uuid);
        });
      }
      return;
    }
    r.window_over = false;
    r.window.Cancel();
    if (!StartBatch(r)) return;
  }
}

bool Mappings::StartBatch(Runner& r) {
  Queue* queue = service_.Find(r.config.queue);
  if (queue == nullptr) return false;
  std::vector<Received> batch = service_.ReceiveNow(*queue, r.config.batch_size);
  if (batch.empty()) return false;  // FIFO: every ready group is in flight
  ++r.in_flight;
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& received : batch) items.emplace_back(received.message.id, received.receipt);
  functions::InvokeRequest request;
  request.payload = DumpJson(SqsEvent(batch, service_.Arn(r.config.queue), service_.region(),
                                      service_.account()));
  request.source = "queue:" + r.config.queue;
  std::string uuid = r.config.uuid, queue_name = r.config.queue;
  bool report = r.config.report_failures;
  emulator_.invoker().Invoke(
      r.config.function, std::move(request),
      [this, uuid, queue_name, items = std::move(items), report](functions::InvokeResult result) mutable {
        bool failed = !result.status.ok() || result.function_error;
        if (!result.status.ok()) {
          log::Info("queue: " + queue_name + ": batch not delivered: " + result.status.message());
        }
        OnBatchDone(uuid, queue_name, std::move(items), report, std::move(result.payload), failed);
      });
  return true;
}

void Mappings::OnBatchDone(const std::string& uuid, const std::string& queue_name,
                           std::vector<std::pair<std::string, std::string>> items,
                           bool report_failures, std::string payload, bool failed) {
  Queue* queue = service_.Find(queue_name);
  if (!failed && queue != nullptr) {
    std::vector<std::string> ids;
    for (const auto& [id, receipt] : items) ids.push_back(id);
    std::vector<std::string> failures;
    if (report_failures) failures = FailedItems(payload, ids);
    std::set<std::string> keep(failures.begin(), failures.end());
    for (const auto& [id, receipt] : items) {
      if (keep.count(id) == 0) (void)service_.Delete(*queue, receipt);
    }
  }
  auto it = runners_.find(uuid);
  if (it == runners_.end()) return;
  Runner& r = *it->second;
  --r.in_flight;
  if (stopped_ || r.repoll.active()) return;
  // Not from inside the callback: an invoke that fails at once would recurse.
  r.repoll = emulator_.clock().After(std::chrono::milliseconds(0), [this, uuid] { Poll(uuid); });
}

}  // namespace stratus::triggers::queue
