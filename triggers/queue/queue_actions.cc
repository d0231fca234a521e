// The action table and the queue-level actions (create, find, list, delete, attributes,
// purge, dead-letter sources, tags).
#include "triggers/queue/queue_actions.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "emulator/util/base64.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {
namespace detail {

using nlohmann::json;

std::optional<SqsError> GetString(const json& input, const char* key, std::string* out,
                                  bool required) {
  auto it = input.find(key);
  if (it == input.end() || it->is_null()) {
    out->clear();
    if (required) return MissingParameter(key);
    return std::nullopt;
  }
  if (!it->is_string()) {
    return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<SqsError> GetInt(const json& input, const char* key, std::optional<int>* out) {
  auto it = input.find(key);
  out->reset();
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) {
    int64_t value = it->get<int64_t>();
    if (value >= INT32_MIN && value <= INT32_MAX) {
      *out = static_cast<int>(value);
      return std::nullopt;
    }
  } else if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      *out = value;
      return std::nullopt;
    }
  }
  return InvalidParameter("Value " + it->dump() + " for parameter " + key + " is invalid.");
}

std::optional<SqsError> ResolveQueue(const json& input, const ActionContext& context,
                                     std::string* name) {
  std::string url;
  if (auto error = GetString(input, "QueueUrl", &url)) return error;
  if (url.empty()) {
    if (context.path_queue.empty()) return MissingParameter("QueueUrl");
    *name = context.path_queue;
  } else {
    // http://host:port/ACCOUNT/NAME, or a path alone; the queue is the last segment.
    size_t scheme = url.find("://");
    size_t path_at = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
    std::string path = path_at == std::string::npos ? "" : url.substr(path_at);
    while (!path.empty() && path.back() == '/') path.pop_back();
    *name = path.substr(path.rfind('/') + 1);
  }
  if (context.service->Find(*name) == nullptr) return NoSuchQueue();
  return std::nullopt;
}

void Answer(const ActionContext& context, ActionResult result, ActionDone done) {
  context.service->AfterCommit(
      [result = std::move(result), done = std::move(done)](Status status) mutable {
        if (!status.ok() && !result.error) {
          result.error = SqsError{ErrorKind::kInternalError, status.message()};
        }
        done(std::move(result));
      });
}

void Fail(ActionDone& done, SqsError error) {
  ActionResult result;
  result.error = std::move(error);
  done(std::move(result));
}

namespace {

std::string QueueUrl(const ActionContext& context, const std::string& name) {
  return "http://" + context.host + "/" + context.service->account() + "/" + name;
}

// A JSON object of strings, e.g. Attributes or tags; InvalidParameterValue otherwise.
std::optional<SqsError> GetStringMap(const json& input, const char* key,
                                     std::map<std::string, std::string>* out) {
  auto it = input.find(key);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
    (*out)[k] = v.get<std::string>();
  }
  return std::nullopt;
}

