// Bucket notifications: the event JSON against S3's documented shape (fixtures/events/),
// key encoding, event-name wildcards, filters, and the configuration document.
#include "triggers/objects/objects_events.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/paths.h"

namespace stratus::triggers::objects {
namespace {

using nlohmann::json;

json Golden(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/fixtures/events/" + name);
  REQUIRE_MESSAGE(in.good(), name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Paths whose values are ids, times or owners: they must exist with the same type only.
const std::set<std::string> kAnyValue = {
    "/Records/0/eventTime", "/Records/0/userIdentity/principalId",
    "/Records/0/responseElements/x-amz-request-id", "/Records/0/responseElements/x-amz-id-2",
    "/Records/0/s3/bucket/ownerIdentity/principalId", "/Records/0/s3/object/sequencer"};

void Compare(const json& golden, const json& actual, const std::string& path,
             std::vector<std::string>* diffs) {
  if (golden.type() != actual.type()) {
    diffs->push_back(path + ": type " + actual.type_name() + ", want " + golden.type_name());
    return;
  }
  if (golden.is_object()) {
    for (auto& [k, v] : golden.items()) {
      if (!actual.contains(k)) diffs->push_back(path + "/" + k + ": missing");
      else Compare(v, actual[k], path + "/" + k, diffs);
    }
    for (auto& [k, v] : actual.items()) {
      if (!golden.contains(k)) diffs->push_back(path + "/" + k + ": not in S3's event");
    }
  } else if (golden.is_array()) {
    if (golden.size() != actual.size()) diffs->push_back(path + ": size differs");
    for (size_t i = 0; i < std::min(golden.size(), actual.size()); ++i) {
      Compare(golden[i], actual[i], path + "/" + std::to_string(i), diffs);
    }
  } else if (kAnyValue.count(path) == 0 && golden != actual) {
    diffs->push_back(path + ": " + actual.dump() + ", want " + golden.dump());
  }
}

ObjectEventInfo ExampleInfo(const std::string& event_name) {
  ObjectEventInfo info;
  info.event_name = event_name;
  info.bucket = "amzn-s3-demo-bucket";
  info.key = "HappyFace.jpg";
  info.size = 1024;
  info.etag = "d41d8cd98f00b204e9800998ecf8427e";
  info.sequencer = "0000018C1F2A3B4C0000";
  info.request_id = "ABCDEF0123456789";
  info.host_id = "aG9zdA==";
  info.source_ip = "127.0.0.1";
  info.time_ms = 1764316800000;
  info.region = "us-east-1";
  info.account = "000000000000";
  return info;
}

TEST_CASE("Events: put and delete events have S3's documented shape") {
  for (auto [file, name] : {std::pair{"s3-put.json", "ObjectCreated:Put"},
                            std::pair{"s3-delete.json", "ObjectRemoved:Delete"}}) {
    json actual = json::parse(BuildEventJson(ExampleInfo(name), "testConfigRule"));
    std::vector<std::string> diffs;
    Compare(Golden(file), actual, "", &diffs);
    std::string all;
    for (const auto& d : diffs) all += d + "\n";
    CHECK_MESSAGE(diffs.empty(), file << ":\n" << all);
  }
  json put = json::parse(BuildEventJson(ExampleInfo("ObjectCreated:Put"), "c"));
  CHECK(put["Records"][0]["eventTime"] == "2025-11-28T08:00:00.000Z");
  CHECK(put["Records"][0]["responseElements"]["x-amz-request-id"] == "ABCDEF0123456789");
}

TEST_CASE("Events: versioned buckets name the version, markers carry no size or ETag") {
  ObjectEventInfo info = ExampleInfo("ObjectCreated:Put");
  info.version_id = "AaIjELwRhbf5cBJ3zZDiwVfzOzp6tqdd";
  json put = json::parse(BuildEventJson(info, "c"))["Records"][0]["s3"]["object"];
  CHECK(put["versionId"] == info.version_id);
  CHECK(put["size"] == 1024);
  info.event_name = "ObjectRemoved:DeleteMarkerCreated";
  json marker = json::parse(BuildEventJson(info, "c"))["Records"][0]["s3"]["object"];
  CHECK(marker["versionId"] == info.version_id);
  CHECK(!marker.contains("size"));
  CHECK(!marker.contains("eTag"));
  // Unversioned buckets' events have no versionId at all (the golden files above).
  CHECK(!json::parse(BuildEventJson(ExampleInfo("ObjectCreated:Put"), "c"))["Records"][0]["s3"]["object"]
             .contains("versionId"));
}

TEST_CASE("Events: keys are encoded as S3 encodes them") {
  CHECK(EventKeyEncode("images/my photo.jpg") == "images/my+photo.jpg");
  CHECK(EventKeyEncode("a+b=c:d") == "a%2Bb%3Dc%3Ad");
  CHECK(EventKeyEncode("ü") == "%C3%BC");
  CHECK(EventKeyEncode("plain-key_1.txt") == "plain-key_1.txt");
}

TEST_CASE("Events: wildcards, exact names, prefix and suffix filters") {
  CHECK(EventMatches("s3:ObjectCreated:*", "ObjectCreated:Put"));
  CHECK(EventMatches("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload"));
  CHECK(!EventMatches("s3:ObjectCreated:*", "ObjectRemoved:Delete"));
  CHECK(EventMatches("s3:ObjectCreated:Copy", "ObjectCreated:Copy"));
  CHECK(!EventMatches("s3:ObjectCreated:Copy", "ObjectCreated:Put"));
  NotificationRule rule;
  rule.events = {"s3:ObjectCreated:*"};
  rule.prefix = "images/";
  rule.suffix = ".jpg";
  CHECK(RuleMatches(rule, "ObjectCreated:Put", "images/a.jpg"));
  CHECK(!RuleMatches(rule, "ObjectCreated:Put", "images/a.png"));
  CHECK(!RuleMatches(rule, "ObjectCreated:Put", "docs/a.jpg"));
  CHECK(!RuleMatches(rule, "ObjectRemoved:Delete", "images/a.jpg"));
  CHECK(!RuleMatches(rule, "ObjectCreated:Put", ".jpg"));
}

TEST_CASE("Events: rules from stratus.yaml") {
  config::ProjectConfig project;
  config::FunctionConfig fn;
  config::ObjectEvent object;
  object.bucket = "uploads";
  object.on = {"s3:ObjectRemoved:*"};
  object.prefix = "p/";
  fn.events.push_back(object);
  project.functions["thumbs"] = fn;
  auto rules = RulesFromProject(project, "uploads");
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].target_name == "thumbs");
  CHECK(rules[0].target_arn == "arn:aws:lambda:us-east-1:000000000000:function:thumbs");
  CHECK(RuleMatches(rules[0], "ObjectRemoved:Delete", "p/x"));
  CHECK(RulesFromProject(project, "other").empty());
}

TEST_CASE("Events: configuration documents parse, validate and round-trip") {
  auto exists = [](const std::string& name) { return name == "fn"; };
  int ids = 0;
  auto new_id = [&] { return "generated-" + std::to_string(++ids); };
  auto doc = ParseXml(
      "<NotificationConfiguration>"
      "<CloudFunctionConfiguration><Id>one</Id>"
      "<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:fn</CloudFunction>"
      "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Prefix</Name>"
      "<Value>in/</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>"
      "<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:jobs</Queue>"
      "<Event>s3:ObjectRemoved:Delete</Event></QueueConfiguration>"
      "</NotificationConfiguration>");
  REQUIRE(doc.ok());
  auto rules = ParseNotificationXml(*doc, exists, new_id);
  REQUIRE(rules.ok());
  REQUIRE(rules->size() == 2);
  CHECK((*rules)[0].prefix == "in/");
  CHECK((*rules)[1].target == NotificationRule::Target::kQueue);
  CHECK((*rules)[1].target_name == "jobs");
  CHECK((*rules)[1].id == "generated-1");
  auto again = RulesFromJson(RulesToJson(*rules));
  REQUIRE(again.size() == 2);
  CHECK(again[0].events == (*rules)[0].events);
  auto reparsed = ParseXml(NotificationXml(*rules));
  REQUIRE(reparsed.ok());
  auto round = ParseNotificationXml(*reparsed, exists, new_id);
  REQUIRE(round.ok());
  CHECK(round->size() == 2);
  for (const char* bad : {
           "<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:x:function:nope"
           "</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>"
           "</NotificationConfiguration>",
           "<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:x:function:fn"
           "</CloudFunction><Event>s3:Bogus</Event></CloudFunctionConfiguration>"
           "</NotificationConfiguration>",
           "<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:x</Topic>"
           "<Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>",
           "<Other/>"}) {
    auto parsed = ParseXml(bad);
    REQUIRE(parsed.ok());
    CHECK_MESSAGE(!ParseNotificationXml(*parsed, exists, new_id).ok(), bad);
  }
}

}  // namespace
}  // namespace stratus::triggers::objects
