// The S3 API on the wire, with an embedded emulator: exact bytes for what SDK tests cannot
// easily send (aws-chunked bodies, requests signed for another service, malformed input),
// XML error documents, keep-alive after errors, keys that look like paths, and notification
// delivery to a queue through the emulator's queue sink.
#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>

#include "emulator/emulator.h"
#include "emulator/util/base64.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "tests/triggers/objects/objects_fixture.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_checksums.h"

namespace stratus::triggers::objects {
namespace {

TEST_CASE("API: errors are S3 XML documents with matching request ids") {
  Fixture f;
  auto r = f.Send("GET", "/nope-bucket/key");
  CHECK(r.status == 404);
  CHECK(r.Header("content-type") == "application/xml");
  CHECK(Tag(r.body, "Code") == "NoSuchBucket");
  CHECK(Tag(r.body, "BucketName") == "nope-bucket");
  CHECK(Tag(r.body, "Resource") == "/nope-bucket/key");
  CHECK(!r.Header("x-amz-request-id").empty());
  CHECK(Tag(r.body, "RequestId") == r.Header("x-amz-request-id"));
  r = f.Send("GET", "/box/missing");
  CHECK(Tag(r.body, "Code") == "NoSuchKey");
  r = f.Send("HEAD", "/box/missing");
  CHECK(r.status == 404);
  CHECK(r.body.empty());
  r = f.Send("GET", "/box?lifecycle");
  CHECK(r.status == 501);
  CHECK(Tag(r.body, "Code") == "NotImplemented");
  r = f.Send("POST", "/box?delete", "<Delete><Object>");
  CHECK(Tag(r.body, "Code") == "MalformedXML");
  r = f.Send("PUT", "/box/k", "x", "Content-MD5: not-base64\r\n");
  CHECK(Tag(r.body, "Code") == "InvalidDigest");
}

TEST_CASE("API: a request signed for another service is not claimed") {
  Fixture f;
  const std::string sqs =
      "Authorization: AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host, Signature=abc\r\n";
  auto r = f.Send("POST", "/", "Action=ListQueues", sqs);
  CHECK(r.status == 404);
  CHECK(r.body.find("<Error>") == std::string::npos);
  const std::string s3 =
      "Authorization: AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/s3/aws4_request, "
      "SignedHeaders=host, Signature=abc\r\n";
  r = f.Send("GET", "/", "", s3);
  CHECK(r.status == 200);
  CHECK(r.body.find("<Name>box</Name>") != std::string::npos);
}

TEST_CASE("API: errors keep the connection alive") {
  Fixture f;
  testing::RawClient client(f.port());
  for (int i = 0; i < 3; ++i) {
    client.Send("GET /box/none HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.Read();
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  client.Send("PUT /box/k HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /box/k HTTP/1.1\r\nHost: x\r\n\r\n");
  auto put = client.Read();
  auto get = client.Read();
  REQUIRE((put && get));
  CHECK(put->status == 200);
  CHECK(get->body == "abc");
}

TEST_CASE("API: a PUT declaring more than 5 GiB gets S3's EntityTooLarge, whatever the size") {
  Fixture f;
  for (std::string length : {"5368709121", "6000000000", "1000000000000"}) {
    CAPTURE(length);
    testing::RawClient client(f.port());
    client.Send("PUT /box/huge HTTP/1.1\r\nHost: x\r\nContent-Length: " + length +
                "\r\n\r\n");
    auto r = client.Read();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(Tag(r->body, "Code") == "EntityTooLarge");
    CHECK_FALSE(r->Header("x-amz-request-id").empty());
  }
  CHECK(f.Send("HEAD", "/box/huge").status == 404);
}

TEST_CASE("API: aws-chunked bodies, signed and with a checksum trailer") {
  Fixture f;
  const std::string signed_body =
      "5;chunk-signature=aa\r\nhello\r\n6;chunk-signature=bb\r\n world\r\n0;chunk-signature=cc\r\n\r\n";
  auto r = f.Send("PUT", "/box/signed", signed_body,
                  "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n"
                  "x-amz-decoded-content-length: 11\r\nContent-Encoding: aws-chunked\r\n");
  CHECK(r.status == 200);
  CHECK(r.Header("etag") == "\"" + HexEncode(Md5("hello world")) + "\"");
  CHECK(f.Send("GET", "/box/signed").body == "hello world");
  CHECK(f.Send("HEAD", "/box/signed").Header("content-encoding").empty());

  std::string crc = Base64Encode(ChecksumOf(ChecksumAlgorithm::kCrc32, "hello world"));
  const std::string trailer_headers =
      "x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nContent-Encoding: aws-chunked\r\n"
      "x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: 11\r\n";
  r = f.Send("PUT", "/box/trailer", "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n",
             trailer_headers);
  CHECK(r.status == 200);
  CHECK(r.Header("x-amz-checksum-crc32") == crc);
  r = f.Send("GET", "/box/trailer", "", "x-amz-checksum-mode: ENABLED\r\n");
  CHECK(r.body == "hello world");
  CHECK(r.Header("x-amz-checksum-crc32") == crc);

  r = f.Send("PUT", "/box/bad", "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
             trailer_headers);
  CHECK(Tag(r.body, "Code") == "BadDigest");
  r = f.Send("PUT", "/box/bad", "5\r\nhello\r\n0\r\n\r\n", trailer_headers);
  CHECK(Tag(r.body, "Code") == "IncompleteBody");  // 5 bytes, 11 declared
  r = f.Send("PUT", "/box/bad", "zz\r\nhello\r\n", trailer_headers);
  CHECK(Tag(r.body, "Code") == "IncompleteBody");
  CHECK(f.Send("GET", "/box/bad").status == 404);
}

TEST_CASE("API: keys never become file paths") {
  Fixture f;
  std::string big(200 * 1024, 'x');
  for (const char* key : {"/box/..%2F..%2F..%2Fescaped", "/box/../../escaped2", "/box/%2E%2E/%2E%2E/x"}) {
    CHECK(f.Send("PUT", key, big).status == 200);
  }
  namespace fs = std::filesystem;
  for (const auto& entry : fs::recursive_directory_iterator(f.dir())) {
    std::string name = entry.path().filename().string();
    CHECK_MESSAGE(name.find("escaped") == std::string::npos, entry.path());
  }
  auto r = f.Send("GET", "/box?list-type=2&prefix=..");
  CHECK(r.body.find("<Key>../../../escaped</Key>") != std::string::npos);
  CHECK((f.Send("GET", "/box/..%2F..%2F..%2Fescaped").body == big));
}

TEST_CASE("API: virtual-hosted requests and bucket-level checks") {
  Fixture f;
  CHECK(f.Send("PUT", "/hosted", "data", "", "box.localhost:4566").status == 200);
  CHECK(f.Send("GET", "/box/hosted").body == "data");
  testing::RawClient client(f.port());
  client.Send("GET /?list-type=2 HTTP/1.1\r\nHost: box.s3.localhost\r\n\r\n");
  auto r = client.Read();
  REQUIRE(r);
  CHECK(r->body.find("<Key>hosted</Key>") != std::string::npos);
  CHECK(Tag(f.Send("PUT", "/Bad_Bucket").body, "Code") == "InvalidBucketName");
  CHECK(Tag(f.Send("GET", "/box?list-type=2&max-keys=x").body, "Code") == "InvalidArgument");
  CHECK(Tag(f.Send("GET", "/box?list-type=2&encoding-type=zip").body, "Code") == "InvalidArgument");
  CHECK(Tag(f.Send("GET", "/box/hosted", "", "Range: bytes=10-\r\n").body, "Code") == "InvalidRange");
}

TEST_CASE("API: queue notifications go through the emulator's queue sink") {
  Fixture f;
  auto r = f.NotifyJobsQueue("q", {"s3:ObjectCreated:*"});
  REQUIRE(r.status == 200);
  CHECK(f.Send("PUT", "/box/a%20b.txt", "12345").status == 200);
  auto sent = f.Sent();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].first == "jobs");
  CHECK(sent[0].second.find("\"key\":\"a+b.txt\"") != std::string::npos);
  CHECK(sent[0].second.find("\"configurationId\":\"q\"") != std::string::npos);
  r = f.Send("GET", "/box?notification");
  CHECK(r.body.find("<Queue>arn:aws:sqs:us-east-1:000000000000:jobs</Queue>") != std::string::npos);
  // An empty configuration turns notifications off.
  CHECK(f.Send("PUT", "/box?notification", "<NotificationConfiguration/>").status == 200);
  CHECK(f.Send("PUT", "/box/c", "1").status == 200);
  CHECK(f.Sent().size() == 1);
}

}  // namespace
}  // namespace stratus::triggers::objects
