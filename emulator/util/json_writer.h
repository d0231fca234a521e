// JsonWriter: JSON text written straight into a string, for the hot paths (a gateway event per
// request) where building a nlohmann::json tree and dumping it cost more than the rest of the
// request. The text is what DumpJson would print for the same tree: compact, keys in the order
// written, non-ASCII kept as UTF-8, invalid UTF-8 replaced by U+FFFD (never a throw).
// Threading: none; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stratus {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The name of the next member of the open object.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is JSON text already (a dumped document).
  JsonWriter& Raw(std::string_view json);

  JsonWriter& Member(std::string_view name, std::string_view value) {
    return Key(name).String(value);
  }
  JsonWriter& Member(std::string_view name, const char* value) {
    return Key(name).String(value);
  }
  JsonWriter& Member(std::string_view name, int64_t value) { return Key(name).Int(value); }
  JsonWriter& Member(std::string_view name, bool value) { return Key(name).Bool(value); }

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  void Separate() {
    if (need_comma_) out_ += ',';
  }
  void Quoted(std::string_view text);

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace stratus
