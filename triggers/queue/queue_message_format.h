// How messages look on the way in and out: SQS's rules for bodies and message attributes,
// the system attributes a message carries, and the selection ReceiveMessage asks for
// (AttributeNames, MessageSystemAttributeNames, MessageAttributeNames).
// Pure functions; no threading rule.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "triggers/queue/queue_errors.h"
#include "triggers/queue/queue_model.h"

namespace stratus::triggers::queue {

class QueueService;
struct Received;

// True when `text` is UTF-8 of the characters SQS allows in a message:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool ValidMessageText(std::string_view text);

// Checks message attributes in the JSON protocol's shape and copies them to `out` keeping
// only DataType and the one value (null when none); `size` gets the bytes they count toward
// the message size. InvalidParameterValue naming the problem otherwise.
std::optional<SqsError> ValidateMessageAttributes(const nlohmann::json& in, nlohmann::json* out,
                                                  size_t* size);

// The system attributes of a message: SenderId, SentTimestamp, ApproximateReceiveCount,
// ApproximateFirstReceiveTimestamp, and when they apply SequenceNumber,
// MessageDeduplicationId, MessageGroupId, AWSTraceHeader, DeadLetterQueueSourceArn.
std::map<std::string, std::string> SystemAttributes(const Message& message,
                                                    const std::string& sender_id);

struct Selection {
  bool all_system = false;
  std::set<std::string> system;
  bool all_attributes = false;
  std::set<std::string> attributes;
  std::vector<std::string> prefixes;  // "name.*" selects names starting with "name."

  bool WantsSystem(const std::string& name) const { return all_system || system.count(name); }
  bool WantsAttribute(const std::string& name) const;
};

// Reads the selection of a ReceiveMessage request.
std::optional<SqsError> ParseSelection(const nlohmann::json& input, Selection* out);

// One element of ReceiveMessage's Messages: MessageId, ReceiptHandle, MD5OfBody, Body, the
// selected Attributes and MessageAttributes, and MD5OfMessageAttributes of those selected.
nlohmann::json ReceivedJson(const Received& received, const Selection& selection,
                            const QueueService& service);

}  // namespace stratus::triggers::queue
