#include "emulator/harness/steps.h"

#include "emulator/functions/invoker.h"
#include "emulator/util/clock.h"
#include "emulator/util/escape.h"
#include "emulator/util/json.h"
#include "emulator/util/time_format.h"

namespace stratus::harness {

namespace {

using nlohmann::json;

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (http::EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

// A SigV4-shaped Authorization header: the services tell S3 from SQS requests by its
// credential scope. The signature is not computed: stratus accepts any by default.
std::string Authorization(const StepContext& c, const std::string& service) {
  return "AWS4-HMAC-SHA256 Credential=test/20200101/" + c.region + "/" + service +
         "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + std::string(64, '0');
}

Result<HttpResult> Send(StepContext& c, int port, HttpExchange request) {
  return SendHttp(port, request, c.options.request_timeout);
}

Result<HttpResult> RunHttp(StepContext& c, const Step& step) {
  HttpExchange request;
  request.method = step.method;
  request.target = step.path;
  request.headers = step.headers;
  if (step.body) {
    request.body = *step.body;
    if (!HasHeader(request.headers, "content-type") && json::accept(request.body)) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
  }
  return Send(c, c.host.gateway_port(), std::move(request));
}

// The Invoke API's status for a call that never reached the function.
int InvokeStatus(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kResourceExhausted: return 429;
    case Status::Code::kInvalidArgument: return 400;
    default: return 500;
  }
}

Result<HttpResult> RunInvoke(StepContext& c, const Step& step) {
  functions::InvokeRequest request;
  request.payload = step.event;
  request.type = step.async ? functions::InvocationType::kEvent
                            : functions::InvocationType::kRequestResponse;
  request.source = "test";
  std::string function = step.function;
  auto result = c.host.Await<functions::InvokeResult>(
      [&](Emulator& e, std::function<void(functions::InvokeResult)> done) {
        e.invoker().Invoke(function, std::move(request), std::move(done));
      });
  HttpResult response;
  if (!result.status.ok()) {
    response.status = InvokeStatus(result.status);
    response.body = DumpJson({{"Type", "User"}, {"message", result.status.message()}});
    return response;
  }
  response.status = step.async ? 202 : 200;
  response.headers.emplace_back("x-amz-request-id", result.request_id);
  if (result.function_error) response.headers.emplace_back("x-amz-function-error", "Unhandled");
  response.headers.emplace_back("content-type", result.content_type);
  response.body = result.payload;
  return response;
}

std::string ObjectTarget(const Step& step) {
  return "/" + PercentEncode(step.bucket, false) + "/" + PercentEncode(step.key, true);
}

Result<HttpResult> RunObject(StepContext& c, const Step& step, const std::string& method) {
  HttpExchange request;
  request.method = method;
  request.target = ObjectTarget(step);
  request.headers = {{"Authorization", Authorization(c, "s3")},
                     {"X-Amz-Date", "20200101T000000Z"},
                     {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"}};
  if (step.body) request.body = *step.body;
  return Send(c, c.host.service_port(), std::move(request));
}

Result<HttpResult> RunSend(StepContext& c, const Step& step) {
  json body = {{"QueueUrl", QueueUrl(c, step.queue)}, {"MessageBody", *step.body}};
  if (step.delay_seconds) body["DelaySeconds"] = step.delay_seconds;
  return CallSqs(c, "SendMessage", body);
}

Result<HttpResult> RunReceive(StepContext& c, const Step& step) {
  return CallSqs(c, "ReceiveMessage",
                 {{"QueueUrl", QueueUrl(c, step.queue)},
                  {"MaxNumberOfMessages", step.max_messages},
                  {"WaitTimeSeconds", 0},
                  {"AttributeNames", {"All"}},
                  {"MessageAttributeNames", {"All"}}});
}

std::optional<StepError> RunAdvance(StepContext& c, const Step& step) {
  bool advanced = c.host.Run([&](Emulator& e) {
    auto* clock = dynamic_cast<VirtualClock*>(&e.clock());
    if (clock == nullptr) return false;
    clock->Advance(step.duration);
    return true;
  });
  if (advanced) return std::nullopt;
  return StepError{"'advance' needs the virtual clock, and this file sets 'clock: real'", ""};
}

// Depth of one queue, from GetQueueAttributes.
Result<int64_t> QueueDepth(StepContext& c, const std::string& queue) {
  auto response = CallSqs(c, "GetQueueAttributes",
                          {{"QueueUrl", QueueUrl(c, queue)},
                           {"AttributeNames", {"ApproximateNumberOfMessages"}}});
  if (!response.ok()) return response.status();
  auto body = json::parse(response->body, nullptr, false);
  if (response->status != 200) {
    return Status::FailedPrecondition("GetQueueAttributes on '" + queue + "' answered " +
                                      std::to_string(response->status) + ": " + response->body);
  }
  if (body.is_discarded() || !body.contains("Attributes") ||
      !body["Attributes"].contains("ApproximateNumberOfMessages")) {
    return Status::Internal("GetQueueAttributes answered without a depth: " + response->body);
  }
  return std::stoll(body["Attributes"]["ApproximateNumberOfMessages"].get<std::string>());
}

std::optional<StepError> CheckQueue(StepContext& c, const Step& step) {
  auto check = [&](const std::string& queue, int64_t want, const char* what) -> std::optional<StepError> {
    auto depth = QueueDepth(c, queue);
    if (!depth.ok()) return StepError{depth.status().message(), ""};
    if (*depth == want) return std::nullopt;
    return StepError{std::string(what) + " of '" + queue + "': expected " + std::to_string(want) +
                         ", got " + std::to_string(*depth),
                     ""};
  };
  if (step.depth) {
    if (auto error = check(step.queue, *step.depth, "depth")) return error;
  }
  if (step.dlq_depth) {
    auto dlq = c.dead_letters.find(step.queue);
    if (dlq == c.dead_letters.end()) {
      return StepError{"queue '" + step.queue + "' has no dead_letter queue in the project", ""};
    }
    if (auto error = check(dlq->second, *step.dlq_depth, "DLQ depth")) return error;
  }
  return std::nullopt;
}

std::optional<StepError> CheckObject(StepContext& c, const Step& step) {
  auto response = RunObject(c, step, "GET");
  if (!response.ok()) return StepError{response.status().message(), ""};
  bool want_exists = step.exists.value_or(true);
  bool exists = response->status == 200;
  std::string where = "s3://" + step.bucket + "/" + step.key;
  if (!exists && response->status != 404) {
    return StepError{"GET " + where + " answered " + std::to_string(response->status) + ": " +
                         response->body, ""};
  }
  if (exists != want_exists) {
    return StepError{where + (want_exists ? " does not exist" : " exists, and should not"), ""};
  }
  if (exists && step.body) {
    ResponseExpectation body_only;
    body_only.body = json(*step.body);
    return CheckResponse(body_only, *response);
  }
  return std::nullopt;
}

}  // namespace

std::string QueueUrl(const StepContext& c, const std::string& queue) {
  return "http://127.0.0.1:" + std::to_string(c.host.service_port()) + "/" + c.account + "/" +
         queue;
}

Result<HttpResult> CallSqs(StepContext& c, const std::string& action, const json& body) {
  HttpExchange request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "AmazonSQS." + action},
                     {"Authorization", Authorization(c, "sqs")},
                     {"X-Amz-Date", "20200101T000000Z"}};
  request.body = DumpJson(body);
  return Send(c, c.host.service_port(), std::move(request));
}

std::optional<StepError> RunStep(StepContext& c, const Step& step) {
  Result<HttpResult> response = Status::Internal("no response");
  switch (step.kind) {
    case StepKind::kHttp: response = RunHttp(c, step); break;
    case StepKind::kInvoke: response = RunInvoke(c, step); break;
    case StepKind::kPutObject: response = RunObject(c, step, "PUT"); break;
    case StepKind::kGetObject: response = RunObject(c, step, "GET"); break;
    case StepKind::kSendMessage: response = RunSend(c, step); break;
    case StepKind::kReceiveMessage: response = RunReceive(c, step); break;
    case StepKind::kAdvance: return RunAdvance(c, step);
    case StepKind::kWait: return WaitInvocations(c, step);
    case StepKind::kExpectInvocations: return CheckInvocations(c, step);
    case StepKind::kExpectObject: return CheckObject(c, step);
    case StepKind::kExpectQueue: return CheckQueue(c, step);
    case StepKind::kExpectLogs: return CheckLogs(c, step);
    case StepKind::kExpectCost: return CheckCost(c, step);
  }
  if (!response.ok()) return StepError{response.status().message(), ""};
  if (step.expect) return CheckResponse(*step.expect, *response);
  // Without an expectation a step still must not fail outright.
  if (response->status >= 400) {
    return StepError{"answered " + std::to_string(response->status) + " (add 'expect: {status: " +
                         std::to_string(response->status) + "}' if that is intended): " +
                         response->body.substr(0, 500),
                     ""};
  }
  if (!response->Header("x-amz-function-error").empty()) {
    return StepError{"the function failed (add an 'expect:' if that is intended): " +
                         response->body.substr(0, 500), ""};
  }
  return std::nullopt;
}

}  // namespace stratus::harness
