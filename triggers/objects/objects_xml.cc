#include "triggers/objects/objects_xml.h"

#include <cstdint>

namespace stratus::triggers::objects {

XmlWriter::XmlWriter(std::string_view root, bool with_namespace) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out_ += root;
  if (with_namespace) {
    out_ += " xmlns=\"";
    out_ += kS3Namespace;
    out_ += "\"";
  }
  out_ += ">";
  open_.emplace_back(root);
}

XmlWriter& XmlWriter::Open(std::string_view name) {
  out_ += "<";
  out_ += name;
  out_ += ">";
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  if (open_.empty()) return *this;
  out_ += "</" + open_.back() + ">";
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::Leaf(std::string_view name, std::string_view text) {
  out_ += "<";
  out_ += name;
  out_ += ">";
  out_ += XmlEscape(text);
  out_ += "</";
  out_ += name;
  out_ += ">";
  return *this;
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

const XmlNode* XmlNode::Child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::Children(std::string_view child_name) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::string XmlNode::ChildText(std::string_view child_name, std::string fallback) const {
  const XmlNode* c = Child(child_name);
  return c ? c->text : fallback;
}

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  Result<XmlNode> Document() {
    SkipMisc();
    if (!Peek('<')) return Fail("expected the root element");
    XmlNode root;
    STRATUS_RETURN_IF_ERROR(Element(&root, 0));
    SkipMisc();
    if (pos_ != in_.size()) return Fail("content after the root element");
    return root;
  }

 private:
  static constexpr int kMaxDepth = 32;

  bool Peek(char c) const { return pos_ < in_.size() && in_[pos_] == c; }
  bool StartsWith(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  Status Fail(const std::string& what) const {
    return Status::InvalidArgument(what + " at offset " + std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' ||
                                 in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  // Skips whitespace, the declaration, processing instructions and comments.
  void SkipMisc() {
    for (;;) {
      SkipSpace();
      size_t end = std::string_view::npos;
      if (StartsWith("<?")) end = in_.find("?>", pos_), end = end == std::string_view::npos ? end : end + 2;
      else if (StartsWith("<!--")) end = in_.find("-->", pos_), end = end == std::string_view::npos ? end : end + 3;
      else return;
      if (end == std::string_view::npos) { pos_ = in_.size(); return; }
      pos_ = end;
    }
  }
  std::string Name() {
    size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != '>' && in_[pos_] != '/' && in_[pos_] != ' ' &&
           in_[pos_] != '\t' && in_[pos_] != '\n' && in_[pos_] != '\r' && in_[pos_] != '=') {
      ++pos_;
    }
    return std::string(in_.substr(start, pos_ - start));
  }
  static std::string LocalName(const std::string& name) {
    size_t colon = name.find(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
  }

  Status Attributes() {
    for (;;) {
      SkipSpace();
      if (Peek('>') || Peek('/')) return Status::Ok();
      if (Name().empty()) return Fail("malformed attribute");
      SkipSpace();
      if (!Peek('=')) return Fail("attribute without a value");
      ++pos_;
      SkipSpace();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) {
        return Fail("unquoted attribute value");
      }
      size_t end = in_.find(in_[pos_], pos_ + 1);
      if (end == std::string_view::npos) return Fail("unterminated attribute value");
      pos_ = end + 1;
    }
  }

  Status Entity(std::string* out) {
    size_t end = in_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) return Fail("malformed entity");
    std::string_view name = in_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    if (name == "lt") *out += '<';
    else if (name == "gt") *out += '>';
    else if (name == "amp") *out += '&';
    else if (name == "quot") *out += '"';
    else if (name == "apos") *out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string digits(name.substr(hex ? 2 : 1));
      if (digits.empty() || digits.size() > 8) return Fail("malformed character reference");
      char* rest = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &rest, hex ? 16 : 10);
      if (*rest != '\0' || cp == 0 || cp > 0x10FFFF) return Fail("malformed character reference");
      AppendUtf8(static_cast<uint32_t>(cp), out);
    } else {
      return Fail("unknown entity &" + std::string(name) + ";");
    }
    return Status::Ok();
  }

  Status Element(XmlNode* node, int depth) {
    if (depth > kMaxDepth) return Fail("elements nested too deeply");
    ++pos_;  // '<'
    std::string name = Name();
    if (name.empty()) return Fail("element without a name");
    node->name = LocalName(name);
    STRATUS_RETURN_IF_ERROR(Attributes());
    if (StartsWith("/>")) {
      pos_ += 2;
      return Status::Ok();
    }
    ++pos_;  // '>'
    return Content(node, name, depth);
  }

  Status Content(XmlNode* node, const std::string& name, int depth) {
    for (;;) {
      if (pos_ >= in_.size()) return Fail("unterminated element <" + name + ">");
      char c = in_[pos_];
      if (c == '&') {
        STRATUS_RETURN_IF_ERROR(Entity(&node->text));
      } else if (c != '<') {
        node->text += c;
        ++pos_;
      } else if (StartsWith("</")) {
        pos_ += 2;
        if (Name() != name) return Fail("mismatched closing tag for <" + name + ">");
        SkipSpace();
        if (!Peek('>')) return Fail("malformed closing tag");
        ++pos_;
        return Status::Ok();
      } else if (StartsWith("<![CDATA[")) {
        size_t end = in_.find("]]>", pos_);
        if (end == std::string_view::npos) return Fail("unterminated CDATA");
        node->text += in_.substr(pos_ + 9, end - pos_ - 9);
        pos_ = end + 3;
      } else if (StartsWith("<!--") || StartsWith("<?")) {
        SkipMisc();
      } else {
        node->children.emplace_back();
        STRATUS_RETURN_IF_ERROR(Element(&node->children.back(), depth + 1));
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

Result<XmlNode> ParseXml(std::string_view document) { return Parser(document).Document(); }

}  // namespace stratus::triggers::objects
