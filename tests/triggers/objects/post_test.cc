// POST Object (browser-form uploads): the streaming multipart/form-data parser fed byte by
// byte, POST policies, and the whole path through an embedded emulator with raw HTTP — fields,
// ${filename}, 200/201/204/303 answers, a file large enough to go to disk, every error S3
// answers a malformed form with, content-length-range discarding the body, and the
// s3:ObjectCreated:Post notification.
#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "emulator/emulator.h"
#include "emulator/util/base64.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "tests/triggers/objects/objects_fixture.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_form.h"
#include "triggers/objects/objects_policy.h"

namespace stratus::triggers::objects {
namespace {

const std::string kBoundary = "----stratusFormBoundary7MA4YWxkTrZu0gW";

// A multipart/form-data body, part by part.
class Form {
 public:
  Form& Field(const std::string& name, const std::string& value) {
    body_ += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
             value + "\r\n";
    return *this;
  }
  Form& File(const std::string& content, const std::string& filename = "photo.jpg") {
    body_ += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
             filename + "\"\r\nContent-Type: image/jpeg\r\n\r\n" + content + "\r\n";
    return *this;
  }
  Form& Raw(const std::string& bytes) {
    body_ += bytes;
    return *this;
  }
  std::string Finish() const { return body_ + "--" + kBoundary + "--\r\n"; }
  std::string Unfinished() const { return body_; }

 private:
  std::string body_;
};

const std::string kFormType = "Content-Type: multipart/form-data; boundary=" + kBoundary + "\r\n";

testing::RawResponse Post(Fixture& f, const std::string& form) { return f.Send("POST", "/box", form, kFormType); }

std::string Policy(const std::string& conditions, const std::string& expiration = "2099-01-01T00:00:00.000Z") {
  return Base64Encode("{\"expiration\": \"" + expiration + "\", \"conditions\": " + conditions + "}");
}

std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 1000) % 26);
  return s;
}

struct Parsed {
  std::vector<FormField> fields;
  std::optional<std::string> filename;
  std::string file;
  int file_ends = 0;
};

Status ParseInSlices(const std::string& body, size_t slice, Parsed* out) {
  FormParser::Callbacks callbacks;
  callbacks.on_file = [out](const FilePart& part) { out->filename = part.filename; };
  callbacks.on_file_data = [out](std::string_view data) { out->file.append(data); };
  callbacks.on_file_end = [out] { ++out->file_ends; };
  FormParser parser(kBoundary, callbacks);
  for (size_t at = 0; at < body.size(); at += slice) {
    Status s = parser.Feed(std::string_view(body).substr(at, slice));
    if (!s.ok()) return s;
  }
  Status s = parser.Finish();
  out->fields = parser.fields();
  return s;
}

TEST_CASE("POST form parser: boundaries found across chunk edges, byte by byte") {
  // File content that keeps looking like the start of a delimiter.
  std::string tricky = "a\r\n--" + kBoundary.substr(0, 10) + "\r\n-\r\n--\r" + Pattern(300) + "\r\n";
  std::string body = "preamble to ignore\r\n" +
                     Form().Field("key", "k/${filename}").Field("x-amz-meta-a", "").File(tricky, "C:\\x\\y.bin")
                         .Field("after", "ignored")
                         .Finish() +
                     "epilogue";
  for (size_t slice : {size_t(1), size_t(2), size_t(7), size_t(64), body.size()}) {
    CAPTURE(slice);
    Parsed p;
    REQUIRE(ParseInSlices(body, slice, &p).ok());
    REQUIRE(p.fields.size() == 2);
    CHECK(p.fields[0].name == "key");
    CHECK(p.fields[0].value == "k/${filename}");
    CHECK(p.fields[1].value.empty());
    CHECK(p.filename == "C:\\x\\y.bin");
    CHECK(p.file == tricky);
    CHECK(p.file_ends == 1);
  }
}

