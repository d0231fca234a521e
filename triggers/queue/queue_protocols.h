// The two wire protocols SQS clients speak, both over the same actions (queue_actions.h):
//   AWS JSON 1.0: POST, X-Amz-Target: AmazonSQS.<Action>, JSON in and out; errors as
//     {"__type": "com.amazonaws.sqs#<Shape>", "message": ...} plus x-amzn-query-error.
//   Query: Action=<Action> and flattened parameters, form-encoded in a POST body or in the
//     query string; XML answers; errors as <ErrorResponse> with the legacy codes.
// Threading: loop thread only.
#pragma once

#include <string>

#include "emulator/http/message.h"
#include "emulator/http/reply.h"
#include "triggers/queue/queue_actions.h"

namespace stratus::triggers::queue {

void ServeJson(const http::Request& request, const ActionContext& context, http::Reply reply,
               const std::string& request_id);
void ServeQuery(const http::Request& request, const ActionContext& context, http::Reply reply,
                const std::string& request_id);

// Query protocol helpers, exposed for tests.
// The form's pairs in the JSON shape of `action`'s request (flattened lists and maps gathered).
nlohmann::json QueryToJson(const std::string& action,
                           const std::vector<std::pair<std::string, std::string>>& pairs);
// `action`'s response JSON as the query protocol's XML document.
std::string JsonToXml(const std::string& action, const nlohmann::json& output,
                      const std::string& request_id);
// application/x-www-form-urlencoded pairs ('+' is a space); false for a malformed escape.
bool ParseForm(std::string_view text, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace stratus::triggers::queue
