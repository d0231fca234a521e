// The object store's pure codecs: XML, checksums, aws-chunked framing, request parsing
// (virtual hosts, queries, ranges, dates, conditions, bucket names).
#include <doctest/doctest.h>

#include "emulator/util/base64.h"
#include "triggers/objects/objects_checksums.h"
#include "triggers/objects/objects_chunked.h"
#include "triggers/objects/objects_request.h"
#include "triggers/objects/objects_xml.h"

namespace stratus::triggers::objects {
namespace {

TEST_CASE("XML: documents clients send parse; malformed ones are refused") {
  auto doc = ParseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><!-- c -->"
      "<Object><Key>a &amp; b &lt;c&gt; &#x263A;</Key></Object>"
      "<Object><Key><![CDATA[x<y]]></Key></Object><Quiet>true</Quiet></Delete>");
  REQUIRE(doc.ok());
  CHECK(doc->name == "Delete");
  auto objects = doc->Children("Object");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0]->ChildText("Key") == "a & b <c> \xE2\x98\xBA");
  CHECK(objects[1]->ChildText("Key") == "x<y");
  CHECK(doc->ChildText("Quiet") == "true");
  for (const char* bad : {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a></a><b/>", "<a x=1></a>"}) {
    CHECK_MESSAGE(!ParseXml(bad).ok(), bad);
  }
}

TEST_CASE("XML: the writer escapes text and closes what is open") {
  XmlWriter xml("R");
  xml.Open("A").Leaf("K", "<&>\"'").Close().Leaf("B", "");
  std::string doc = xml.Finish();
  CHECK(doc.find("<A><K>&lt;&amp;&gt;&quot;&apos;</K></A><B></B></R>") != std::string::npos);
  auto back = ParseXml(doc);
  REQUIRE(back.ok());
  CHECK(back->Child("A")->ChildText("K") == "<&>\"'");
}

