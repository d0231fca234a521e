// The message actions: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
// ChangeMessageVisibility(Batch), with SQS's validation of bodies, message attributes and
// batch entries, and the selection of system and message attributes on receive.
#include <set>

#include "emulator/util/base64.h"
#include "triggers/queue/queue_actions.h"
#include "triggers/queue/queue_md5.h"
#include "triggers/queue/queue_message_format.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue::detail {
namespace {

using nlohmann::json;

constexpr size_t kMaxBatchEntries = 10;

bool ValidEntryId(const std::string& id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// Checks a batch's Entries: present, 1..10, ids valid and distinct.
std::optional<SqsError> CheckEntries(const json& input, const char* request_entry) {
  auto it = input.find("Entries");
  if (it == input.end() || it->is_null() || (it->is_array() && it->empty())) {
    return SqsError{ErrorKind::kEmptyBatchRequest,
                    "There should be at least one " + std::string(request_entry) + " in the request."};
  }
  if (!it->is_array()) return InvalidParameter("Value for parameter Entries is invalid.");
  if (it->size() > kMaxBatchEntries) {
    return SqsError{ErrorKind::kTooManyEntriesInBatchRequest,
                    "Maximum number of entries per request are 10. You have sent " +
                        std::to_string(it->size()) + "."};
  }
  std::set<std::string> ids;
  for (const auto& entry : *it) {
    std::string id;
    if (!entry.is_object()) return InvalidParameter("Value for parameter Entries is invalid.");
    if (auto error = GetString(entry, "Id", &id, true)) return error;
    if (!ValidEntryId(id)) {
      return SqsError{ErrorKind::kInvalidBatchEntryId,
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long."};
    }
    if (!ids.insert(id).second) {
      return SqsError{ErrorKind::kBatchEntryIdsNotDistinct, "Id " + id + " repeated."};
    }
  }
  return std::nullopt;
}

json FailedEntry(const std::string& id, const SqsError& error) {
  ErrorSpelling spelling = Spell(error.kind);
  return {{"Id", id}, {"SenderFault", spelling.sender}, {"Code", spelling.query_code},
          {"Message", error.message}};
}

// Builds a SendInput from a SendMessage request or batch entry; counts its size.
std::optional<SqsError> ParseSend(const json& in, const Queue& queue, SendInput* out,
                                  size_t* size) {
  if (auto error = GetString(in, "MessageBody", &out->body, true)) return error;
  if (out->body.empty()) return MissingParameter("MessageBody");
  if (!ValidMessageText(out->body)) {
    return SqsError{ErrorKind::kInvalidMessageContents,
                    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                    "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"};
  }
  if (auto error = GetInt(in, "DelaySeconds", &out->delay)) return error;
  if (out->delay && (*out->delay < 0 || *out->delay > 900)) {
    return InvalidParameter("Value " + std::to_string(*out->delay) + " for parameter DelaySeconds "
                            "is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
  }
  size_t attributes_size = 0;
  if (auto error = ValidateMessageAttributes(in.value("MessageAttributes", json()),
                                             &out->attributes, &attributes_size)) {
    return error;
  }
  auto system = in.value("MessageSystemAttributes", json());
  if (system.is_object()) {
    for (const auto& [name, value] : system.items()) {
      if (name != "AWSTraceHeader" || !value.is_object() ||
          !value.value("StringValue", json()).is_string()) {
        return InvalidParameter("Message system attribute name '" + name + "' is invalid.");
      }
      out->trace_header = value["StringValue"].get<std::string>();
    }
  }
  if (auto error = GetString(in, "MessageGroupId", &out->group_id)) return error;
  if (auto error = GetString(in, "MessageDeduplicationId", &out->dedup_id)) return error;
  *size = out->body.size() + attributes_size;
  if (*size > static_cast<size_t>(queue.settings.max_message_size)) {
    return InvalidParameter("One or more parameters are invalid. Reason: Message must be shorter "
                            "than " + std::to_string(queue.settings.max_message_size) + " bytes.");
  }
  return std::nullopt;
}

json SendResultJson(const SendOutput& out) {
  json result = {{"MessageId", out.message_id}, {"MD5OfMessageBody", out.md5_body}};
  if (!out.md5_attributes.empty()) result["MD5OfMessageAttributes"] = out.md5_attributes;
  if (!out.md5_system_attributes.empty()) {
    result["MD5OfMessageSystemAttributes"] = out.md5_system_attributes;
  }
  if (!out.sequence_number.empty()) result["SequenceNumber"] = out.sequence_number;
  return result;
}

}  // namespace

void SendMessage(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  Queue& queue = *context.service->Find(name);
  SendInput send;
  size_t size = 0;
  STRATUS_SQS_CHECK(ParseSend(input, queue, &send, &size));
  SendOutput out;
  STRATUS_SQS_CHECK(context.service->Send(queue, std::move(send), &out));
  Answer(context, {SendResultJson(out), std::nullopt}, std::move(done));
}

void SendMessageBatch(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(CheckEntries(input, "SendMessageBatchRequestEntry"));
  Queue& queue = *context.service->Find(name);
  // Validate every entry first: a batch over the total limit is refused as a whole.
  std::vector<SendInput> sends(input["Entries"].size());
  std::vector<std::optional<SqsError>> errors(sends.size());
  size_t total = 0;
  for (size_t i = 0; i < sends.size(); ++i) {
    size_t size = 0;
    errors[i] = ParseSend(input["Entries"][i], queue, &sends[i], &size);
    total += size;
  }
  if (total > static_cast<size_t>(kMaxMessageBytes)) {
    return Fail(done, {ErrorKind::kBatchRequestTooLong,
                       "Batch requests cannot be longer than " + std::to_string(kMaxMessageBytes) +
                           " bytes. You have sent " + std::to_string(total) + " bytes."});
  }
  json successful = json::array(), failed = json::array();
  for (size_t i = 0; i < sends.size(); ++i) {
    std::string id = input["Entries"][i]["Id"].get<std::string>();
    SendOutput out;
    if (!errors[i]) errors[i] = context.service->Send(queue, std::move(sends[i]), &out);
    if (errors[i]) {
      failed.push_back(FailedEntry(id, *errors[i]));
      continue;
    }
    json entry = SendResultJson(out);
    entry["Id"] = id;
    successful.push_back(std::move(entry));
  }
  Answer(context, {{{"Successful", successful}, {"Failed", failed}}, std::nullopt},
         std::move(done));
}

void ReceiveMessage(const json& input, const ActionContext& context, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  std::optional<int> max, visibility, wait;
  STRATUS_SQS_CHECK(GetInt(input, "MaxNumberOfMessages", &max));
  STRATUS_SQS_CHECK(GetInt(input, "VisibilityTimeout", &visibility));
  STRATUS_SQS_CHECK(GetInt(input, "WaitTimeSeconds", &wait));
  if (max && (*max < 1 || *max > 10)) {
    return Fail(done, InvalidParameter("Value " + std::to_string(*max) + " for parameter "
                                       "MaxNumberOfMessages is invalid. Reason: Must be between 1 "
                                       "and 10, if provided."));
  }
  if (visibility && (*visibility < 0 || *visibility > 43200)) {
    return Fail(done, InvalidParameter("Value " + std::to_string(*visibility) + " for parameter "
                                       "VisibilityTimeout is invalid. Reason: Must be between 0 "
                                       "and 43200, if provided."));
  }
  if (wait && (*wait < 0 || *wait > 20)) {
    return Fail(done, InvalidParameter("Value " + std::to_string(*wait) + " for parameter "
                                       "WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= "
                                       "20, if provided."));
  }
  Selection selection;
  STRATUS_SQS_CHECK(ParseSelection(input, &selection));
  ReceiveOptions options{max.value_or(1), visibility, wait};
  context.service->Receive(
      name, options,
      [done = std::move(done), selection = std::move(selection),
       service = context.service](std::vector<Received> messages) mutable {
        ActionResult result;
        if (!messages.empty()) {
          json list = json::array();
          for (const auto& received : messages) {
            list.push_back(ReceivedJson(received, selection, *service));
          }
          result.output["Messages"] = std::move(list);
        }
        done(std::move(result));
      });
}

void DeleteMessage(const json& input, const ActionContext& context, ActionDone done) {
  std::string name, receipt;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(GetString(input, "ReceiptHandle", &receipt, true));
  STRATUS_SQS_CHECK(context.service->Delete(*context.service->Find(name), receipt));
  Answer(context, {}, std::move(done));
}

// A batch whose entries stand alone: `one` runs for each entry against `queue` (an error fails
// that entry only) and the answer lists the Successful and Failed entries by Id.
template <typename One>
void RunEntries(const json& input, const ActionContext& context, const char* entry_name,
                One one, ActionDone done) {
  std::string name;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(CheckEntries(input, entry_name));
  Queue& queue = *context.service->Find(name);
  json successful = json::array(), failed = json::array();
  for (const auto& entry : input["Entries"]) {
    std::string id = entry["Id"].get<std::string>();
    if (std::optional<SqsError> error = one(queue, entry)) {
      failed.push_back(FailedEntry(id, *error));
    } else {
      successful.push_back({{"Id", id}});
    }
  }
  Answer(context, {{{"Successful", successful}, {"Failed", failed}}, std::nullopt},
         std::move(done));
}

void DeleteMessageBatch(const json& input, const ActionContext& context, ActionDone done) {
  RunEntries(input, context, "DeleteMessageBatchRequestEntry",
             [&](Queue& queue, const json& entry) {
               std::string receipt;
               std::optional<SqsError> error = GetString(entry, "ReceiptHandle", &receipt, true);
               return error ? error : context.service->Delete(queue, receipt);
             },
             std::move(done));
}

void ChangeMessageVisibility(const json& input, const ActionContext& context, ActionDone done) {
  std::string name, receipt;
  std::optional<int> timeout;
  STRATUS_SQS_CHECK(ResolveQueue(input, context, &name));
  STRATUS_SQS_CHECK(GetString(input, "ReceiptHandle", &receipt, true));
  STRATUS_SQS_CHECK(GetInt(input, "VisibilityTimeout", &timeout));
  if (!timeout) return Fail(done, MissingParameter("VisibilityTimeout"));
  STRATUS_SQS_CHECK(context.service->ChangeVisibility(*context.service->Find(name), receipt, *timeout));
  Answer(context, {}, std::move(done));
}

void ChangeMessageVisibilityBatch(const json& input, const ActionContext& context, ActionDone done) {
  RunEntries(input, context, "ChangeMessageVisibilityBatchRequestEntry",
             [&](Queue& queue, const json& entry) -> std::optional<SqsError> {
               std::string receipt;
               std::optional<int> timeout;
               std::optional<SqsError> error = GetString(entry, "ReceiptHandle", &receipt, true);
               if (!error) error = GetInt(entry, "VisibilityTimeout", &timeout);
               if (!error && !timeout) error = MissingParameter("VisibilityTimeout");
               return error ? error : context.service->ChangeVisibility(queue, receipt, *timeout);
             },
             std::move(done));
}

}  // namespace stratus::triggers::queue::detail