TEST_CASE("POST form parser: malformed bodies and the 20 KB cap before the file") {
  Parsed p;
  CHECK(ParseInSlices(Form().Field("key", "k").File("x").Unfinished(), 3, &p).code() == Status::Code::kInvalidArgument);
  std::string no_disposition = "--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" + kBoundary + "--\r\n";
  CHECK(ParseInSlices(no_disposition, 5, &p).code() == Status::Code::kInvalidArgument);
  std::string junk_after_boundary = "--" + kBoundary + "junk\r\n\r\nv\r\n--" + kBoundary + "--\r\n";
  CHECK(ParseInSlices(junk_after_boundary, 5, &p).code() == Status::Code::kInvalidArgument);
  CHECK(ParseInSlices(Form().Field("big", std::string(kMaxPreFileBytes, 'x')).File("x").Finish(), 1000, &p).code() ==
        Status::Code::kResourceExhausted);
  // The file itself is not counted, nor what follows it.
  Parsed big;
  CHECK(ParseInSlices(Form().Field("key", "k").File(std::string(100000, 'x')).Field("late", std::string(30000, 'y')).Finish(),
                      4096, &big)
            .ok());
  CHECK(big.file.size() == 100000);
  CHECK(FormBoundary("multipart/form-data; boundary=\"a b\"") == "a b");
  CHECK(FormBoundary("Multipart/Form-Data;boundary=xyz") == "xyz");
  CHECK(FormBoundary("multipart/form-data") == "");
  CHECK(FormBoundary("text/plain") == std::nullopt);
}

TEST_CASE("POST file relay: the ingest's pauses reach the request stream") {
  auto request = std::make_shared<http::BodyStream>();
  int resumed = 0;
  request->SetResumeHook([&] { ++resumed; });
  FileRelay relay(request);
  std::string got;
  relay.stream()->OnData([&](std::string_view data) {
    got.append(data);
    if (got.size() >= 4) relay.stream()->Pause();  // the disk lags
  });
  relay.Deliver("ab");
  CHECK_FALSE(request->paused());
  relay.Deliver("cd");
  CHECK(request->paused());
  relay.stream()->Resume();  // the disk caught up
  CHECK_FALSE(request->paused());
  CHECK(resumed == 1);
  // Ending while paused resumes the request for good: the rest of the body is read and dropped.
  relay.Deliver("ef");
  CHECK(request->paused());
  Status ended = Status::Internal("not ended");
  relay.stream()->OnEnd([&](Status s) { ended = s; });
  relay.End(Status::Ok());
  CHECK(ended.ok());
  CHECK_FALSE(request->paused());
  CHECK(resumed == 2);
  relay.Deliver("gh");
  CHECK(got == "abcdef");
}

