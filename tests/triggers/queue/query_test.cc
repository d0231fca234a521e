// The query protocol: flattened form parameters gathered into the JSON request shape, XML
// answers and <ErrorResponse> errors, over the wire to "/" and to queue URLs.
#include <doctest/doctest.h>

#include "tests/triggers/queue/fixture.h"
#include "triggers/queue/queue_md5.h"
#include "triggers/queue/queue_protocols.h"

namespace stratus::qtest {
namespace {

using triggers::queue::JsonToXml;
using triggers::queue::ParseForm;
using triggers::queue::QueryToJson;

std::vector<std::pair<std::string, std::string>> Form(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  REQUIRE(ParseForm(text, &pairs));
  return pairs;
}

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t a = text.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = text.find(close, a);
  return b == std::string::npos ? "" : text.substr(a, b - a);
}

TEST_CASE("form decoding: '+' is a space, escapes are decoded, bad escapes refused") {
  auto pairs = Form("A=b+c&D=%26%3D%0D%0A&E=");
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[0].second == "b c");
  CHECK(pairs[1].second == "&=\r\n");
  CHECK(pairs[2].second == "");
  std::vector<std::pair<std::string, std::string>> bad;
  CHECK_FALSE(ParseForm("A=%zz", &bad));
}

TEST_CASE("flattened parameters become the JSON request shape") {
  struct Case {
    const char* action;
    const char* form;
    json expected;
  } cases[] = {
      {"CreateQueue", "QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Tag.1.Key=k&Tag.1.Value=v",
       {{"QueueName", "q"}, {"Attributes", {{"DelaySeconds", "5"}}}, {"tags", {{"k", "v"}}}}},
      {"TagQueue", "QueueUrl=u&Tag.2.Key=b&Tag.2.Value=2&Tag.1.Key=a&Tag.1.Value=1",
       {{"QueueUrl", "u"}, {"Tags", {{"a", "1"}, {"b", "2"}}}}},
      {"GetQueueAttributes", "QueueUrl=u&AttributeName.2=B&AttributeName.1=A&AttributeName.10=C",
       {{"QueueUrl", "u"}, {"AttributeNames", {"A", "B", "C"}}}},
      {"SendMessage",
       "QueueUrl=u&MessageBody=hi&DelaySeconds=3&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=String"
       "&MessageAttribute.1.Value.StringValue=v",
       {{"QueueUrl", "u"}, {"MessageBody", "hi"}, {"DelaySeconds", "3"},
        {"MessageAttributes", {{"n", {{"DataType", "String"}, {"StringValue", "v"}}}}}}},
      {"DeleteMessageBatch",
       "QueueUrl=u&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r",
       {{"QueueUrl", "u"}, {"Entries", {{{"Id", "a"}, {"ReceiptHandle", "r"}}}}}},
      {"UntagQueue", "QueueUrl=u&TagKey.1=a", {{"QueueUrl", "u"}, {"TagKeys", {"a"}}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.form);
    CHECK(QueryToJson(c.action, Form(c.form)) == c.expected);
  }
}

TEST_CASE("JSON answers become SQS's XML") {
  std::string xml = JsonToXml("ReceiveMessage",
                              {{"Messages", {{{"MessageId", "m"}, {"Body", "a<b>&\r"},
                                              {"Attributes", {{"SentTimestamp", "1"}}},
                                              {"MessageAttributes", {{"n", {{"DataType", "String"}, {"StringValue", "v"}}}}}}}}},
                              "req-1");
  CHECK(xml.find("<ReceiveMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                 "<ReceiveMessageResult><Message>") != std::string::npos);
  CHECK(xml.find("<Body>a&lt;b&gt;&amp;&#xD;</Body>") != std::string::npos);
  CHECK(xml.find("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>") != std::string::npos);
  CHECK(xml.find("<MessageAttribute><Name>n</Name><Value><DataType>String</DataType><StringValue>v</StringValue>"
                 "</Value></MessageAttribute>") != std::string::npos);
  CHECK(xml.find("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>") != std::string::npos);
  std::string batch = JsonToXml("SendMessageBatch", {{"Successful", {{{"Id", "a"}}}},
                                                     {"Failed", {{{"Id", "b"}, {"SenderFault", true}}}}}, "r");
  CHECK(batch.find("<SendMessageBatchResultEntry><Id>a</Id></SendMessageBatchResultEntry>") != std::string::npos);
  CHECK(batch.find("<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault></BatchResultErrorEntry>") !=
        std::string::npos);
  CHECK(JsonToXml("DeleteQueue", json::object(), "r").find("Result") == std::string::npos);
  CHECK(JsonToXml("ListQueues", {{"QueueUrls", {"u1", "u2"}}}, "r").find("<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>") !=
        std::string::npos);
}

TEST_CASE("over the wire: the query protocol to / and to a queue URL") {
  Fixture f("queues:\n  jobs: {}\n");
  auto created = f.Query("Action=CreateQueue&QueueName=extra&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=7");
  CHECK(created.status == 200);
  CHECK(created.Header("content-type") == "text/xml");
  CHECK(Between(created.body, "<QueueUrl>", "</QueueUrl>") == f.url("extra"));
  // To the queue URL, with no QueueUrl parameter.
  auto sent = f.Query("Action=SendMessage&MessageBody=caf%C3%A9+%26+%3Ctea%3E", "/000000000000/jobs");
  REQUIRE(sent.status == 200);
  CHECK(Between(sent.body, "<MD5OfMessageBody>", "</MD5OfMessageBody>") ==
        triggers::queue::Md5Hex("caf\xC3\xA9 & <tea>"));
  auto got = f.Query("Action=ReceiveMessage&QueueUrl=" + f.url("jobs") + "&AttributeName.1=All");
  REQUIRE(got.status == 200);
  CHECK(Between(got.body, "<Body>", "</Body>") == "caf\xC3\xA9 &amp; &lt;tea&gt;");
  CHECK(got.body.find("<Name>ApproximateReceiveCount</Name><Value>1</Value>") != std::string::npos);

  auto missing = f.Query("Action=GetQueueUrl&QueueName=nope");
  CHECK(missing.status == 400);
  CHECK(missing.Header("content-type") == "text/xml");
  CHECK(Between(missing.body, "<Type>", "</Type>") == "Sender");
  CHECK(Between(missing.body, "<Code>", "</Code>") == "AWS.SimpleQueueService.NonExistentQueue");
  CHECK(missing.body.find("<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">") != std::string::npos);
  CHECK(!Between(missing.body, "<RequestId>", "</RequestId>").empty());
  auto exists = f.Query("Action=CreateQueue&QueueName=extra&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=8");
  CHECK(Between(exists.body, "<Code>", "</Code>") == "QueueAlreadyExists");
  auto no_action = f.Query("QueueName=x");
  CHECK(Between(no_action.body, "<Code>", "</Code>") == "InvalidAction");
  auto bad_form = f.Query("Action=ListQueues&X=%zz");
  CHECK(Between(bad_form.body, "<Code>", "</Code>") == "InvalidParameterValue");
}

}  // namespace
}  // namespace stratus::qtest
