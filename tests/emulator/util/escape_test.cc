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

}  // namespace
}  // namespace stratus
