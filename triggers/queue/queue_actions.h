// The SQS actions, written once against the JSON protocol's shapes: each takes the request
// as JSON (the query protocol's form is converted to the same shape first) and answers with
// the response JSON or an SqsError. Answers come after the action's changes are committed.
// Threading: loop thread only.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "triggers/queue/queue_errors.h"

namespace stratus::triggers::queue {

class QueueService;

struct ActionResult {
  nlohmann::json output = nlohmann::json::object();
  std::optional<SqsError> error;
};
using ActionDone = std::function<void(ActionResult)>;

struct ActionContext {
  QueueService* service = nullptr;
  std::string host;        // "HOST:PORT" for queue URLs: the request's Host header
  std::string path_queue;  // the queue named by the request path (query protocol), if any
};

// Runs `action` ("SendMessage", ...); `done` runs exactly once (InvalidAction for an unknown
// action name).
void RunAction(const std::string& action, const nlohmann::json& input, const ActionContext& context,
               ActionDone done);

// Internal helpers shared by the action files (queue_actions.cc, queue_message_actions.cc).
namespace detail {
using Handler = void (*)(const nlohmann::json& input, const ActionContext& context, ActionDone done);
// Reads a string member; absent is "", a non-string is an InvalidParameterValue.
std::optional<SqsError> GetString(const nlohmann::json& input, const char* key, std::string* out,
                                  bool required = false);
// Reads an integer member given as a number or a decimal string; nullopt when absent.
std::optional<SqsError> GetInt(const nlohmann::json& input, const char* key,
                               std::optional<int>* out);
// Finds the queue named by QueueUrl (or the request path); QueueDoesNotExist otherwise.
std::optional<SqsError> ResolveQueue(const nlohmann::json& input, const ActionContext& context,
                                     std::string* name);
// Answers after everything changed so far is committed.
void Answer(const ActionContext& context, ActionResult result, ActionDone done);
void Fail(ActionDone& done, SqsError error);

// Fails the action with the error of `expr`, if any, and returns.
#define STRATUS_SQS_CHECK(expr)                \
  do {                                         \
    if (auto error_ = (expr)) {                \
      ::stratus::triggers::queue::detail::Fail(done, std::move(*error_)); \
      return;                                  \
    }                                          \
  } while (false)

void SendMessage(const nlohmann::json&, const ActionContext&, ActionDone);
void SendMessageBatch(const nlohmann::json&, const ActionContext&, ActionDone);
void ReceiveMessage(const nlohmann::json&, const ActionContext&, ActionDone);
void DeleteMessage(const nlohmann::json&, const ActionContext&, ActionDone);
void DeleteMessageBatch(const nlohmann::json&, const ActionContext&, ActionDone);
void ChangeMessageVisibility(const nlohmann::json&, const ActionContext&, ActionDone);
void ChangeMessageVisibilityBatch(const nlohmann::json&, const ActionContext&, ActionDone);
}  // namespace detail

}  // namespace stratus::triggers::queue