TEST_CASE("POST policy: documents, conditions and coverage") {
  auto check = [](const std::string& policy, const std::vector<FormField>& fields, S3Error* error) {
    PostPolicy p;
    return PostPolicy::Parse(policy, &p, error) && p.Check(1700000000000, fields, "box", error);
  };
  S3Error e;
  std::vector<FormField> fields = {{"key", "user/a.txt"}, {"Content-Type", "image/png,image/gif"}, {"x-ignore-me", "1"}};
  CHECK(check(Policy(R"([{"bucket": "box"}, ["starts-with", "$key", "user/"], ["starts-with", "$content-type", "image/"]])"),
              fields, &e));
  CHECK_FALSE(check(Policy(R"([["starts-with", "$key", "user/"], ["eq", "$Content-Type", "image/png"]])"), fields, &e));
  CHECK(e.status == 403);
  CHECK(e.message == R"(Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"])");
  CHECK_FALSE(check(Policy(R"([{"bucket": "other"}, ["starts-with", "$key", ""], ["starts-with", "$content-type", ""]])"), fields, &e));
  CHECK(e.message == R"(Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other"])");
  CHECK_FALSE(check(Policy(R"([["starts-with", "$key", "user/"]])"), fields, &e));
  CHECK(e.message == "Invalid according to Policy: Extra input fields: Content-Type");
  // A condition on a field the form lacks fails, even starts-with "".
  CHECK_FALSE(check(Policy(R"([["starts-with", "$key", ""], ["starts-with", "$content-type", ""], ["starts-with", "$x-amz-meta-a", ""]])"), fields, &e));
  CHECK(e.code == "AccessDenied");
  CHECK_FALSE(check(Policy("[]", "2020-01-01T00:00:00Z"), fields, &e));
  CHECK(e.message == "Invalid according to Policy: Policy expired.");
  CHECK_FALSE(check(Base64Encode("{nope"), fields, &e));
  CHECK(e.code == "InvalidPolicyDocument");
  CHECK(e.message == "Invalid Policy: Invalid JSON.");
  CHECK_FALSE(check(Policy(R"([{"a": "1", "b": "2"}])"), fields, &e));
  CHECK(e.message == "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
  CHECK_FALSE(check(Policy("[]", "2020-01-01 00:00:00"), fields, &e));
  CHECK(e.message == "Invalid Policy: Invalid 'expiration' value: '2020-01-01 00:00:00'");
  CHECK_FALSE(check(Policy(R"([["content-length-range", 0, 512.0]])"), fields, &e));
  CHECK(e.message == "Invalid Policy: Invalid JSON.");
  CHECK_FALSE(check(Base64Encode(R"({"conditions": []})"), fields, &e));
  CHECK(e.code == "InvalidPolicyDocument");

  PostPolicy sized;
  REQUIRE(PostPolicy::Parse(Policy(R"([["content-length-range", 5, "10"]])"), &sized, &e));
  CHECK(sized.CheckSize(5, &e));
  CHECK(sized.CheckSize(10, &e));
  CHECK_FALSE(sized.CheckSize(11, &e));
  CHECK(e.code == "EntityTooLarge");
  CHECK_FALSE(sized.CheckSize(4, &e));
  CHECK(e.code == "EntityTooSmall");
  CHECK(ParsePolicyTime("2013-08-01T12:00:00.000Z") == int64_t(1375358400000));
  CHECK(ParsePolicyTime("2013-08-01T12:00:00+02:00") == std::nullopt);
}

TEST_CASE("POST: a form upload is stored with its fields, 204 by default") {
  Fixture f;
  std::string form = Form()
                         .Field("KEY", "uploads/${filename}")
                         .Field("Content-Type", "text/plain")
                         .Field("Cache-Control", "max-age=60")
                         .Field("x-amz-meta-Color", "Blue")
                         .File("hello", "C:\\Users\\me\\a b.txt")
                         .Field("x-amz-meta-late", "ignored")
                         .Finish();
  auto r = Post(f, form);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(r.Header("etag") == "\"5d41402abc4b2a76b9719d911017c592\"");
  CHECK(r.Header("location") == "http://127.0.0.1/box/uploads%2Fa%20b.txt");
  CHECK(!r.Header("x-amz-request-id").empty());
  auto get = f.Send("GET", "/box/uploads/a%20b.txt");
  CHECK(get.status == 200);
  CHECK(get.body == "hello");
  CHECK(get.Header("content-type") == "text/plain");
  CHECK(get.Header("cache-control") == "max-age=60");
  CHECK(get.Header("x-amz-meta-color") == "Blue");
  CHECK(get.Header("x-amz-meta-late").empty());
}

