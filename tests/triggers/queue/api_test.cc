// Every SQS action over the JSON 1.0 protocol, with SQS's error shapes: __type,
// x-amzn-query-error, status codes; and the route guards that keep other services' requests
// off the queue routes.
#include <doctest/doctest.h>

#include "emulator/util/base64.h"
#include "tests/triggers/queue/fixture.h"
#include "triggers/queue/queue_md5.h"

namespace stratus::qtest {
namespace {

constexpr char kYaml[] = "queues:\n  jobs: {}\n  dlq: {}\n";

void CheckError(Fixture& f, const std::string& action, const json& input, int status,
                const std::string& type, const std::string& query_code) {
  auto response = f.JsonRaw(action, input.dump());
  CAPTURE(action);
  CAPTURE(response.body);
  CHECK(response.status == status);
  json body = json::parse(response.body);
  CHECK(body["__type"] == "com.amazonaws.sqs#" + type);
  CHECK(body["message"].is_string());
  CHECK(response.Header("x-amzn-query-error") == query_code + ";Sender");
  CHECK(!response.Header("x-amzn-requestid").empty());
}

TEST_CASE("queues: create, find, list with prefix and pages, attributes, delete") {
  Fixture f(kYaml);
  json created = f.Ok("CreateQueue", {{"QueueName", "alpha"},
                                      {"Attributes", {{"VisibilityTimeout", "45"}, {"DelaySeconds", "2"}}},
                                      {"tags", {{"team", "a"}}}});
  CHECK(created["QueueUrl"] == f.url("alpha"));
  // Same attributes again: the same queue; different ones: QueueNameExists.
  CHECK(f.Ok("CreateQueue", {{"QueueName", "alpha"}, {"Attributes", {{"VisibilityTimeout", "45"}}}})["QueueUrl"] == f.url("alpha"));
  CheckError(f, "CreateQueue", {{"QueueName", "alpha"}, {"Attributes", {{"VisibilityTimeout", "46"}}}}, 400,
             "QueueNameExists", "QueueAlreadyExists");
  CHECK(f.Ok("GetQueueUrl", {{"QueueName", "alpha"}})["QueueUrl"] == f.url("alpha"));
  CHECK(f.Ok("ListQueues", json::object())["QueueUrls"].size() == 3);
  CHECK(f.Ok("ListQueues", {{"QueueNamePrefix", "al"}})["QueueUrls"] == json{f.url("alpha")});
  json page = f.Ok("ListQueues", {{"MaxResults", 2}});
  CHECK(page["QueueUrls"] == json{f.url("alpha"), f.url("dlq")});
  json next = f.Ok("ListQueues", {{"MaxResults", 2}, {"NextToken", page["NextToken"]}});
  CHECK(next["QueueUrls"] == json{f.url("jobs")});
  CHECK_FALSE(next.contains("NextToken"));

  json attrs = f.Ok("GetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"AttributeNames", {"All"}}})["Attributes"];
  CHECK(attrs["VisibilityTimeout"] == "45");
  CHECK(attrs["DelaySeconds"] == "2");
  CHECK(attrs["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:alpha");
  CHECK(attrs["ApproximateNumberOfMessages"] == "0");
  f.Ok("SetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"Attributes", {{"ReceiveMessageWaitTimeSeconds", "5"}}}});
  json one = f.Ok("GetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"AttributeNames", {"ReceiveMessageWaitTimeSeconds"}}});
  CHECK(one["Attributes"] == json{{"ReceiveMessageWaitTimeSeconds", "5"}});
  CheckError(f, "SetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"Attributes", {{"VisibilityTimeout", "43201"}}}},
             400, "InvalidAttributeValue", "InvalidAttributeValue");
  CheckError(f, "SetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"Attributes", {{"Color", "red"}}}}, 400,
             "InvalidAttributeName", "InvalidAttributeName");
  CheckError(f, "GetQueueAttributes", {{"QueueUrl", f.url("alpha")}, {"AttributeNames", {"Color"}}}, 400,
             "InvalidAttributeName", "InvalidAttributeName");

  f.Ok("DeleteQueue", {{"QueueUrl", f.url("alpha")}});
  CheckError(f, "GetQueueUrl", {{"QueueName", "alpha"}}, 400, "QueueDoesNotExist",
             "AWS.SimpleQueueService.NonExistentQueue");
  CheckError(f, "DeleteQueue", {{"QueueUrl", f.url("alpha")}}, 400, "QueueDoesNotExist",
             "AWS.SimpleQueueService.NonExistentQueue");
  CheckError(f, "CreateQueue", {{"QueueName", "bad name"}}, 400, "InvalidParameterValue", "InvalidParameterValue");
  CheckError(f, "CreateQueue", {{"QueueName", "x"}, {"Attributes", {{"FifoQueue", "true"}}}}, 400,
             "InvalidParameterValue", "InvalidParameterValue");
  CheckError(f, "CreateQueue", json::object(), 400, "MissingParameter", "MissingParameter");
  CheckError(f, "Frobnicate", json::object(), 400, "InvalidAction", "InvalidAction");
}

TEST_CASE("messages: send, receive with attributes, delete, change visibility") {
  Fixture f(kYaml);
  json attributes = {{"color", {{"DataType", "String"}, {"StringValue", "blue"}}},
                     {"blob", {{"DataType", "Binary"}, {"BinaryValue", Base64Encode(std::string("\0\1", 2))}}},
                     {"trace.id", {{"DataType", "Number"}, {"StringValue", "7"}}}};
  json sent = f.Ok("SendMessage", {{"QueueUrl", f.url("jobs")}, {"MessageBody", "hello"},
                                   {"MessageAttributes", attributes},
                                   {"MessageSystemAttributes", {{"AWSTraceHeader", {{"DataType", "String"}, {"StringValue", "Root=1-a"}}}}}});
  CHECK(sent["MD5OfMessageBody"] == triggers::queue::Md5Hex("hello"));
  CHECK(sent["MD5OfMessageAttributes"] == triggers::queue::Md5OfAttributes(attributes));
  CHECK(sent["MD5OfMessageSystemAttributes"].is_string());
  json got = f.Ok("ReceiveMessage", {{"QueueUrl", f.url("jobs")}, {"AttributeNames", {"All"}},
                                     {"MessageAttributeNames", {"color", "trace.*"}}});
  REQUIRE(got["Messages"].size() == 1);
  json m = got["Messages"][0];
  CHECK(m["MessageId"] == sent["MessageId"]);
  CHECK(m["Body"] == "hello");
  CHECK(m["MD5OfBody"] == sent["MD5OfMessageBody"]);
  CHECK(m["Attributes"]["ApproximateReceiveCount"] == "1");
  CHECK(m["Attributes"]["AWSTraceHeader"] == "Root=1-a");
  json chosen = {{"color", attributes["color"]}, {"trace.id", attributes["trace.id"]}};
  CHECK(m["MessageAttributes"] == chosen);
  CHECK(m["MD5OfMessageAttributes"] == triggers::queue::Md5OfAttributes(chosen));
  // In flight: nothing more to receive; visibility 0 makes it receivable again at once.
  CHECK_FALSE(f.Ok("ReceiveMessage", {{"QueueUrl", f.url("jobs")}}).contains("Messages"));
  f.Ok("ChangeMessageVisibility", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", m["ReceiptHandle"]}, {"VisibilityTimeout", 0}});
  json again = f.Ok("ReceiveMessage", {{"QueueUrl", f.url("jobs")}, {"AttributeNames", {"ApproximateReceiveCount"}}});
  REQUIRE(again["Messages"].size() == 1);
  CHECK(again["Messages"][0]["Attributes"] == json{{"ApproximateReceiveCount", "2"}});
  CHECK_FALSE(again["Messages"][0].contains("MessageAttributes"));
  std::string receipt = again["Messages"][0]["ReceiptHandle"];
  f.Ok("DeleteMessage", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", receipt}});
  f.Ok("DeleteMessage", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", receipt}});  // idempotent
  CheckError(f, "ChangeMessageVisibility", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", receipt}, {"VisibilityTimeout", 5}},
             400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight");
  CheckError(f, "DeleteMessage", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", "garbage"}}, 404,
             "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid");
  auto counts = f.Ok("GetQueueAttributes", {{"QueueUrl", f.url("jobs")}, {"AttributeNames", {"All"}}})["Attributes"];
  CHECK(counts["ApproximateNumberOfMessages"] == "0");
  CHECK(counts["ApproximateNumberOfMessagesNotVisible"] == "0");
}

TEST_CASE("messages: SQS's validation errors") {
  Fixture f(kYaml);
  std::string url = f.url("jobs");
  CheckError(f, "SendMessage", {{"QueueUrl", url}}, 400, "MissingParameter", "MissingParameter");
  CheckError(f, "SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string("\x01", 1)}}, 400,
             "InvalidMessageContents", "InvalidMessageContents");
  CheckError(f, "SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string(256 * 1024 + 1, 'x')}}, 400,
             "InvalidParameterValue", "InvalidParameterValue");
  f.Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string(256 * 1024, 'x')}});
  CheckError(f, "SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"DelaySeconds", 901}}, 400,
             "InvalidParameterValue", "InvalidParameterValue");
  CheckError(f, "SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageDeduplicationId", "d"}}, 400,
             "InvalidParameterValue", "InvalidParameterValue");
  CheckError(f, "SendMessage", {{"QueueUrl", f.url("nope")}, {"MessageBody", "x"}}, 400, "QueueDoesNotExist",
             "AWS.SimpleQueueService.NonExistentQueue");
  CheckError(f, "ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", 11}}, 400, "InvalidParameterValue",
             "InvalidParameterValue");
  CheckError(f, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 21}}, 400, "InvalidParameterValue",
             "InvalidParameterValue");
  auto malformed = f.JsonRaw("SendMessage", "{not json");
  CHECK(malformed.status == 400);
}

TEST_CASE("batches: send, delete and change visibility, with per-entry failures") {
  Fixture f(kYaml);
  std::string url = f.url("jobs");
  json result = f.Ok("SendMessageBatch", {{"QueueUrl", url}, {"Entries", {
      {{"Id", "a"}, {"MessageBody", "one"}},
      {{"Id", "b"}, {"MessageBody", "two"}, {"DelaySeconds", 1000}},
      {{"Id", "c"}, {"MessageBody", "three"}}}}});
  CHECK(result["Successful"].size() == 2);
  REQUIRE(result["Failed"].size() == 1);
  CHECK(result["Failed"][0]["Id"] == "b");
  CHECK(result["Failed"][0]["SenderFault"] == true);
  CHECK(result["Failed"][0]["Code"] == "InvalidParameterValue");
  CHECK(result["Successful"][0]["MD5OfMessageBody"] == triggers::queue::Md5Hex("one"));
  json got = f.Ok("ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", 10}});
  REQUIRE(got["Messages"].size() == 2);
  json changes = json::array(), deletes = json::array();
  changes.push_back({{"Id", "x"}, {"ReceiptHandle", got["Messages"][0]["ReceiptHandle"]}, {"VisibilityTimeout", 0}});
  changes.push_back({{"Id", "y"}, {"ReceiptHandle", "bogus"}, {"VisibilityTimeout", 0}});
  json changed = f.Ok("ChangeMessageVisibilityBatch", {{"QueueUrl", url}, {"Entries", changes}});
  CHECK(changed["Successful"] == json{{{"Id", "x"}}});
  CHECK(changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid");
  deletes.push_back({{"Id", "d1"}, {"ReceiptHandle", got["Messages"][1]["ReceiptHandle"]}});
  json deleted = f.Ok("DeleteMessageBatch", {{"QueueUrl", url}, {"Entries", deletes}});
  CHECK(deleted["Successful"] == json{{{"Id", "d1"}}});
  CHECK(deleted["Failed"].empty());

  CheckError(f, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", json::array()}}, 400, "EmptyBatchRequest",
             "AWS.SimpleQueueService.EmptyBatchRequest");
  json eleven = json::array();
  for (int i = 0; i < 11; ++i) eleven.push_back({{"Id", std::to_string(i)}, {"MessageBody", "x"}});
  CheckError(f, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", eleven}}, 400,
             "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
  CheckError(f, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", {{{"Id", "a"}, {"MessageBody", "x"}}, {{"Id", "a"}, {"MessageBody", "y"}}}}},
             400, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
  CheckError(f, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", {{{"Id", "a b"}, {"MessageBody", "x"}}}}}, 400,
             "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId");
  json big = json::array();
  for (int i = 0; i < 2; ++i) big.push_back({{"Id", std::to_string(i)}, {"MessageBody", std::string(200 * 1024, 'x')}});
  CheckError(f, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", big}}, 400, "BatchRequestTooLong",
             "AWS.SimpleQueueService.BatchRequestTooLong");
}

TEST_CASE("purge, tags and dead-letter source queues") {
  Fixture f("queues:\n  jobs: { dead_letter: { queue: dlq, max_receives: 3 } }\n  dlq: {}\n  other: {}\n");
  f.Ok("SendMessage", {{"QueueUrl", f.url("jobs")}, {"MessageBody", "x"}});
  f.Ok("PurgeQueue", {{"QueueUrl", f.url("jobs")}});
  CHECK_FALSE(f.Ok("ReceiveMessage", {{"QueueUrl", f.url("jobs")}}).contains("Messages"));
  CheckError(f, "PurgeQueue", {{"QueueUrl", f.url("jobs")}}, 403, "PurgeQueueInProgress",
             "AWS.SimpleQueueService.PurgeQueueInProgress");
  f.Advance(std::chrono::seconds(61));
  f.Ok("PurgeQueue", {{"QueueUrl", f.url("jobs")}});

  f.Ok("TagQueue", {{"QueueUrl", f.url("jobs")}, {"Tags", {{"a", "1"}, {"b", "2"}}}});
  f.Ok("UntagQueue", {{"QueueUrl", f.url("jobs")}, {"TagKeys", {"a"}}});
  CHECK(f.Ok("ListQueueTags", {{"QueueUrl", f.url("jobs")}})["Tags"] == json{{"b", "2"}});
  CHECK(f.Ok("ListDeadLetterSourceQueues", {{"QueueUrl", f.url("dlq")}})["queueUrls"] == json{f.url("jobs")});
  CHECK_FALSE(f.Ok("ListDeadLetterSourceQueues", {{"QueueUrl", f.url("other")}}).contains("queueUrls"));
  // A redrive policy naming a missing queue, or a queue of the other type, is refused.
  CheckError(f, "SetQueueAttributes", {{"QueueUrl", f.url("other")}, {"Attributes", {{"RedrivePolicy",
             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:gone","maxReceiveCount":2})"}}}},
             400, "InvalidAttributeValue", "InvalidAttributeValue");
}

TEST_CASE("route guards: only SQS requests reach the queue routes") {
  Fixture f(kYaml);
  auto sqs = [](const http::Request& r) { return triggers::queue::IsSqsRequest(r); };
  http::Request request;
  request.method = "POST";
  request.path = "/";
  request.headers.Add("X-Amz-Target", "AmazonSQS.ListQueues");
  CHECK(sqs(request));
  http::Request dynamo = request;
  dynamo.headers.Set("X-Amz-Target", "DynamoDB_20120810.ListTables");
  CHECK_FALSE(sqs(dynamo));
  http::Request s3;
  s3.method = "GET";
  s3.path = "/bucket/key";
  s3.headers.Add("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x");
  CHECK_FALSE(sqs(s3));
  http::Request form;
  form.method = "POST";
  form.headers.Add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(sqs(form));
  http::Request get;
  get.method = "GET";
  get.query = "Version=2012-11-05&Action=ListQueues";
  CHECK(sqs(get));
  get.query = "list-type=2";
  CHECK_FALSE(sqs(get));
  // Over the wire: a GET with Action= to a queue URL is the query protocol.
  auto response = f.Raw("GET", "/000000000000/jobs?Action=GetQueueAttributes&AttributeName.1=QueueArn", "", "");
  CHECK(response.status == 200);
  CHECK(response.body.find("<Name>QueueArn</Name>") != std::string::npos);
}

}  // namespace
}  // namespace stratus::qtest
