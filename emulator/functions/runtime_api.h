// RuntimeApi: one function instance's Lambda Runtime API (version 2018-06-01), on its own
// loopback port, the only thing that tells instances apart (AWS's Node client opens a new
// connection per /next and no request names its function).
//
// It keeps the runtime's side of the protocol honest, as AWS's emulator does:
//   GET  /2018-06-01/runtime/invocation/next        parks until Deliver() hands an event
//   POST /2018-06-01/runtime/invocation/{id}/response   202, or 400 InvalidRequestID,
//   POST /2018-06-01/runtime/invocation/{id}/error      403 InvalidStateTransition, 413
//   POST /2018-06-01/runtime/init/error                 RequestEntityTooLarge
// Responses may be streamed (Lambda-Runtime-Function-Response-Mode: streaming, chunked, an
// error in the trailers). Threading: loop thread only; Shutdown() before destruction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/http/reply.h"
#include "emulator/http/router.h"
#include "emulator/http/server.h"

namespace stratus::functions {

// Lambda's limit on a buffered response or error body: 6 MiB + 100 bytes.
constexpr uint64_t kMaxPayloadSize = 6 * 1024 * 1024 + 100;
// A streamed response may be larger (Lambda's soft limit).
constexpr uint64_t kMaxStreamedPayloadSize = 20 * 1024 * 1024;

struct RuntimeEvent {
  std::string request_id;
  std::string payload;
  int64_t deadline_ms = 0;  // epoch milliseconds
  std::string function_arn;
  std::string trace_id;
  std::string client_context;    // JSON, or empty
  std::string cognito_identity;  // JSON, or empty
};

// What the runtime answered for one event (or at init).
struct RuntimeOutcome {
  enum class Kind { kResponse, kError, kInitError, kTooLarge };
  Kind kind = Kind::kResponse;
  std::string body;          // the response, or the error JSON
  std::string content_type;  // of a response
  std::string error_type;    // kError/kInitError: the header, else the body's errorType
  bool streamed = false;
};

class RuntimeApi {
 public:
  struct Delegate {
    virtual ~Delegate() = default;
    // The runtime asked for its first event: its init is over.
    virtual void OnFirstNext() = 0;
    // The event with `request_id` has just been handed to the runtime's /next.
    virtual void OnEventSent(const std::string& request_id) = 0;
    // The runtime answered the event with `request_id` (or failed its init).
    virtual void OnOutcome(const std::string& request_id, RuntimeOutcome outcome) = 0;
  };

  RuntimeApi(loop::Loop& loop, Clock& clock, Delegate& delegate);
  ~RuntimeApi();

  // Listens on 127.0.0.1 (ephemeral port); returns the port. Must succeed before the
  // runtime process is spawned (AWS's Node client spins if it cannot connect).
  Result<int> Listen();
  int port() const { return server_ ? server_->port() : 0; }

  // Hands `event` to the runtime: answers the parked /next, or the next one to come.
  // Only one event at a time: the previous one must have had its outcome.
  void Deliver(RuntimeEvent event);

  // Closes the listener and its connections (a parked /next is dropped); `done` runs once all
  // is closed.
  void Shutdown(std::function<void()> done);

 private:
  enum class State { kInit, kReady, kInvoking, kResponded };
  void AddRoutes();
  void Next(http::RequestPtr request, http::Reply reply);
  void PostOutcome(http::RequestPtr request, http::Reply reply, RuntimeOutcome::Kind kind);
  bool CheckInvocation(const http::RequestPtr& request, const http::Reply& reply,
                       const char* transition);
  void CollectBody(http::RequestPtr request, http::Reply reply, RuntimeOutcome outcome,
                   std::string request_id);
  void Finish(const std::string& request_id, RuntimeOutcome outcome);
  void SendEvent(http::Reply reply);

  loop::Loop& loop_;
  Clock& clock_;
  Delegate& delegate_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  State state_ = State::kInit;
  std::optional<http::Reply> parked_next_;
  std::optional<RuntimeEvent> pending_event_;  // delivered, not yet handed to a /next
  std::string current_id_;                     // of the event handed over
};

}  // namespace stratus::functions
