#include "triggers/objects/objects_events.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/util/json.h"
#include "emulator/util/log.h"
#include "emulator/util/time_format.h"

namespace stratus::triggers::objects {
namespace {

const std::vector<std::string>& KnownEvents() {
  static const std::vector<std::string> names = {
      "s3:ObjectCreated:*",    "s3:ObjectCreated:Put",    "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectRemoved:*",    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"};
  return names;
}

std::string LastArnField(const std::string& arn) {
  size_t colon = arn.rfind(':');
  return colon == std::string::npos ? arn : arn.substr(colon + 1);
}

Status ReadFilter(const XmlNode& config, NotificationRule* rule) {
  const XmlNode* filter = config.Child("Filter");
  if (filter == nullptr) return Status::Ok();
  const XmlNode* key = filter->Child("S3Key");
  if (key == nullptr) return Status::Ok();
  for (const XmlNode* fr : key->Children("FilterRule")) {
    std::string name = fr->ChildText("Name");
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string* slot = name == "prefix" ? &rule->prefix : name == "suffix" ? &rule->suffix : nullptr;
    if (slot == nullptr) return Status::InvalidArgument("filter rule name must be either prefix or suffix");
    if (!slot->empty()) return Status::InvalidArgument("Cannot specify more than one " + name + " rule in a filter.");
    *slot = fr->ChildText("Value");
  }
  return Status::Ok();
}

}  // namespace

bool IsKnownEventName(const std::string& name) {
  for (const auto& n : KnownEvents()) {
    if (n == name) return true;
  }
  return false;
}

bool EventMatches(const std::string& pattern, const std::string& event) {
  std::string_view p = pattern;
  if (p.substr(0, 3) == "s3:") p.remove_prefix(3);
  if (!p.empty() && p.back() == '*') {
    p.remove_suffix(1);
    return std::string_view(event).substr(0, p.size()) == p;
  }
  return p == event;
}

bool RuleMatches(const NotificationRule& rule, const std::string& event, const std::string& key) {
  if (key.compare(0, rule.prefix.size(), rule.prefix) != 0) return false;
  if (key.size() < rule.suffix.size() ||
      key.compare(key.size() - rule.suffix.size(), rule.suffix.size(), rule.suffix) != 0) {
    return false;
  }
  for (const auto& pattern : rule.events) {
    if (EventMatches(pattern, event)) return true;
  }
  return false;
}

std::vector<NotificationRule> RulesFromProject(const config::ProjectConfig& project,
                                               const std::string& bucket) {
  std::vector<NotificationRule> rules;
  for (const auto& [name, function] : project.functions) {
    int index = 0;
    for (const auto& event : function.events) {
      const auto* object = std::get_if<config::ObjectEvent>(&event);
      if (object == nullptr || object->bucket != bucket) continue;
      NotificationRule rule;
      rule.id = "stratus-" + name + "-" + std::to_string(++index);
      rule.events = object->on;
      rule.prefix = object->prefix;
      rule.suffix = object->suffix;
      rule.target_name = name;
      rule.target_arn = "arn:aws:lambda:" + project.region + ":" + project.account +
                        ":function:" + name;
      rules.push_back(std::move(rule));
    }
  }
  return rules;
}

Result<std::vector<NotificationRule>> ParseNotificationXml(
    const XmlNode& root, const std::function<bool(const std::string&)>& function_exists,
    const std::function<std::string()>& new_id) {
  if (root.name != "NotificationConfiguration") {
    return Status::InvalidArgument("the root element must be NotificationConfiguration");
  }
  std::vector<NotificationRule> rules;
  for (const XmlNode& config : root.children) {
    NotificationRule rule;
    std::string arn_element;
    if (config.name == "LambdaFunctionConfiguration" || config.name == "CloudFunctionConfiguration") {
      arn_element = config.Child("Function") ? "Function" : "CloudFunction";
    } else if (config.name == "QueueConfiguration") {
      rule.target = NotificationRule::Target::kQueue;
      arn_element = "Queue";
    } else if (config.name == "EventBridgeConfiguration") {
      return Status::InvalidArgument("EventBridge destinations are not supported by stratus");
    } else if (config.name == "TopicConfiguration") {
      return Status::InvalidArgument(
          "Unable to validate the following destination configurations: SNS topics do not "
          "exist in stratus (" + config.ChildText("Topic") + ")");
    } else {
      return Status::InvalidArgument("unknown element " + config.name);
    }
    rule.target_arn = config.ChildText(arn_element);
    rule.target_name = LastArnField(rule.target_arn);
    if (rule.target_name.empty()) return Status::InvalidArgument(config.name + " needs " + arn_element);
    if (rule.target == NotificationRule::Target::kFunction && !function_exists(rule.target_name)) {
      return Status::InvalidArgument(
          "Unable to validate the following destination configurations: no function " +
          rule.target_name);
    }
    rule.id = config.ChildText("Id");
    if (rule.id.empty()) rule.id = new_id();
    for (const XmlNode* e : config.Children("Event")) {
      if (!IsKnownEventName(e->text)) {
        return Status::InvalidArgument("The event is not supported for notifications: " + e->text);
      }
      rule.events.push_back(e->text);
    }
    if (rule.events.empty()) return Status::InvalidArgument(config.name + " needs an Event");
    STRATUS_RETURN_IF_ERROR(ReadFilter(config, &rule));
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string NotificationXml(const std::vector<NotificationRule>& rules) {
  XmlWriter xml("NotificationConfiguration");
  for (const auto& rule : rules) {
    bool function = rule.target == NotificationRule::Target::kFunction;
    xml.Open(function ? "CloudFunctionConfiguration" : "QueueConfiguration");
    xml.Leaf("Id", rule.id);
    xml.Leaf(function ? "CloudFunction" : "Queue", rule.target_arn);
    for (const auto& e : rule.events) xml.Leaf("Event", e);
    if (!rule.prefix.empty() || !rule.suffix.empty()) {
      xml.Open("Filter").Open("S3Key");
      if (!rule.prefix.empty()) xml.Open("FilterRule").Leaf("Name", "prefix").Leaf("Value", rule.prefix).Close();
      if (!rule.suffix.empty()) xml.Open("FilterRule").Leaf("Name", "suffix").Leaf("Value", rule.suffix).Close();
      xml.Close().Close();
    }
    xml.Close();
  }
  return xml.Finish();
}

std::string RulesToJson(const std::vector<NotificationRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rules) {
    out.push_back({{"id", r.id}, {"events", r.events}, {"prefix", r.prefix}, {"suffix", r.suffix},
                   {"queue", r.target == NotificationRule::Target::kQueue},
                   {"name", r.target_name}, {"arn", r.target_arn}});
  }
  return DumpJson(out);
}

std::vector<NotificationRule> RulesFromJson(const std::string& json) {
  std::vector<NotificationRule> rules;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array()) return rules;
  for (const auto& r : j) {
    if (!r.is_object()) continue;
    NotificationRule rule;
    rule.id = r.value("id", "");
    rule.events = r.value("events", std::vector<std::string>{});
    rule.prefix = r.value("prefix", "");
    rule.suffix = r.value("suffix", "");
    rule.target = r.value("queue", false) ? NotificationRule::Target::kQueue
                                          : NotificationRule::Target::kFunction;
    rule.target_name = r.value("name", "");
    rule.target_arn = r.value("arn", "");
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string EventKeyEncode(const std::string& key) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '*') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string BuildEventJson(const ObjectEventInfo& info, const std::string& configuration_id) {
  nlohmann::json object = {{"key", EventKeyEncode(info.key)}};
  if (info.event_name.rfind("ObjectCreated:", 0) == 0) {
    object["size"] = info.size;
    object["eTag"] = info.etag;
  }
  if (!info.version_id.empty()) object["versionId"] = info.version_id;
  object["sequencer"] = info.sequencer;
  const std::string principal = "AWS:" + info.account;
  nlohmann::json record = {
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", info.region},
      {"eventTime", IsoTimeUtc(info.time_ms)},
      {"eventName", info.event_name},
      {"userIdentity", {{"principalId", principal}}},
      {"requestParameters", {{"sourceIPAddress", info.source_ip}}},
      {"responseElements", {{"x-amz-request-id", info.request_id}, {"x-amz-id-2", info.host_id}}},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", configuration_id},
        {"bucket",
         {{"name", info.bucket},
          {"ownerIdentity", {{"principalId", info.account}}},
          {"arn", "arn:aws:s3:::" + info.bucket}}},
        {"object", object}}}};
  return DumpJson(nlohmann::json{{"Records", nlohmann::json::array({record})}});
}

void Notifier::Start(Emulator& emulator) {
  emulator_ = &emulator;
  for (const auto& bucket : emulator.project().buckets) {
    auto rules = RulesFromProject(emulator.project(), bucket);
    if (!rules.empty()) project_rules_[bucket] = std::move(rules);
  }
}

std::string Notifier::NextSequencer(int64_t now_ms) {
  uint64_t candidate = uint64_t(now_ms) << 16;
  last_sequencer_ = std::max(last_sequencer_ + 1, candidate);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(last_sequencer_));
  return buf;
}

