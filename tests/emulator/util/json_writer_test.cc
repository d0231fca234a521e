#include "emulator/util/json_writer.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "emulator/util/json.h"

namespace stratus {
namespace {

TEST_CASE("JsonWriter writes what DumpJson prints for the same ordered tree") {
  JsonWriter w;
  w.BeginObject()
      .Member("s", "a\"b\\c\n\t\r\b\f\x01 \x7f /é")
      .Member("n", int64_t{-42})
      .Member("t", true)
      .Key("z")
      .Null()
      .Key("list")
      .BeginArray()
      .String("x")
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .EndArray()
      .Key("raw")
      .Raw(R"({"k":[1,2]})")
      .EndObject();
  nlohmann::ordered_json tree = {{"s", "a\"b\\c\n\t\r\b\f\x01 \x7f /é"},
                                 {"n", -42},
                                 {"t", true},
                                 {"z", nullptr},
                                 {"list", {"x", 1, nlohmann::ordered_json::object(),
                                           nlohmann::ordered_json::array()}},
                                 {"raw", {{"k", {1, 2}}}}};
  // DumpJson takes a key-sorted tree; this one keeps the written order, printed the same way.
  CHECK(w.text() == tree.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

TEST_CASE("JsonWriter replaces invalid UTF-8 as DumpJson does, and never throws") {
  for (std::string bad : {std::string("a\xff" "b"), std::string("\xc3"), std::string("\xed\xa0\x80x")}) {
    JsonWriter w;
    w.BeginObject().Member(bad, bad).EndObject();
    nlohmann::json tree = {{bad, bad}};
    CHECK(w.text() == DumpJson(tree));
    CHECK(nlohmann::json::accept(w.text()));
  }
}

}  // namespace
}  // namespace stratus
