// The queue trigger's lifecycle: tables, project queues, routes, the queue sink, mappings.
#include "triggers/queue/queue.h"

#include <algorithm>

#include "emulator/emulator.h"
#include "emulator/http/aws_request.h"
#include "emulator/util/log.h"
#include "triggers/queue/queue_mappings.h"
#include "triggers/queue/queue_message_format.h"
#include "triggers/queue/queue_protocols.h"
#include "triggers/queue/queue_service.h"
#include "triggers/queue/queue_store.h"

namespace stratus::triggers::queue {
namespace {

std::string Where(const config::ProjectConfig& project, const config::Position& at) {
  return project.file + ":" + std::to_string(std::max(at.line, 1)) + ":" +
         std::to_string(std::max(at.column, 1)) + ": ";
}

AttributeMap ProjectAttributes(const config::QueueConfig& q, const QueueService& service) {
  AttributeMap attributes = {
      {"VisibilityTimeout", std::to_string(q.visibility_timeout.count())},
      {"DelaySeconds", std::to_string(q.delay.count())},
      {"MessageRetentionPeriod", std::to_string(q.retention.count())},
  };
  if (q.fifo) {
    attributes["FifoQueue"] = "true";
    attributes["ContentBasedDeduplication"] = q.content_based_dedup ? "true" : "false";
  }
  if (q.dead_letter) {
    attributes["RedrivePolicy"] = "{\"deadLetterTargetArn\":\"" + service.Arn(q.dead_letter->queue) +
                                  "\",\"maxReceiveCount\":" +
                                  std::to_string(q.dead_letter->max_receives) + "}";
  }
  return attributes;
}

}  // namespace

bool IsSqsRequest(const http::Request& request) {
  if (auto target = request.headers.Get("X-Amz-Target")) {
    return target->substr(0, 10) == "AmazonSQS.";
  }
  http::CredentialScope scope = http::SigningScope(request);
  if (!scope.service.empty()) return scope.service == "sqs";
  if (request.method == "POST") {
    auto type = request.headers.Get("Content-Type").value_or("");
    return type.substr(0, 33) == "application/x-www-form-urlencoded";
  }
  if (request.method == "GET") {
    return request.query.compare(0, 7, "Action=") == 0 ||
           request.query.find("&Action=") != std::string::npos;
  }
  return false;
}

QueueTrigger::QueueTrigger() = default;
QueueTrigger::~QueueTrigger() = default;

Status QueueTrigger::Start(Emulator& emulator) {
  emulator_ = &emulator;
  const auto& project = emulator.project();
  STRATUS_RETURN_IF_ERROR(emulator.db().Migrate("queue", StoreMigrations()));
  service_ = std::make_unique<QueueService>(emulator.clock(), emulator.random(), emulator.db(),
                                            project.region, project.account);
  STRATUS_RETURN_IF_ERROR(service_->Load());
  STRATUS_RETURN_IF_ERROR(CreateProjectQueues());
  STRATUS_RETURN_IF_ERROR(AddRoutes());
  emulator.SetQueueSink([this](const std::string& name, const std::string& body) -> Status {
    Queue* queue = service_->Find(name);
    if (queue == nullptr) return Status::NotFound("queue " + name + " does not exist");
    if (queue->fifo) return Status::InvalidArgument("queue " + name + " is a FIFO queue");
    if (body.empty() || !ValidMessageText(body) ||
        body.size() > static_cast<size_t>(queue->settings.max_message_size)) {
      return Status::InvalidArgument("the message is not one queue " + name + " accepts");
    }
    SendInput input;
    input.body = body;
    SendOutput out;
    if (auto error = service_->Send(*queue, std::move(input), &out)) {
      return Status::InvalidArgument(error->message);
    }
    return Status::Ok();
  });
  mappings_ = std::make_unique<Mappings>(emulator, *service_);
  return mappings_->Start();
}

void QueueTrigger::Stop() {
  if (mappings_) mappings_->Stop();
  if (service_) service_->Stop();
}

// Dead-letter queues first, so that redrive policies find their targets; a queue that
// exists already takes the project's attributes (the project file is authoritative).
Status QueueTrigger::CreateProjectQueues() {
  const auto& project = emulator_->project();
  std::vector<const config::QueueConfig*> order;
  for (const auto& [name, q] : project.queues) {
    if (!q.dead_letter) order.push_back(&q);
  }
  for (const auto& [name, q] : project.queues) {
    if (q.dead_letter) order.push_back(&q);
  }
  for (const config::QueueConfig* q : order) {
    AttributeMap attributes = ProjectAttributes(*q, *service_);
    Error error;
    if (Queue* existing = service_->Find(q->name)) {
      attributes.erase("FifoQueue");
      error = service_->SetAttributes(*existing, attributes);
    } else {
      error = service_->CreateQueue(q->name, attributes, {});
    }
    if (error) {
      return Status::InvalidArgument(Where(project, q->position) + "queue '" + q->name + "': " +
                                     error->message);
    }
    log::Info("queue: " + q->name + (q->fifo ? " (FIFO)" : ""));
  }
  return Status::Ok();
}

Status QueueTrigger::AddRoutes() {
  http::RouteOptions options;
  // Room for a 256 KiB message or batch after form or base64 encoding; sizes are checked
  // by the actions, in SQS's own error shape.
  options.body_limit = 4 * 1024 * 1024;
  options.guard = IsSqsRequest;
  auto handler = [this](http::RequestPtr request, http::Reply reply) {
    Serve(std::move(request), std::move(reply));
  };
  http::Router& router = emulator_->service_router();
  for (const char* method : {"POST", "GET"}) {
    for (const char* pattern : {"/", "/{account}/{queue}"}) {
      STRATUS_RETURN_IF_ERROR(router.Add(method, pattern, handler, options));
    }
  }
  return Status::Ok();
}

void QueueTrigger::Serve(http::RequestPtr request, http::Reply reply) {
  ActionContext context;
  context.service = service_.get();
  context.host = std::string(request->headers.Get("Host").value_or(""));
  if (context.host.empty()) context.host = "127.0.0.1:" + std::to_string(emulator_->service_port());
  auto queue = request->params.find("queue");
  if (queue != request->params.end()) context.path_queue = queue->second;
  std::string request_id = emulator_->random().Uuid();
  if (request->headers.Has("X-Amz-Target")) {
    ServeJson(*request, context, std::move(reply), request_id);
  } else {
    ServeQuery(*request, context, std::move(reply), request_id);
  }
}

}  // namespace stratus::triggers::queue