void Notifier::Notify(const std::vector<NotificationRule>& api_rules, const ObjectEventInfo& info) {
  auto it = project_rules_.find(info.bucket);
  if (it != project_rules_.end()) {
    for (const auto& rule : it->second) {
      if (RuleMatches(rule, info.event_name, info.key)) Deliver(rule, info);
    }
  }
  for (const auto& rule : api_rules) {
    if (RuleMatches(rule, info.event_name, info.key)) Deliver(rule, info);
  }
}

void Notifier::Deliver(const NotificationRule& rule, const ObjectEventInfo& info) {
  std::string payload = BuildEventJson(info, rule.id);
  if (rule.target == NotificationRule::Target::kQueue) {
    Status sent = emulator_->SendToQueue(rule.target_name, payload);
    if (!sent.ok()) {
      log::Warn("objects: " + info.event_name + " event for " + info.bucket + " not sent to queue " +
                rule.target_name + ": " + sent.message());
    }
    return;
  }
  functions::InvokeRequest request;
  request.payload = std::move(payload);
  request.type = functions::InvocationType::kEvent;
  request.source = "objects:" + info.bucket;
  std::string target = rule.target_name;
  emulator_->invoker().Invoke(target, std::move(request), [target](functions::InvokeResult result) {
    if (!result.status.ok()) {
      log::Warn("objects: event for function " + target + " not accepted: " + result.status.message());
    }
  });
}

}  // namespace stratus::triggers::objects
