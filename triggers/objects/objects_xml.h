// The XML S3 speaks: a writer for response documents and a small reader for the request
// documents clients send (Delete, CompleteMultipartUpload, NotificationConfiguration,
// CreateBucketConfiguration). Pure functions and values; no threading rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/util/escape.h"  // XmlEscape
#include "emulator/util/status.h"

namespace stratus::triggers::objects {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";


// Builds a document: XmlWriter w("ListBucketResult"); w.Leaf("Name", b); w.Open("Contents")...
class XmlWriter {
 public:
  // Starts the document with its root element in S3's namespace.
  explicit XmlWriter(std::string_view root, bool with_namespace = true);
  XmlWriter& Open(std::string_view name);
  XmlWriter& Close();
  XmlWriter& Leaf(std::string_view name, std::string_view text);
  // Closes every open element and returns the document.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

struct XmlNode {
  std::string name;  // local name (a namespace prefix is dropped)
  std::string text;  // the concatenated character data directly inside the element
  std::vector<XmlNode> children;

  const XmlNode* Child(std::string_view child_name) const;
  std::vector<const XmlNode*> Children(std::string_view child_name) const;
  // The text of the first child so named, or `fallback`.
  std::string ChildText(std::string_view child_name, std::string fallback = "") const;
};

// Parses a document (declaration, comments, attributes and CDATA allowed; no DTD). Returns
// the root element, or InvalidArgument describing the first malformation.
Result<XmlNode> ParseXml(std::string_view document);

}  // namespace stratus::triggers::objects
