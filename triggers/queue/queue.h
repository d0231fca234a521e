// The queue trigger: an SQS-compatible API on the service port (JSON 1.0 and query
// protocols, queue URLs http://HOST:PORT/ACCOUNT/NAME), the project's `queues:` created at
// start, the emulator's queue sink (async destinations, S3 notifications), and event source
// mappings from `queue:` events and Lambda's EventSourceMapping API.
// Threading: loop thread only.
#pragma once

#include <memory>
#include <string>

#include "emulator/http/message.h"
#include "emulator/http/reply.h"
#include "emulator/module.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::queue {

class QueueService;
class Mappings;

class QueueTrigger : public Module {
 public:
  QueueTrigger();
  ~QueueTrigger() override;
  std::string_view name() const override { return "queue"; }

  // Migrates the tables, loads stored queues, creates or updates the project's queues,
  // adds the routes, installs the queue sink and starts the mappings. Errors: the SQLite
  // error, InvalidArgument naming a project queue or mapping SQS would refuse.
  Status Start(Emulator& emulator) override;
  void Stop() override;

  QueueService& service() { return *service_; }
  Mappings& mappings() { return *mappings_; }

 private:
  Status CreateProjectQueues();
  Status AddRoutes();
  void Serve(http::RequestPtr request, http::Reply reply);

  Emulator* emulator_ = nullptr;
  std::unique_ptr<QueueService> service_;
  std::unique_ptr<Mappings> mappings_;
};

// Whether a request on the shared service port is an SQS request: an AmazonSQS.* target, a
// SigV4 scope for "sqs", or (unsigned) a form POST / a GET with an Action parameter.
bool IsSqsRequest(const http::Request& request);

}  // namespace stratus::triggers::queue