TEST_CASE("POST: success_action_status 200 and 201, redirects") {
  Fixture f;
  auto r = Post(f, Form().Field("key", "a/b c").Field("success_action_status", "201").File("xyz").Finish());
  CHECK(r.status == 201);
  CHECK(r.Header("content-type") == "application/xml");
  CHECK(Tag(r.body, "Location") == "http://127.0.0.1/box/a%2Fb%20c");
  CHECK(Tag(r.body, "Bucket") == "box");
  CHECK(Tag(r.body, "Key") == "a/b c");
  CHECK(Tag(r.body, "ETag") == "\"d16fb36f0911f878998c136191af705e\"");
  CHECK(Post(f, Form().Field("key", "k").Field("success_action_status", "200").File("1").Finish()).status == 200);
  CHECK(Post(f, Form().Field("key", "k").Field("success_action_status", "302").File("1").Finish()).status == 204);
  r = Post(f, Form().Field("key", "up/x y").Field("success_action_redirect", "https://example.com/done?from=form").File("xyz").Finish());
  CHECK(r.status == 303);
  CHECK(r.Header("location") ==
        "https://example.com/done?from=form&bucket=box&key=up%2Fx+y&etag=%22d16fb36f0911f878998c136191af705e%22");
  r = Post(f, Form().Field("key", "k").Field("redirect", "http://example.com/").File("xyz").Finish());
  CHECK(r.status == 303);
  CHECK(r.Header("location").rfind("http://example.com/?bucket=box&key=k&etag=", 0) == 0);
  // Virtual-hosted style: the form goes to the bucket's own host.
  r = f.Send("POST", "/", Form().Field("key", "v/k").Field("success_action_status", "201").File("xyz").Finish(), kFormType,
             "box.localhost:4566");
  CHECK(r.status == 201);
  CHECK(r.Header("location") == "http://box.localhost:4566/v%2Fk");
  CHECK(f.Send("GET", "/box/v/k").body == "xyz");
  // A URL S3 cannot interpret is ignored.
  CHECK(Post(f, Form().Field("key", "k").Field("success_action_redirect", "/relative").File("xyz").Finish()).status == 204);
}

TEST_CASE("POST: a several-MiB file streams to disk, hashed as a PUT would be") {
  Fixture f;
  std::string content = Pattern(6 << 20);
  auto put = f.Send("PUT", "/box/by-put", content);
  REQUIRE(put.status == 200);
  int blobs_before = f.BlobFiles();
  auto r = Post(f, Form().Field("key", "by-post").File(content).Finish());
  CHECK(r.status == 204);
  CHECK(r.Header("etag") == put.Header("etag"));
  CHECK(f.BlobFiles() == blobs_before + 1);
  auto get = f.Send("GET", "/box/by-post");
  CHECK(get.body.size() == content.size());
  CHECK(get.body == content);
}

TEST_CASE("POST: malformed forms get S3's errors, after the body, on a live connection") {
  Fixture f;
  testing::RawClient client(f.port());
  auto r = Fixture::SendOn(client, "POST", "/box", "key=a&file=b", "Content-Type: application/x-www-form-urlencoded\r\n");
  CHECK(r.status == 412);
  CHECK(Tag(r.body, "Code") == "PreconditionFailed");
  CHECK(Tag(r.body, "Condition") == "Bucket POST must be of the enclosure-type multipart/form-data");
  r = Fixture::SendOn(client, "POST", "/box", "x", "Content-Type: multipart/form-data\r\n");
  CHECK(r.status == 400);
  CHECK(Tag(r.body, "Code") == "MalformedPOSTRequest");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("key", "cut").File("abc").Unfinished(), kFormType);
  CHECK(Tag(r.body, "Code") == "MalformedPOSTRequest");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("key", "k").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "InvalidArgument");
  CHECK(Tag(r.body, "Message") == "POST requires exactly one file upload per request.");
  CHECK(Tag(r.body, "ArgumentName") == "file");
  r = Fixture::SendOn(client, "POST", "/box", Form().File("abc").Field("key", "too-late").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "InvalidArgument");
  CHECK(Tag(r.body, "ArgumentName") == "key");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("pad", std::string(kMaxPreFileBytes, 'p')).Field("key", "k").File("a").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "MaxPostPreDataLengthExceeded");
  CHECK(Tag(r.body, "MaxPostPreDataLengthBytes") == "20480");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("key", "k").Raw("--" + kBoundary + "\r\n\r\nno headers\r\n").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "MalformedPOSTRequest");
  r = Fixture::SendOn(client, "POST", "/nope-bucket", Form().Field("key", "k").File("a").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "NoSuchBucket");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("key", "k").Field("Content-MD5", Base64Encode("0123456789abcdef")).File("a").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "BadDigest");
  r = Fixture::SendOn(client, "POST", "/box", Form().Field("key", std::string(1025, 'k')).File("a").Finish(), kFormType);
  CHECK(Tag(r.body, "Code") == "KeyTooLongError");
  // The connection survived every error; none of them stored anything.
  r = Fixture::SendOn(client, "GET", "/box?list-type=2", "", "");
  CHECK(r.status == 200);
  CHECK(Tag(r.body, "KeyCount") == "0");
}

