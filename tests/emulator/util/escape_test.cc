#include "emulator/util/escape.h"

#include <doctest/doctest.h>

namespace stratus {
namespace {

TEST_CASE("XmlEscape: markup characters, carriage returns and forbidden control characters") {
  CHECK(XmlEscape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(XmlEscape("line\r\nnext\ttab") == "line&#13;\nnext\ttab");
  CHECK(XmlEscape(std::string("x\x01y\x1f", 4)) == "x?y?");
  CHECK(XmlEscape("ü") == "ü");  // UTF-8 passes through
}

TEST_CASE("PercentEncode keeps unreserved characters, and '/' when asked") {
  CHECK(PercentEncode("a b/ü+%~._-", true) == "a%20b/%C3%BC%2B%25~._-");
  CHECK(PercentEncode("a/b", false) == "a%2Fb");
}

TEST_CASE("IsValidUtf8 accepts well-formed UTF-8 only") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  CHECK_FALSE(IsValidUtf8("\xff\xfe"));
  CHECK_FALSE(IsValidUtf8("\xc3"));                  // cut short
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));              // cut short
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));          // overlong, three bytes
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));          // a UTF-16 surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));      // past U+10FFFF
  CHECK_FALSE(IsValidUtf8("a\x80" "b"));            // stray continuation byte
}

}  // namespace
}  // namespace stratus
