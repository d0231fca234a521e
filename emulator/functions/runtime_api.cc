#include "emulator/functions/runtime_api.h"

#include "emulator/util/json.h"

#include <nlohmann/json.hpp>

#include "emulator/util/base64.h"

namespace stratus::functions {

namespace {

constexpr char kBase[] = "/2018-06-01/runtime";

http::Response JsonStatus(int status, std::string_view type, std::string_view message) {
  nlohmann::json body = {{"errorMessage", message}, {"errorType", type}};
  return http::Response::Json(status, DumpJson(body));
}

http::Response Accepted() { return http::Response::Json(202, R"({"status":"OK"})"); }

std::string_view StateName(int state) {
  static constexpr std::string_view kNames[] = {"Init", "Ready", "Invoking", "Responded"};
  return kNames[state];
}

// The error type from the header, else from the body's errorType, else "Unhandled".
std::string ErrorType(const http::Request& request, const std::string& body) {
  if (auto header = request.headers.Get("Lambda-Runtime-Function-Error-Type");
      header && !header->empty()) {
    return std::string(*header);
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("errorType") && json["errorType"].is_string()) {
    return json["errorType"].get<std::string>();
  }
  return "Unhandled";
}

// Answers `response` once the request's body has been read and dropped: a reply sent before
// the body ended makes the server close the connection, and a runtime refused for posting to
// the wrong invocation should keep its kept-alive connection, as it does with Lambda.
void RefuseAfterBody(const http::RequestPtr& request, const http::Reply& reply,
                     http::Response response) {
  http::BodyStream* stream = request->body_stream.get();
  if (stream == nullptr || stream->ended()) {
    reply.Send(std::move(response));
    return;
  }
  stream->OnData([](std::string_view) {});
  stream->OnEnd([reply, response = std::move(response)](Status) mutable {
    reply.Send(std::move(response));  // harmless if the runtime went away meanwhile
  });
}

}  // namespace

RuntimeApi::RuntimeApi(loop::Loop& loop, Clock& clock, Delegate& delegate)
    : loop_(loop), clock_(clock), delegate_(delegate) {
  AddRoutes();
}

RuntimeApi::~RuntimeApi() = default;

void RuntimeApi::AddRoutes() {
  std::string base = kBase;
  // Bodies are read by the handlers themselves, so that the limit answers with AWS's 413.
  http::RouteOptions streaming;
  streaming.streaming_body = true;
  streaming.body_limit = UINT64_MAX;
  auto add = [&](const char* method, const std::string& path, http::Handler handler,
                 http::RouteOptions options) {
    [[maybe_unused]] Status s = router_.Add(method, path, std::move(handler), options);
  };
  add("GET", base + "/invocation/next",
      [this](http::RequestPtr r, http::Reply reply) { Next(std::move(r), std::move(reply)); }, {});
  add("POST", base + "/invocation/{id}/response", [this](http::RequestPtr r, http::Reply reply) {
    PostOutcome(std::move(r), std::move(reply), RuntimeOutcome::Kind::kResponse);
  }, streaming);
  add("POST", base + "/invocation/{id}/error", [this](http::RequestPtr r, http::Reply reply) {
    PostOutcome(std::move(r), std::move(reply), RuntimeOutcome::Kind::kError);
  }, streaming);
  add("POST", base + "/init/error", [this](http::RequestPtr r, http::Reply reply) {
    PostOutcome(std::move(r), std::move(reply), RuntimeOutcome::Kind::kInitError);
  }, streaming);
}

Result<int> RuntimeApi::Listen() {
  http::ServerLimits limits;
  // A runtime may wait minutes between invocations on a kept-alive connection.
  limits.idle_timeout = std::chrono::hours(24);
  server_ = std::make_unique<http::Server>(loop_, clock_, router_, limits);
  return server_->Listen("127.0.0.1", 0);
}

void RuntimeApi::Next(http::RequestPtr, http::Reply reply) {
  if (state_ == State::kInvoking) {
    reply.Send(JsonStatus(403, "InvalidStateTransition",
                          "State transition from Invoking to Ready failed for runtime. Error: "
                          "the current invocation has no response yet"));
    return;
  }
  bool first = state_ == State::kInit;
  state_ = State::kReady;
  parked_next_ = std::move(reply);  // a runtime that reconnected replaces its old poll
  if (pending_event_) {
    SendEvent(std::move(*parked_next_));
    parked_next_.reset();
  }
  if (first) delegate_.OnFirstNext();  // may Deliver() at once
}

void RuntimeApi::Deliver(RuntimeEvent event) {
  pending_event_ = std::move(event);
  if (parked_next_ && state_ == State::kReady) {
    http::Reply reply = std::move(*parked_next_);
    parked_next_.reset();
    SendEvent(std::move(reply));
  }
}

void RuntimeApi::SendEvent(http::Reply reply) {
  RuntimeEvent event = std::move(*pending_event_);
  pending_event_.reset();
  state_ = State::kInvoking;
  current_id_ = event.request_id;
  delegate_.OnEventSent(event.request_id);
  // AWS's Node client crashes on a /next without Content-Type (runtime-api.md §5).
  http::Response response = http::Response::Json(200, std::move(event.payload));
  auto& h = response.headers;
  h.Add("Lambda-Runtime-Aws-Request-Id", event.request_id);
  h.Add("Lambda-Runtime-Deadline-Ms", std::to_string(event.deadline_ms));
  h.Add("Lambda-Runtime-Invoked-Function-Arn", event.function_arn);
  h.Add("Lambda-Runtime-Trace-Id", event.trace_id);
  if (!event.client_context.empty()) h.Add("Lambda-Runtime-Client-Context", event.client_context);
  if (!event.cognito_identity.empty()) {
    h.Add("Lambda-Runtime-Cognito-Identity", event.cognito_identity);
  }
  reply.Send(std::move(response));
}

bool RuntimeApi::CheckInvocation(const http::RequestPtr& request, const http::Reply& reply,
                                 const char* transition) {
  if (state_ != State::kInvoking) {
    RefuseAfterBody(request, reply,
                    JsonStatus(403, "InvalidStateTransition",
                               "State transition from " +
                                   std::string(StateName(static_cast<int>(state_))) + " to " +
                                   transition + " failed for runtime. Error: no invocation is open"));
    return false;
  }
  auto id = request->params.find("id");
  if (id == request->params.end() || id->second != current_id_) {
    RefuseAfterBody(request, reply, JsonStatus(400, "InvalidRequestID", "Invalid request ID"));
    return false;
  }
  return true;
}

void RuntimeApi::PostOutcome(http::RequestPtr request, http::Reply reply,
                             RuntimeOutcome::Kind kind) {
  RuntimeOutcome outcome;
  outcome.kind = kind;
  std::string request_id;
  if (kind == RuntimeOutcome::Kind::kInitError) {
    if (state_ != State::kInit) {
      RefuseAfterBody(request, reply,
                      JsonStatus(403, "InvalidStateTransition",
                                 "State transition from " +
                                     std::string(StateName(static_cast<int>(state_))) +
                                     " to InitError failed for runtime. Error: init is over"));
      return;
    }
  } else {
    if (!CheckInvocation(request, reply,
                         kind == RuntimeOutcome::Kind::kResponse ? "InvocationResponse"
                                                                 : "InvocationErrorResponse")) {
      return;
    }
    request_id = current_id_;
  }
  if (kind == RuntimeOutcome::Kind::kResponse) {
    auto mode = request->headers.Get("Lambda-Runtime-Function-Response-Mode");
    if (mode && *mode != "streaming") {
      RefuseAfterBody(request, reply,
                      JsonStatus(400, "InvalidFunctionResponseMode",
                                 "Invalid function response mode"));
      outcome.kind = RuntimeOutcome::Kind::kError;
      outcome.error_type = "Runtime.InvalidResponseModeHeader";
      outcome.body = R"({"errorType":"Runtime.InvalidResponseModeHeader","errorMessage":)"
                     R"("Invalid function response mode"})";
      Finish(request_id, std::move(outcome));
      return;
    }
    outcome.streamed = mode.has_value();
    outcome.content_type = std::string(request->headers.Get("Content-Type").value_or(""));
  }
  CollectBody(std::move(request), std::move(reply), std::move(outcome), std::move(request_id));
}

// Reads the body as it streams in, answering 413 as soon as it passes Lambda's limit.
void RuntimeApi::CollectBody(http::RequestPtr request, http::Reply reply, RuntimeOutcome outcome,
                             std::string request_id) {
  struct Collected {
    std::string body;
    bool over = false;
  };
  auto collected = std::make_shared<Collected>();
  uint64_t limit = outcome.streamed ? kMaxStreamedPayloadSize : kMaxPayloadSize;
  http::BodyStream* stream = request->body_stream.get();
  stream->OnData([this, collected, limit, reply, request_id](std::string_view chunk) {
    if (collected->over) return;
    if (collected->body.size() + chunk.size() > limit) {
      collected->over = true;
      collected->body.clear();
      // Answering before the body ended ends the stream, which destroys this very closure:
      // everything needed afterwards is copied out first, and nothing captured is touched
      // once Send has run.
      RuntimeApi* self = this;
      std::string id = request_id;
      http::Reply answer = reply;
      RuntimeOutcome too_large;
      too_large.kind = RuntimeOutcome::Kind::kTooLarge;
      self->Finish(id, std::move(too_large));
      answer.Send(JsonStatus(413, "RequestEntityTooLarge",
                             "Exceeded maximum allowed payload size (" + std::to_string(limit) +
                                 " bytes)."));
      return;
    }
    collected->body.append(chunk);
  });
  stream->OnEnd([this, collected, reply, request, request_id,
                 outcome = std::move(outcome)](Status status) mutable {
    // A runtime that dies mid-post is noticed by its instance when the process exits.
    if (collected->over || !status.ok()) return;
    outcome.body = std::move(collected->body);
    const http::Headers& trailers = request->body_stream->trailers();
    if (auto type = trailers.Get("Lambda-Runtime-Function-Error-Type"); type && outcome.streamed) {
      outcome.kind = RuntimeOutcome::Kind::kError;
      outcome.error_type = std::string(*type);
      auto body = trailers.Get("Lambda-Runtime-Function-Error-Body");
      auto decoded = body ? Base64Decode(*body) : std::nullopt;
      outcome.body = decoded ? *decoded : "";
    } else if (outcome.kind != RuntimeOutcome::Kind::kResponse) {
      outcome.error_type = ErrorType(*request, outcome.body);
    }
    reply.Send(Accepted());
    Finish(request_id, std::move(outcome));
  });
}

void RuntimeApi::Finish(const std::string& request_id, RuntimeOutcome outcome) {
  if (outcome.kind != RuntimeOutcome::Kind::kInitError) state_ = State::kResponded;
  delegate_.OnOutcome(request_id, std::move(outcome));
}

void RuntimeApi::Shutdown(std::function<void()> done) {
  parked_next_.reset();
  pending_event_.reset();
  if (!server_) {
    done();
    return;
  }
  server_->Shutdown(std::chrono::seconds(0), std::move(done));
}

}  // namespace stratus::functions
