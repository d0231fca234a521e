#include "triggers/queue/queue_message_format.h"

#include <cctype>

#include "emulator/util/base64.h"
#include "triggers/queue/queue_md5.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {
namespace {

using nlohmann::json;

constexpr size_t kMaxAttributes = 10;

bool StartsWithNoCase(const std::string& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool ValidAttributeName(const std::string& name) {
  if (name.empty() || name.size() > 256 || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  if (StartsWithNoCase(name, "aws.") || StartsWithNoCase(name, "amazon.")) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// "String", "Number", "Binary", optionally followed by ".label".
std::string BaseType(const std::string& data_type) {
  return data_type.substr(0, data_type.find('.'));
}

std::optional<SqsError> ValidateOne(const std::string& name, const json& value, json* out,
                                    size_t* size) {
  auto fail = [&name](const std::string& why) {
    return InvalidParameter("Message (user) attribute '" + name + "' " + why);
  };
  if (!ValidAttributeName(name)) return fail("has an invalid name.");
  if (!value.is_object()) return fail("must be a structure.");
  json type = value.value("DataType", json());
  if (!type.is_string() || type.get<std::string>().empty()) {
    return fail("must contain a non-empty message attribute type.");
  }
  std::string data_type = type.get<std::string>();
  std::string base = BaseType(data_type);
  if (data_type.size() > 256 || (base != "String" && base != "Number" && base != "Binary")) {
    return fail("has an invalid message attribute type, the set of supported type prefixes is "
                "Binary, Number, and String.");
  }
  const char* key = base == "Binary" ? "BinaryValue" : "StringValue";
  json v = value.value(key, json());
  if (!v.is_string() || v.get<std::string>().empty()) {
    return fail("must contain a non-empty value of type '" + base + "'.");
  }
  std::string text = v.get<std::string>();
  size_t value_size = text.size();
  if (base == "Binary") {
    auto decoded = Base64Decode(text);
    if (!decoded) return fail("has a BinaryValue that is not valid base64.");
    value_size = decoded->size();
  } else if (!ValidMessageText(text)) {
    return fail("contains invalid characters.");
  }
  if (base == "Number") {
    size_t digits = 0;
    bool ok = !text.empty();
    for (size_t i = 0; i < text.size() && ok; ++i) {
      char c = text[i];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++digits;
      } else if (!(c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+')))) {
        ok = false;
      }
    }
    if (!ok || digits == 0) return fail("has an invalid Number value.");
  }
  (*out)[name] = {{"DataType", data_type}, {key, text}};
  *size += name.size() + data_type.size() + value_size;
  return std::nullopt;
}

}  // namespace

bool ValidMessageText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    uint32_t c = *p;
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || end - p <= extra) return false;
    if (extra > 0) c &= (1u << (6 - extra)) - 1;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      c = (c << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (c < kMin[extra]) return false;  // overlong
    p += extra + 1;
    bool allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
                   (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
    if (!allowed) return false;
  }
  return true;
}

std::optional<SqsError> ValidateMessageAttributes(const json& in, json* out, size_t* size) {
  *out = nullptr;
  *size = 0;
  if (in.is_null()) return std::nullopt;
  if (!in.is_object()) return InvalidParameter("Value for parameter MessageAttributes is invalid.");
  if (in.size() > kMaxAttributes) {
    return InvalidParameter("Number of message attributes [" + std::to_string(in.size()) +
                            "] exceeds the allowed maximum [10].");
  }
  if (in.empty()) return std::nullopt;
  *out = json::object();
  for (const auto& [name, value] : in.items()) {
    if (auto error = ValidateOne(name, value, out, size)) return error;
  }
  return std::nullopt;
}

std::map<std::string, std::string> SystemAttributes(const Message& m, const std::string& sender_id) {
  std::map<std::string, std::string> out = {
      {"SenderId", sender_id},
      {"SentTimestamp", std::to_string(m.sent_ms)},
      {"ApproximateReceiveCount", std::to_string(m.receive_count)},
      {"ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms)},
  };
  if (!m.sequence_number.empty()) out["SequenceNumber"] = m.sequence_number;
  if (!m.dedup_id.empty()) out["MessageDeduplicationId"] = m.dedup_id;
  if (!m.group_id.empty()) out["MessageGroupId"] = m.group_id;
  if (!m.trace_header.empty()) out["AWSTraceHeader"] = m.trace_header;
  if (!m.dead_letter_source.empty()) out["DeadLetterQueueSourceArn"] = m.dead_letter_source;
  return out;
}

bool Selection::WantsAttribute(const std::string& name) const {
  if (all_attributes || attributes.count(name) != 0) return true;
  for (const auto& prefix : prefixes) {
    if (name.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

std::optional<SqsError> ParseSelection(const json& input, Selection* out) {
  for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"}) {
    json names = input.value(key, json::array());
    if (!names.is_array()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
    for (const auto& name : names) {
      if (!name.is_string()) return InvalidParameter("Value for parameter " + std::string(key) + " is invalid.");
      std::string n = name.get<std::string>();
      if (n == "All") out->all_system = true;
      out->system.insert(n);
    }
  }
  json names = input.value("MessageAttributeNames", json::array());
  if (!names.is_array()) return InvalidParameter("Value for parameter MessageAttributeNames is invalid.");
  for (const auto& name : names) {
    if (!name.is_string()) return InvalidParameter("Value for parameter MessageAttributeNames is invalid.");
    std::string n = name.get<std::string>();
    if (n == "All" || n == ".*") {
      out->all_attributes = true;
    } else if (n.size() > 2 && n.compare(n.size() - 2, 2, ".*") == 0) {
      out->prefixes.push_back(n.substr(0, n.size() - 1));  // keep the '.'
    } else {
      out->attributes.insert(n);
    }
  }
  return std::nullopt;
}

json ReceivedJson(const Received& received, const Selection& selection,
                  const QueueService& service) {
  const Message& m = received.message;
  json out = {{"MessageId", m.id}, {"ReceiptHandle", received.receipt},
              {"MD5OfBody", m.md5_body}, {"Body", m.body}};
  json attributes = json::object();
  for (const auto& [name, value] : SystemAttributes(m, service.account())) {
    if (selection.WantsSystem(name)) attributes[name] = value;
  }
  if (!attributes.empty()) out["Attributes"] = std::move(attributes);
  if (m.attributes.is_object()) {
    json chosen = json::object();
    for (const auto& [name, value] : m.attributes.items()) {
      if (selection.WantsAttribute(name)) chosen[name] = value;
    }
    if (!chosen.empty()) {
      out["MD5OfMessageAttributes"] = Md5OfAttributes(chosen);
      out["MessageAttributes"] = std::move(chosen);
    }
  }
  return out;
}

}  // namespace stratus::triggers::queue