std::optional<SqsError> GetStringList(const json& input, const char* key,
                                      std::vector<std::string>* out) {
  auto it = input.find(key);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
  for (const auto& v : *it) {
    if (!v.is_string()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
    out->push_back(v.get<std::string>());
  }
  return std::nullopt;
}

void CreateQueue(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  std::map<std::string, std::string> attributes, tags;
  STRATUS_SQS_CHECK(GetString(input, "QueueName", &name, true));
  STRATUS_SQS_CHECK(GetStringMap(input, "Attributes", &attributes));
  STRATUS_SQS_CHECK(GetStringMap(input, "tags", &tags));
  STRATUS_SQS_CHECK(context.service->CreateQueue(name, attributes, tags));
  ActionResult result;
  result.output["QueueUrl"] = QueueUrl(context, name);
  Answer(context, std::move(result), std::move(done));
}

void GetQueueUrl(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(GetString(input, "QueueName", &name, true));
  if (context.service->Find(name) == nullptr) return Fail(done, NoSuchQueue());
  ActionResult result;
  result.output["QueueUrl"] = QueueUrl(context, name);
  Answer(context, std::move(result), std::move(done));
}

// One page of names: `key` names the JSON list ("QueueUrls", or "queueUrls" for dead-letter
// sources); the token is the base64 of the last name given.
void ListPage(const std::vector<std::string>& names, const json& input, const char* key,
              const ActionContext& context, ActionDone done) {
  std::optional<int> max;
  std::string token, after;
  STRATUS_SQS_CHECK(GetInt(input, "MaxResults", &max));
  STRATUS_SQS_CHECK(GetString(input, "NextToken", &token));
  if (max && (*max < 1 || *max > 1000)) {
    return Fail(done, InvalidParameter("Value " + std::to_string(*max) + " for parameter "
                                       "MaxResults is invalid. Reason: must be between 1 and 1000."));
  }
  if (!token.empty()) {
    auto decoded = Base64Decode(token);
    if (!decoded) return Fail(done, InvalidParameter("Invalid NextToken value."));
    after = *decoded;
  }
  ActionResult result;
  json urls = json::array();
  size_t limit = max ? static_cast<size_t>(*max) : 1000;
  std::string last;
  bool more = false;
  for (const auto& name : names) {
    if (!after.empty() && name <= after) continue;
    if (urls.size() == limit) {
      more = true;
      break;
    }
    urls.push_back(QueueUrl(context, name));
    last = name;
  }
  if (!urls.empty()) result.output[key] = urls;
  if (more && max) result.output["NextToken"] = Base64Encode(last);
  Answer(context, std::move(result), std::move(done));
}

void ListQueues(const json& input, const ActionContext& context, ActionDone done) {
  std::string prefix;
  STRATUS_SQS_CHECK(GetString(input, "QueueNamePrefix", &prefix));
  std::vector<std::string> names;
  for (const auto& name : context.service->QueueNames()) {
    if (name.compare(0, prefix.size(), prefix) == 0) names.push_back(name);
  }
  ListPage(names, input, "QueueUrls", context, std::move(done));
}

void ListDeadLetterSourceQueues(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  ActionResult result;
  ListPage(context.service->DeadLetterSources(name), input, "queueUrls", context, std::move(done));
}

void DeleteQueue(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(context.service->DeleteQueue(name));
  Answer(context, {}, std::move(done));
}

void GetQueueAttributes(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  std::vector<std::string> names;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(GetStringList(input, "AttributeNames", &names));
  AttributeMap attributes;
  STRATUS_SQS_CHECK(context.service->GetAttributes(*context.service->Find(name), names, &attributes));
  ActionResult result;
  if (!attributes.empty()) result.output["Attributes"] = attributes;
  Answer(context, std::move(result), std::move(done));
}

void SetQueueAttributes(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  std::map<std::string, std::string> attributes;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  if (!input.contains("Attributes")) return Fail(done, MissingParameter("Attributes"));
  STRATUS_SQS_CHECK(GetStringMap(input, "Attributes", &attributes));
  STRATUS_SQS_CHECK(context.service->SetAttributes(*context.service->Find(name), attributes));
  Answer(context, {}, std::move(done));
}

void PurgeQueue(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(context.service->Purge(*context.service->Find(name)));
  Answer(context, {}, std::move(done));
}

void TagQueue(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  std::map<std::string, std::string> tags;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(GetStringMap(input, "Tags", &tags));
  if (tags.empty()) return Fail(done, MissingParameter("Tags"));
  context.service->SetTags(*context.service->Find(name), tags);
  Answer(context, {}, std::move(done));
}

void UntagQueue(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  std::vector<std::string> keys;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(GetStringList(input, "TagKeys", &keys));
  if (keys.empty()) return Fail(done, MissingParameter("TagKeys"));
  context.service->RemoveTags(*context.service->Find(name), keys);
  Answer(context, {}, std::move(done));
}

void ListQueueTags(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  ActionResult result;
  const auto& tags = context.service->Find(name)->tags;
  if (!tags.empty()) result.output["Tags"] = tags;
  Answer(context, std::move(result), std::move(done));
}

const std::map<std::string, Handler>& Actions() {
  static const std::map<std::string, Handler> actions = {
      {"CreateQueue", CreateQueue},
      {"GetQueueUrl", GetQueueUrl},
      {"ListQueues", ListQueues},
      {"DeleteQueue", DeleteQueue},
      {"GetQueueAttributes", GetQueueAttributes},
      {"SetQueueAttributes", SetQueueAttributes},
      {"PurgeQueue", PurgeQueue},
      {"ListDeadLetterSourceQueues", ListDeadLetterSourceQueues},
      {"TagQueue", TagQueue},
      {"UntagQueue", UntagQueue},
      {"ListQueueTags", ListQueueTags},
      {"SendMessage", SendMessage},
      {"SendMessageBatch", SendMessageBatch},
      {"ReceiveMessage", ReceiveMessage},
      {"DeleteMessage", DeleteMessage},
      {"DeleteMessageBatch", DeleteMessageBatch},
      {"ChangeMessageVisibility", ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", ChangeMessageVisibilityBatch},
  };
  return actions;
}

}  // namespace
}  // namespace detail

void RunAction(const std::string& action, const nlohmann::json& input, const ActionContext& context,
               ActionDone done) {
  const auto& actions = detail::Actions();
  auto it = actions.find(action);
  if (it == actions.end()) {
    return detail::Fail(done, SqsError{ErrorKind::kInvalidAction,
                                       "The action " + action + " is not valid for this endpoint."});
  }
  if (!input.is_object()) {
    return detail::Fail(done, InvalidParameter("The request body must be a JSON object."));
  }
  it->second(input, context, std::move(done));
}

}  // namespace stratus::triggers::queue