TEST_CASE("Checksums: standard check values and one pass for all") {
  const std::string input = "123456789";
  CHECK(HexEncode(ChecksumOf(ChecksumAlgorithm::kCrc32, input)) == "cbf43926");
  CHECK(HexEncode(ChecksumOf(ChecksumAlgorithm::kCrc32c, input)) == "e3069283");
  CHECK(HexEncode(ChecksumOf(ChecksumAlgorithm::kSha1, "abc")) ==
        "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(HexEncode(ChecksumOf(ChecksumAlgorithm::kSha256, "abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(Md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  // Fed in uneven pieces, the digests match the one-shot ones.
  std::string big(100003, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  BodyHasher hasher(AllChecksumAlgorithms());
  for (size_t at = 0; at < big.size(); at += 777) hasher.Update(std::string_view(big).substr(at, 777));
  Digests d = hasher.Finish();
  CHECK(d.size == big.size());
  CHECK(d.md5 == Md5(big));
  for (ChecksumAlgorithm a : AllChecksumAlgorithms()) CHECK(d.checksums[a] == ChecksumOf(a, big));
  CHECK(ParseChecksumAlgorithm("crc32c") == ChecksumAlgorithm::kCrc32c);
  CHECK(!ParseChecksumAlgorithm("md5"));
  CHECK(ChecksumHeader(ChecksumAlgorithm::kSha256) == "x-amz-checksum-sha256");
}

std::string DecodeAll(const std::string& body, size_t piece, Status* status,
                      std::map<std::string, std::string>* trailers = nullptr) {
  std::string out;
  AwsChunkedDecoder decoder([&](std::string_view d) { out.append(d); });
  *status = Status::Ok();
  for (size_t at = 0; at < body.size() && status->ok(); at += piece) {
    *status = decoder.Feed(std::string_view(body).substr(at, piece));
  }
  if (status->ok()) *status = decoder.Finish();
  if (trailers) *trailers = decoder.trailers();
  return out;
}

TEST_CASE("aws-chunked: signed chunks and unsigned chunks with a checksum trailer") {
  const std::string signed_body =
      "5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n"
      "0;chunk-signature=cccc\r\n\r\n";
  const std::string trailer_body =
      "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  for (size_t piece : {size_t(1), size_t(3), size_t(1000)}) {
    Status s;
    CHECK(DecodeAll(signed_body, piece, &s) == "hello world");
    CHECK(s.ok());
    std::map<std::string, std::string> trailers;
    CHECK(DecodeAll(trailer_body, piece, &s, &trailers) == "hello world");
    CHECK(s.ok());
    CHECK(trailers["x-amz-checksum-crc32"] == "DUoRhQ==");
  }
  CHECK(Base64Encode(ChecksumOf(ChecksumAlgorithm::kCrc32, "hello world")) == "DUoRhQ==");
}

TEST_CASE("aws-chunked: malformed framing is an error, not data") {
  for (const char* bad : {"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhello world\r\n0\r\n\r\n",
                          "5\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\nextra",
                          "5\r\nhel"}) {
    Status s;
    DecodeAll(bad, 4, &s);
    CHECK_MESSAGE(!s.ok(), bad);
  }
}

TEST_CASE("Requests: virtual-hosted and path-style targets") {
  CHECK(VirtualHostBucket("photos.localhost:4566") == "photos");
  CHECK(VirtualHostBucket("photos.s3.localhost:4566") == "photos");
  CHECK(VirtualHostBucket("my.dotted.bucket.s3.localhost") == "my.dotted.bucket");
  CHECK(VirtualHostBucket("photos.s3.amazonaws.com") == "photos");
  CHECK(VirtualHostBucket("photos.s3.eu-west-1.amazonaws.com") == "photos");
  CHECK(VirtualHostBucket("localhost:4566") == "");
  CHECK(VirtualHostBucket("s3.localhost") == "");
  CHECK(VirtualHostBucket("127.0.0.1:4566") == "");
  http::Request r;
  r.path = "/bkt/a%20b/..%2F..%2Fetc/passwd";
  r.headers.Add("Host", "127.0.0.1:4566");
  auto t = ParseTarget(r);
  REQUIRE(t);
  CHECK(t->bucket == "bkt");
  CHECK(t->key == "a b/../../etc/passwd");
  r.headers.Set("Host", "bkt.localhost:4566");
  r.path = "/dir/k+1%25";
  t = ParseTarget(r);
  REQUIRE(t);
  CHECK(t->bucket == "bkt");
  CHECK(t->key == "dir/k+1%");
  r.path = "/bad%zz";
  CHECK(!ParseTarget(r));
}

TEST_CASE("Requests: query, ranges, dates, conditions, names") {
  auto q = ParseQuery("list-type=2&prefix=a%2Bb+c&delimiter=%2F&uploads");
  CHECK(q["list-type"] == "2");
  CHECK(q["prefix"] == "a+b c");
  CHECK(q["delimiter"] == "/");
  CHECK(q.count("uploads") == 1);

  ByteRange r;
  CHECK(ParseRange("bytes=0-9", 100, &r) == RangeParse::kOk);
  CHECK((r.begin == 0 && r.end == 10));
  CHECK(ParseRange("bytes=90-", 100, &r) == RangeParse::kOk);
  CHECK((r.begin == 90 && r.end == 100));
  CHECK(ParseRange("bytes=-10", 100, &r) == RangeParse::kOk);
  CHECK((r.begin == 90 && r.end == 100));
  CHECK(ParseRange("bytes=50-1000", 100, &r) == RangeParse::kOk);
  CHECK(r.end == 100);
  CHECK(ParseRange("bytes=100-", 100, &r) == RangeParse::kUnsatisfiable);
  CHECK(ParseRange("bytes=-0", 100, &r) == RangeParse::kUnsatisfiable);
  CHECK(ParseRange("bytes=5-1", 100, &r) == RangeParse::kNone);
  CHECK(ParseRange("bytes=0-1,3-4", 100, &r) == RangeParse::kNone);
  CHECK(ParseRange("", 100, &r) == RangeParse::kNone);

  CHECK(HttpDate(1255369800000) == "Mon, 12 Oct 2009 17:50:00 GMT");
  CHECK(ParseHttpDate("Mon, 12 Oct 2009 17:50:00 GMT") == 1255369800000);
  CHECK(!ParseHttpDate("yesterday"));

  std::string failed;
  const int64_t t = 1255369800000;
  auto eval = [&](Conditions c) { return EvaluateConditions(c, "abc", t, &failed); };
  CHECK(eval({"\"abc\"", "", "", ""}) == ConditionResult::kProceed);
  CHECK(eval({"\"xyz\"", "", "", ""}) == ConditionResult::kPreconditionFailed);
  CHECK(failed == "If-Match");
  CHECK(eval({"", "\"abc\"", "", ""}) == ConditionResult::kNotModified);
  CHECK(eval({"", "*", "", ""}) == ConditionResult::kNotModified);
  CHECK(eval({"", "", "Mon, 12 Oct 2009 17:50:00 GMT", ""}) == ConditionResult::kNotModified);
  CHECK(eval({"", "", "Sun, 11 Oct 2009 17:50:00 GMT", ""}) == ConditionResult::kProceed);
  CHECK(eval({"", "", "", "Sun, 11 Oct 2009 17:50:00 GMT"}) == ConditionResult::kPreconditionFailed);
  // If-Match that holds wins over a failing If-Unmodified-Since, as S3 documents.
  CHECK(eval({"abc", "", "", "Sun, 11 Oct 2009 17:50:00 GMT"}) == ConditionResult::kProceed);

  const std::string longest(63, 'a');
  CHECK(IsValidBucketName(longest));
  CHECK(!IsValidBucketName(longest + "a"));
  for (const char* good : {"abc", "my-bucket.v2", "a1b"}) {
    CHECK_MESSAGE(IsValidBucketName(good), good);
  }
  for (const char* bad : {"ab", "Upper", "-start", "end-", "a..b", "192.168.1.1", "a_b", "a.-b"}) {
    CHECK_MESSAGE(!IsValidBucketName(bad), bad);
  }
  CHECK(PercentEncode("a b/ü+%", /*keep_slash=*/true) == "a%20b/%C3%BC%2B%25");
  CHECK(PrefixSuccessor("abc") == "abd");
  CHECK(PrefixSuccessor("a\xff") == "b");
  CHECK(PrefixSuccessor("") == "");
  CHECK(CommonPrefix("photos/2024/a.jpg", "photos/", "/") == "photos/2024/");
  CHECK(CommonPrefix("photos/a.jpg", "photos/", "/") == "");  // no delimiter after the prefix
  CHECK(CommonPrefix("a--b--c", "", "--") == "a--");
  CHECK(CommonPrefix("photos/2024/a.jpg", "photos/", "") == "");
  CHECK(Unquote("\"abc\"") == "abc");
}

}  // namespace
}  // namespace stratus::triggers::objects
