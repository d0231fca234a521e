// Bucket notifications: the rules (from `object:` events in stratus.yaml and from
// PutBucketNotificationConfiguration), matching an S3 event name and key against them, and
// the event JSON S3 sends (eventVersion 2.1), delivered to a function (async invoke) or a
// queue. Threading: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "emulator/config/config.h"
#include "emulator/util/status.h"
#include "triggers/objects/objects_xml.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::objects {

struct NotificationRule {
  enum class Target { kFunction, kQueue };
  std::string id;                   // configurationId
  std::vector<std::string> events;  // "s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", ...
  std::string prefix;
  std::string suffix;
  Target target = Target::kFunction;
  std::string target_name;  // function or queue name
  std::string target_arn;
};

// The event names S3 accepts in a configuration (those stratus can emit).
bool IsKnownEventName(const std::string& name);
// Does "s3:ObjectCreated:*" (or an exact name) cover `event` ("ObjectCreated:Put")?
bool EventMatches(const std::string& pattern, const std::string& event);
bool RuleMatches(const NotificationRule& rule, const std::string& event, const std::string& key);

// The rules the project's functions declare for `bucket` (`object:` events).
std::vector<NotificationRule> RulesFromProject(const config::ProjectConfig& project,
                                               const std::string& bucket);

// A NotificationConfiguration document -> rules. InvalidArgument for an unknown event, a
// bad filter or a destination that does not exist (`function_exists` answers for functions;
// queues are taken on trust since the queue module may be absent; topics are refused: stratus
// has no SNS).
Result<std::vector<NotificationRule>> ParseNotificationXml(
    const XmlNode& root, const std::function<bool(const std::string&)>& function_exists,
    const std::function<std::string()>& new_id);
std::string NotificationXml(const std::vector<NotificationRule>& rules);
std::string RulesToJson(const std::vector<NotificationRule>& rules);
std::vector<NotificationRule> RulesFromJson(const std::string& json);

// What one event says about the request and the object.
struct ObjectEventInfo {
  std::string event_name;  // "ObjectCreated:Put"
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // empty for removals
  std::string version_id;  // empty: not in the event
  std::string sequencer;
  std::string request_id;
  std::string host_id;
  std::string source_ip;
  int64_t time_ms = 0;
  std::string region;
  std::string account;
};

// S3's key encoding in events: like a form-encoded value (space -> '+'), '/' kept.
std::string EventKeyEncode(const std::string& key);
// The {"Records":[...]} document for one rule.
std::string BuildEventJson(const ObjectEventInfo& info, const std::string& configuration_id);

// Sends events for a bucket's rules. Failures are logged, never returned: the request that
// caused the event has already succeeded.
class Notifier {
 public:
  void Start(Emulator& emulator);
  void Notify(const std::vector<NotificationRule>& api_rules, const ObjectEventInfo& info);
  // Time-ordered, strictly increasing hex sequencer.
  std::string NextSequencer(int64_t now_ms);

 private:
  void Deliver(const NotificationRule& rule, const ObjectEventInfo& info);
  Emulator* emulator_ = nullptr;
  std::map<std::string, std::vector<NotificationRule>> project_rules_;  // by bucket
  uint64_t last_sequencer_ = 0;
};

}  // namespace stratus::triggers::objects
