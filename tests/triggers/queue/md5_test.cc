// The digests SDKs verify: MD5OfMessageAttributes against published vectors (the
// aws-md5-of-message-attributes package's examples, which follow SQS's documented
// algorithm), MD5 of bodies, and the message-text rule.
#include "triggers/queue/queue_md5.h"

#include <doctest/doctest.h>

#include "emulator/util/base64.h"
#include "triggers/queue/queue_message_format.h"

namespace stratus::triggers::queue {
namespace {

using nlohmann::json;

TEST_CASE("MD5OfMessageAttributes matches published vectors") {
  json string_attr = {{"attribName1", {{"DataType", "String"}, {"StringValue", "attribValue 1"}}}};
  json number_attr = {{"customNumberTypeAttrib",
                       {{"DataType", "Number.float"},
                        {"StringValue", "4563442423554324324264524243.32543234"}}}};
  json binary_attr = {{"binaryAttribute",
                       {{"DataType", "Binary"}, {"BinaryValue", Base64Encode("Hello binary world!")}}}};
  struct Case {
    json attributes;
    const char* md5;
  } cases[] = {
      {string_attr, "19e27d4e946b072f3f58da80d94fd778"},
      {number_attr, "9fe1b90bbd9965bdf77bac517c7d2495"},
      {binary_attr, "31a92b15d92f8db860eda32aceb656c3"},
  };
  json all = json::object();
  for (const auto& c : cases) {
    CHECK(Md5OfAttributes(c.attributes) == c.md5);
    all.update(c.attributes);
  }
  CHECK(Md5OfAttributes(all) == "c932db14a896c663f83c260297d594ff");
  CHECK(Md5OfAttributes(json::object()) == "");
  CHECK(Md5OfAttributes(nullptr) == "");
}

TEST_CASE("MD5 and SHA-256 of bodies") {
  CHECK(Md5Hex("Test message.") == "e4e68fb7bd0e697a0ae8f1bb342846b3");
  CHECK(Md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("message text: the characters SQS allows") {
  CHECK(ValidMessageText("plain \t\r\n text"));
  CHECK(ValidMessageText("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  CHECK_FALSE(ValidMessageText(std::string("nul\0byte", 8)));
  CHECK_FALSE(ValidMessageText("\x01"));
  CHECK_FALSE(ValidMessageText("\xEF\xBF\xBE"));   // U+FFFE
  CHECK_FALSE(ValidMessageText("\xED\xA0\x80"));   // a surrogate
  CHECK_FALSE(ValidMessageText("\xC0\x80"));       // overlong
  CHECK_FALSE(ValidMessageText("\xE2\x82"));       // truncated
}

TEST_CASE("message attributes are validated as SQS does") {
  json out;
  size_t size = 0;
  struct Case {
    json in;
    bool ok;
  } cases[] = {
      {{{"a", {{"DataType", "String"}, {"StringValue", "v"}}}}, true},
      {{{"n", {{"DataType", "Number.int"}, {"StringValue", "-1.5e3"}}}}, true},
      {{{"b", {{"DataType", "Binary"}, {"BinaryValue", "AAE="}}}}, true},
      {{{"a", {{"DataType", "String"}, {"StringValue", ""}}}}, false},
      {{{"a", {{"DataType", "Text"}, {"StringValue", "v"}}}}, false},
      {{{"a", {{"StringValue", "v"}}}}, false},
      {{{"AWS.x", {{"DataType", "String"}, {"StringValue", "v"}}}}, false},
      {{{"a..b", {{"DataType", "String"}, {"StringValue", "v"}}}}, false},
      {{{"n", {{"DataType", "Number"}, {"StringValue", "ten"}}}}, false},
      {{{"b", {{"DataType", "Binary"}, {"BinaryValue", "!!"}}}}, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in.dump());
    CHECK(!ValidateMessageAttributes(c.in, &out, &size).has_value() == c.ok);
  }
  json eleven = json::object();
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = {{"DataType", "String"}, {"StringValue", "v"}};
  CHECK(ValidateMessageAttributes(eleven, &out, &size).has_value());
  REQUIRE_FALSE(ValidateMessageAttributes({{"ab", {{"DataType", "String"}, {"StringValue", "xyz"}, {"Junk", 1}}}}, &out, &size));
  CHECK(out == json{{"ab", {{"DataType", "String"}, {"StringValue", "xyz"}}}});
  CHECK(size == 2 + 6 + 3);
}

}  // namespace
}  // namespace stratus::triggers::queue
