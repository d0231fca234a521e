// The SQS event Lambda hands a function (`Records` of messageId, receiptHandle, body,
// attributes, messageAttributes, md5OfBody, eventSource, eventSourceARN, awsRegion), and the
// reading of a ReportBatchItemFailures answer.
#include <set>

#include "triggers/queue/queue_mappings.h"
#include "triggers/queue/queue_message_format.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {

using nlohmann::json;

namespace {

// Lambda spells message attribute values in lower camel case and always lists the (unused)
// list values.
json LambdaAttributes(const json& attributes) {
  json out = json::object();
  if (!attributes.is_object()) return out;
  for (const auto& [name, value] : attributes.items()) {
    json v = {{"stringListValues", json::array()}, {"binaryListValues", json::array()},
              {"dataType", value.value("DataType", "")}};
    if (value.contains("StringValue")) v["stringValue"] = value["StringValue"];
    if (value.contains("BinaryValue")) v["binaryValue"] = value["BinaryValue"];
    out[name] = std::move(v);
  }
  return out;
}

}  // namespace

json SqsEvent(const std::vector<Received>& batch, const std::string& queue_arn,
              const std::string& region, const std::string& sender_id) {
  json records = json::array();
  for (const Received& received : batch) {
    const Message& m = received.message;
    json record = {
        {"messageId", m.id},
        {"receiptHandle", received.receipt},
        {"body", m.body},
        {"attributes", SystemAttributes(m, sender_id)},
        {"messageAttributes", LambdaAttributes(m.attributes)},
        {"md5OfBody", m.md5_body},
        {"eventSource", "aws:sqs"},
        {"eventSourceARN", queue_arn},
        {"awsRegion", region},
    };
    if (!m.md5_attributes.empty()) record["md5OfMessageAttributes"] = m.md5_attributes;
    records.push_back(std::move(record));
  }
  return {{"Records", std::move(records)}};
}

// Lambda's rules: no answer, null, {} or an empty/null list is complete success; an answer
// that is not JSON, or an item without a known message id, fails the whole batch.
std::vector<std::string> FailedItems(const std::string& payload,
                                     const std::vector<std::string>& batch_ids) {
  if (payload.empty()) return {};
  json answer = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) return batch_ids;
  if (!answer.is_object()) return {};
  auto failures = answer.find("batchItemFailures");
  if (failures == answer.end() || failures->is_null()) return {};
  if (!failures->is_array()) return batch_ids;
  std::set<std::string> known(batch_ids.begin(), batch_ids.end());
  std::vector<std::string> failed;
  for (const auto& item : *failures) {
    auto id = item.is_object() ? item.find("itemIdentifier") : item.end();
    if (!item.is_object() || id == item.end() || !id->is_string() ||
        known.count(id->get<std::string>()) == 0) {
      return batch_ids;
    }
    failed.push_back(id->get<std::string>());
  }
  return failed;
}

}  // namespace stratus::triggers::queue
