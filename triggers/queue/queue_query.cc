// The query protocol of SQS (older SDKs and CLIs, Debian's included): flattened form
// parameters in, XML out. Parameters are gathered into the JSON protocol's request shape and
// answers rendered from its response shape, so the actions exist once.
#include <algorithm>
#include <map>

#include "emulator/http/router.h"
#include "triggers/queue/queue_protocols.h"

namespace stratus::triggers::queue {
namespace {

using nlohmann::json;

constexpr char kXmlns[] = "http://queue.amazonaws.com/doc/2012-11-05/";

// A form key split on '.': "Attribute.1.Name" -> Attribute / 1 / Name.
struct Node {
  std::optional<std::string> value;
  std::map<std::string, Node> children;
};

enum class Shape { kString, kList, kNameValueMap, kKeyValueMap, kAttributeMap, kStructList };
struct Rule {
  const char* query;
  const char* json;
  Shape shape;
};
constexpr Rule kRules[] = {
    {"Attribute", "Attributes", Shape::kNameValueMap},
    {"AttributeName", "AttributeNames", Shape::kList},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", Shape::kList},
    {"MessageAttributeName", "MessageAttributeNames", Shape::kList},
    {"TagKey", "TagKeys", Shape::kList},
    {"MessageAttribute", "MessageAttributes", Shape::kAttributeMap},
    {"MessageSystemAttribute", "MessageSystemAttributes", Shape::kAttributeMap},
    {"SendMessageBatchRequestEntry", "Entries", Shape::kStructList},
    {"DeleteMessageBatchRequestEntry", "Entries", Shape::kStructList},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", Shape::kStructList},
    {"StringListValue", "StringListValues", Shape::kList},
    {"BinaryListValue", "BinaryListValues", Shape::kList},
};

// Children "1", "2", ... in numeric order (non-numeric keys are ignored).
std::vector<const Node*> Indexed(const Node& node) {
  std::vector<std::pair<long, const Node*>> items;
  for (const auto& [key, child] : node.children) {
    char* end = nullptr;
    long index = std::strtol(key.c_str(), &end, 10);
    if (!key.empty() && *end == '\0') items.emplace_back(index, &child);
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Node*> out;
  for (const auto& item : items) out.push_back(item.second);
  return out;
}

std::string ChildValue(const Node& node, const char* name) {
  auto it = node.children.find(name);
  return it != node.children.end() && it->second.value ? *it->second.value : "";
}

json Convert(const Node& node, const std::string& action);

json ConvertRule(const Rule& rule, const Node& node, const std::string& action) {
  json out;
  switch (rule.shape) {
    case Shape::kString: break;
    case Shape::kList:
      out = json::array();
      for (const Node* item : Indexed(node)) out.push_back(item->value.value_or(""));
      break;
    case Shape::kNameValueMap:
    case Shape::kKeyValueMap: {
      bool names = rule.shape == Shape::kNameValueMap;
      out = json::object();
      for (const Node* item : Indexed(node)) {
        out[ChildValue(*item, names ? "Name" : "Key")] = ChildValue(*item, "Value");
      }
      break;
    }
    case Shape::kAttributeMap:
      out = json::object();
      for (const Node* item : Indexed(node)) {
        auto value = item->children.find("Value");
        out[ChildValue(*item, "Name")] =
            value == item->children.end() ? json::object() : Convert(value->second, action);
      }
      break;
    case Shape::kStructList:
      out = json::array();
      for (const Node* item : Indexed(node)) out.push_back(Convert(*item, action));
      break;
  }
  return out;
}

json Convert(const Node& node, const std::string& action) {
  json out = json::object();
  for (const auto& [key, child] : node.children) {
    const Rule* rule = nullptr;
    for (const auto& r : kRules) {
      if (key == r.query) rule = &r;
    }
    if (key == "Tag") {
      // CreateQueue's member is "tags", TagQueue's "Tags"; both are Tag.N.Key/Value.
      out[action == "CreateQueue" ? "tags" : "Tags"] =
          ConvertRule({"Tag", "Tags", Shape::kKeyValueMap}, child, action);
    } else if (rule != nullptr) {
      out[rule->json] = ConvertRule(*rule, child, action);
    } else if (child.value) {
      out[key] = *child.value;
    } else {
      out[key] = Convert(child, action);
    }
  }
  return out;
}

void AppendEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      case '"': out->append("&quot;"); break;
      case '\'': out->append("&apos;"); break;
      case '\r': out->append("&#xD;"); break;  // XML parsers would turn a raw CR into LF
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out->push_back('?');  // not representable in XML 1.0
        } else {
          out->push_back(c);
        }
    }
  }
}

void Element(std::string* out, const std::string& name, const json& value,
             const std::string& action);

void Scalar(std::string* out, const std::string& name, const json& value) {
  *out += "<" + name + ">";
  if (value.is_string()) {
    AppendEscaped(out, value.get_ref<const std::string&>());
  } else if (value.is_boolean()) {
    *out += value.get<bool>() ? "true" : "false";
  } else {
    *out += value.dump();
  }
  *out += "</" + name + ">";
}