TEST_CASE("POST: checksum fields are verified and returned") {
  Fixture f;
  // CRC32 of "hello" is 0x3610a686.
  std::string crc = Base64Encode(std::string("\x36\x10\xa6\x86", 4));
  auto r = Post(f, Form().Field("key", "c").Field("x-amz-checksum-crc32", crc).File("hello").Finish());
  CHECK(r.status == 204);
  CHECK(r.Header("x-amz-checksum-crc32") == crc);
  r = Post(f, Form().Field("key", "c2").Field("x-amz-checksum-crc32", Base64Encode("abcd")).File("hello").Finish());
  CHECK(r.status == 400);
  CHECK(Tag(r.body, "Code") == "BadDigest");
}

TEST_CASE("POST: the policy is enforced, content-length-range on the real size") {
  Fixture f;
  std::string conditions = R"([{"bucket": "box"}, ["starts-with", "$key", "user/"], ["content-length-range", 1, 70000],
                               {"x-amz-algorithm": "AWS4-HMAC-SHA256"}])";
  auto form = [&](const std::string& key, const std::string& content, const std::string& extra = "") {
    Form fm;
    fm.Field("key", key).Field("X-Amz-Algorithm", "AWS4-HMAC-SHA256").Field("Policy", Policy(conditions));
    fm.Field("x-amz-signature", "not-checked").Field("x-ignore-tracking", "1");
    if (!extra.empty()) fm.Field(extra, "v");
    return fm.File(content).Finish();
  };
  CHECK(Post(f, form("user/ok", "fine")).status == 204);
  auto r = Post(f, form("other/no", "fine"));
  CHECK(r.status == 403);
  CHECK(Tag(r.body, "Message") == R"(Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"])");
  r = Post(f, form("user/extra", "fine", "x-amz-meta-note"));
  CHECK(r.status == 403);
  CHECK(Tag(r.body, "Message") == "Invalid according to Policy: Extra input fields: x-amz-meta-note");
  // Too large, and large enough to have reached the disk: refused, and its body removed.
  int blobs = f.BlobFiles();
  r = Post(f, form("user/big", Pattern(200000)));
  CHECK(r.status == 400);
  CHECK(Tag(r.body, "Code") == "EntityTooLarge");
  CHECK(Tag(r.body, "ProposedSize") == "200000");
  CHECK(Tag(r.body, "MaxSizeAllowed") == "70000");
  r = Post(f, form("user/empty", ""));
  CHECK(Tag(r.body, "Code") == "EntityTooSmall");
  CHECK(f.Send("HEAD", "/box/user/big").status == 404);
  CHECK(f.BlobFilesOnceEqual(blobs) == blobs);
  r = Post(f, Form().Field("key", "user/x").Field("policy", Policy("[]", "2001-01-01T00:00:00Z")).File("a").Finish());
  CHECK(r.status == 403);
  CHECK(Tag(r.body, "Message") == "Invalid according to Policy: Policy expired.");
}

TEST_CASE("POST: s3:ObjectCreated:Post reaches a queue") {
  Fixture f;
  auto r = f.NotifyJobsQueue("posts", {"s3:ObjectCreated:Post"});
  REQUIRE(r.status == 200);
  CHECK(f.Send("PUT", "/box/by-put", "x").status == 200);  // a Put: not selected
  CHECK(Post(f, Form().Field("key", "in/${filename}").File("12345", "r.txt").Finish()).status == 204);
  auto sent = f.Sent();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].first == "jobs");
  CHECK(sent[0].second.find("\"eventName\":\"ObjectCreated:Post\"") != std::string::npos);
  CHECK(sent[0].second.find("\"key\":\"in/r.txt\"") != std::string::npos);
  CHECK(sent[0].second.find("\"size\":5") != std::string::npos);
}

}  // namespace
}  // namespace stratus::triggers::objects
