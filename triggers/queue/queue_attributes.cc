// Queue attributes: validating what CreateQueue and SetQueueAttributes are given, and the
// values GetQueueAttributes reports (settings, counters, timestamps, ARN).
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "emulator/util/json.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {
namespace {

struct IntAttribute {
  const char* name;
  int QueueSettings::*member;
  int min, max;
};
constexpr IntAttribute kIntAttributes[] = {
    {"DelaySeconds", &QueueSettings::delay, 0, 900},
    {"MaximumMessageSize", &QueueSettings::max_message_size, 1024, kMaxMessageBytes},
    {"MessageRetentionPeriod", &QueueSettings::retention, 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", &QueueSettings::receive_wait, 0, 20},
    {"VisibilityTimeout", &QueueSettings::visibility_timeout, 0, 43200},
};
// Accepted and reported back unchanged: stratus has no IAM, KMS or throughput tiers.
const std::set<std::string> kOpaque = {"Policy", "RedriveAllowPolicy", "KmsMasterKeyId",
                                       "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
                                       "DeduplicationScope", "FifoThroughputLimit"};
const std::set<std::string> kFifoOnly = {"ContentBasedDeduplication", "DeduplicationScope",
                                         "FifoThroughputLimit"};

bool ParseInt(const std::string& text, int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

SqsError InvalidValue(const std::string& name, const std::string& reason = "") {
  return {ErrorKind::kInvalidAttributeValue,
          "Invalid value for the parameter " + name + "." + (reason.empty() ? "" : " " + reason)};
}

}  // namespace

Error QueueService::ApplyAttributes(Queue& queue, const AttributeMap& attributes, bool creating) {
  QueueSettings next = queue.settings;  // validate everything before changing anything
  for (const auto& [name, value] : attributes) {
    const IntAttribute* int_attr = nullptr;
    for (const auto& a : kIntAttributes) {
      if (name == a.name) int_attr = &a;
    }
    if (int_attr != nullptr) {
      int parsed = 0;
      if (!ParseInt(value, &parsed) || parsed < int_attr->min || parsed > int_attr->max) {
        return InvalidValue(name);
      }
      next.*(int_attr->member) = parsed;
    } else if (name == "FifoQueue") {
      if (!creating) return SqsError{ErrorKind::kInvalidAttributeName, "Unknown Attribute FifoQueue."};
      if (value != "true" && value != "false") return InvalidValue(name);
    } else if (name == "ContentBasedDeduplication") {
      if (!queue.fifo) return SqsError{ErrorKind::kInvalidAttributeName, "Unknown Attribute " + name + "."};
      if (value != "true" && value != "false") return InvalidValue(name);
      next.content_based_dedup = value == "true";
    } else if (name == "RedrivePolicy") {
      if (value.empty()) {
        next.redrive_policy.clear();
        next.dead_letter_target.clear();
        next.max_receive_count = 0;
        continue;
      }
      auto policy = nlohmann::json::parse(value, nullptr, false);
      if (!policy.is_object() || !policy.contains("deadLetterTargetArn")) {
        return InvalidValue(name, "Reason: Redrive policy is not a valid JSON map.");
      }
      auto count = policy.value("maxReceiveCount", nlohmann::json());
      int max_receives = 0;
      if (count.is_number_integer()) max_receives = count.get<int>();
      if (count.is_string() && !ParseInt(count.get<std::string>(), &max_receives)) max_receives = 0;
      if (max_receives < 1 || max_receives > 1000) {
        return InvalidValue(name, "Reason: Invalid value for maxReceiveCount: " + count.dump() +
                                      ", valid values are from 1 to 1000 both inclusive.");
      }
      std::string target = QueueNameFromArn(policy["deadLetterTargetArn"].is_string()
                                                ? policy["deadLetterTargetArn"].get<std::string>()
                                                : "");
      Queue* dlq = Find(target);
      if (dlq == nullptr) return InvalidValue(name, "Reason: Dead-letter target does not exist.");
      if (dlq->fifo != queue.fifo) {
        return InvalidValue(name, "Reason: Dead-letter queue must be same type of queue as the "
                                  "source.");
      }
      next.redrive_policy = DumpJson({{"deadLetterTargetArn", Arn(target)},
                                      {"maxReceiveCount", max_receives}});
      next.dead_letter_target = target;
      next.max_receive_count = max_receives;
    } else if (kOpaque.count(name) != 0) {
      if (kFifoOnly.count(name) != 0 && !queue.fifo) {
        return SqsError{ErrorKind::kInvalidAttributeName, "Unknown Attribute " + name + "."};
      }
      next.opaque[name] = value;
    } else {
      return SqsError{ErrorKind::kInvalidAttributeName, "Unknown Attribute " + name + "."};
    }
  }
  queue.settings = std::move(next);
  return std::nullopt;
}

Error QueueService::SetAttributes(Queue& queue, const AttributeMap& attributes) {
  if (auto error = ApplyAttributes(queue, attributes, /*creating=*/false)) return error;
  queue.modified_ms = NowMs();
  SaveQueueRow(queue);
  return std::nullopt;
}

AttributeMap QueueService::StoredAttributes(const Queue& queue) const {
  const QueueSettings& s = queue.settings;
  AttributeMap out = s.opaque;
  for (const auto& a : kIntAttributes) out[a.name] = std::to_string(s.*(a.member));
  if (!s.redrive_policy.empty()) out["RedrivePolicy"] = s.redrive_policy;
  if (queue.fifo) {
    out["FifoQueue"] = "true";
    out["ContentBasedDeduplication"] = s.content_based_dedup ? "true" : "false";
  }
  return out;
}

Error QueueService::GetAttributes(Queue& queue, const std::vector<std::string>& names,
                                  AttributeMap* out) {
  AttributeMap all = StoredAttributes(queue);
  if (all.count("SqsManagedSseEnabled") == 0) all["SqsManagedSseEnabled"] = "false";
  if (queue.fifo) {
    all.emplace("DeduplicationScope", "queue");
    all.emplace("FifoThroughputLimit", "perQueue");
  }
  Counts counts = Count(queue);
  all["ApproximateNumberOfMessages"] = std::to_string(counts.visible);
  all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(counts.in_flight);
  all["ApproximateNumberOfMessagesDelayed"] = std::to_string(counts.delayed);
  all["CreatedTimestamp"] = std::to_string(queue.created_ms / 1000);
  all["LastModifiedTimestamp"] = std::to_string(queue.modified_ms / 1000);
  all["QueueArn"] = Arn(queue.name);
  for (const auto& name : names) {
    if (name == "All") {
      *out = all;
      return std::nullopt;
    }
  }
  for (const auto& name : names) {
    auto it = all.find(name);
    if (it != all.end()) {
      (*out)[name] = it->second;
    } else if (kOpaque.count(name) == 0 && name != "RedrivePolicy" && name != "FifoQueue" &&
               name != "ContentBasedDeduplication") {
      return SqsError{ErrorKind::kInvalidAttributeName, "Unknown Attribute " + name + "."};
    }
  }
  return std::nullopt;
}

}  // namespace stratus::triggers::queue