void Members(std::string* out, const json& object, const std::string& action) {
  for (const auto& [key, value] : object.items()) Element(out, key, value, action);
}

void Element(std::string* out, const std::string& key, const json& value,
             const std::string& action) {
  if (key == "QueueUrls" || key == "queueUrls" || key == "StringListValues" ||
      key == "BinaryListValues" || key == "Messages" || key == "Successful" || key == "Failed") {
    std::string item = key == "Messages"           ? "Message"
                       : key == "Successful"       ? action + "ResultEntry"
                       : key == "Failed"           ? "BatchResultErrorEntry"
                       : key == "StringListValues" ? "StringListValue"
                       : key == "BinaryListValues" ? "BinaryListValue"
                                                   : "QueueUrl";
    for (const auto& element : value) {
      if (element.is_object()) {
        *out += "<" + item + ">";
        Members(out, element, action);
        *out += "</" + item + ">";
      } else {
        Scalar(out, item, element);
      }
    }
  } else if (key == "Attributes" || key == "Tags") {
    bool tags = key == "Tags";
    for (const auto& [name, v] : value.items()) {
      *out += tags ? "<Tag><Key>" : "<Attribute><Name>";
      AppendEscaped(out, name);
      *out += tags ? "</Key>" : "</Name>";
      Scalar(out, "Value", v);
      *out += tags ? "</Tag>" : "</Attribute>";
    }
  } else if (key == "MessageAttributes") {
    for (const auto& [name, v] : value.items()) {
      *out += "<MessageAttribute><Name>";
      AppendEscaped(out, name);
      *out += "</Name><Value>";
      Members(out, v, action);
      *out += "</Value></MessageAttribute>";
    }
  } else {
    Scalar(out, key, value);
  }
}

bool HasResultElement(const std::string& action) {
  static const char* const kNoResult[] = {"DeleteQueue", "SetQueueAttributes", "DeleteMessage",
                                          "ChangeMessageVisibility", "PurgeQueue", "TagQueue",
                                          "UntagQueue"};
  return std::none_of(std::begin(kNoResult), std::end(kNoResult),
                      [&action](const char* name) { return action == name; });
}

http::Response XmlError(const SqsError& error, const std::string& request_id) {
  ErrorSpelling spelling = Spell(error.kind);
  std::string body = std::string("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"") + kXmlns +
                     "\"><Error><Type>" + (spelling.sender ? "Sender" : "Receiver") +
                     "</Type><Code>" + spelling.query_code + "</Code><Message>";
  AppendEscaped(&body, error.message);
  body += "</Message><Detail/></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>";
  http::Response response = http::Response::Text(spelling.http_status, body, "text/xml");
  response.headers.Add("x-amzn-RequestId", request_id);
  return response;
}

}  // namespace

bool ParseForm(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string pair(text.substr(0, amp));
    text.remove_prefix(amp == std::string_view::npos ? text.size() : amp + 1);
    if (pair.empty()) continue;
    std::replace(pair.begin(), pair.end(), '+', ' ');
    size_t eq = pair.find('=');
    std::string key, value;
    if (!http::PercentDecode(pair.substr(0, eq), &key)) return false;
    if (eq != std::string::npos && !http::PercentDecode(pair.substr(eq + 1), &value)) return false;
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

json QueryToJson(const std::string& action,
                 const std::vector<std::pair<std::string, std::string>>& pairs) {
  Node root;
  for (const auto& [key, value] : pairs) {
    Node* node = &root;
    size_t start = 0;
    while (start <= key.size()) {
      size_t dot = key.find('.', start);
      node = &node->children[key.substr(start, dot - start)];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    node->value = value;
  }
  return Convert(root, action);
}

std::string JsonToXml(const std::string& action, const json& output, const std::string& request_id) {
  std::string xml = "<?xml version=\"1.0\"?><" + action + "Response xmlns=\"" + kXmlns + "\">";
  if (HasResultElement(action)) {
    xml += "<" + action + "Result>";
    Members(&xml, output, action);
    xml += "</" + action + "Result>";
  }
  xml += "<ResponseMetadata><RequestId>" + request_id + "</RequestId></ResponseMetadata></" +
         action + "Response>";
  return xml;
}

void ServeQuery(const http::Request& request, const ActionContext& context, http::Reply reply,
                const std::string& request_id) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!ParseForm(request.query, &pairs) || !ParseForm(request.body, &pairs)) {
    reply.Send(XmlError(InvalidParameter("The request has a malformed form encoding."), request_id));
    return;
  }
  std::string action;
  for (const auto& [key, value] : pairs) {
    if (key == "Action") action = value;
  }
  if (action.empty()) {
    reply.Send(XmlError({ErrorKind::kInvalidAction, "The request must contain an Action."}, request_id));
    return;
  }
  json input = QueryToJson(action, pairs);
  input.erase("Action");
  input.erase("Version");
  RunAction(action, input, context, [reply, request_id, action](ActionResult result) {
    if (result.error) {
      reply.Send(XmlError(*result.error, request_id));
      return;
    }
    reply.Send(http::Response::Text(200, JsonToXml(action, result.output, request_id), "text/xml"));
  });
}

}  // namespace stratus::triggers::queue
