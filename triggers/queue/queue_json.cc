// The AWS JSON 1.0 protocol of SQS (current SDKs).
#include "emulator/util/json.h"
#include "triggers/queue/queue_protocols.h"

namespace stratus::triggers::queue {
namespace {

constexpr char kJsonType[] = "application/x-amz-json-1.0";

http::Response JsonError(const SqsError& error, const std::string& request_id) {
  ErrorSpelling spelling = Spell(error.kind);
  nlohmann::json body = {{"__type", std::string("com.amazonaws.sqs#") + spelling.shape},
                         {"message", error.message}};
  http::Response response = http::Response::Text(spelling.http_status, DumpJson(body), kJsonType);
  response.headers.Add("x-amzn-query-error", std::string(spelling.query_code) + ";" +
                                                 (spelling.sender ? "Sender" : "Receiver"));
  response.headers.Add("x-amzn-RequestId", request_id);
  return response;
}

}  // namespace

void ServeJson(const http::Request& request, const ActionContext& context, http::Reply reply,
               const std::string& request_id) {
  std::string target(request.headers.Get("X-Amz-Target").value_or(""));
  constexpr std::string_view kPrefix = "AmazonSQS.";
  std::string action = target.compare(0, kPrefix.size(), kPrefix) == 0 ? target.substr(kPrefix.size()) : target;
  nlohmann::json input = request.body.empty()
                             ? nlohmann::json::object()
                             : nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) {
    reply.Send(JsonError(InvalidParameter("The request body is not valid JSON."), request_id));
    return;
  }
  RunAction(action, input, context, [reply, request_id](ActionResult result) {
    if (result.error) {
      reply.Send(JsonError(*result.error, request_id));
      return;
    }
    http::Response response = http::Response::Text(200, DumpJson(result.output), kJsonType);
    response.headers.Add("x-amzn-RequestId", request_id);
    reply.Send(std::move(response));
  });
}

}  // namespace stratus::triggers::queue
