#include "emulator/harness/step_fields.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <span>
#include <sstream>

#include "emulator/config/yaml_json.h"

namespace stratus::harness {

namespace {

using config::Entry;
using config::Field;
using config::Reader;
using nlohmann::json;

constexpr int64_t kMaxCount = std::numeric_limits<int32_t>::max();

// Where relative files resolve while one step is read (ParseStep sets it).
thread_local const std::string* step_dir = nullptr;

json ToJson(const YAML::Node& node) { return json::parse(config::YamlToJsonText(node)); }

// A body: a scalar is sent as written, a map or list as JSON.
std::string BodyText(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  return config::YamlToJsonText(node);
}

Result<std::string> ReadFileText(const Reader& r, const Entry& e) {
  auto name = config::ReadName(r, e);
  if (!name.ok()) return name.status();
  std::filesystem::path path = std::filesystem::path(*step_dir) / *name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return r.Error(e.value_position, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

#define STRING_FIELD(key_text, member)                                      \
  Field<Step> {                                                             \
    key_text, [](const Reader& r, const Entry& e, Step& s) -> Status {      \
      auto v = config::ReadString(r, e);                                    \
      if (!v.ok()) return v.status();                                       \
      s.member = *v;                                                        \
      return Status::Ok();                                                  \
    }                                                                       \
  }
#define INT_FIELD(key_text, member, min, max)                               \
  Field<Step> {                                                             \
    key_text, [](const Reader& r, const Entry& e, Step& s) -> Status {      \
      auto v = config::ReadInt(r, e, min, max);                             \
      if (!v.ok()) return v.status();                                       \
      s.member = static_cast<decltype(s.member)::value_type>(*v);           \
      return Status::Ok();                                                  \
    }                                                                       \
  }

Status ReadBody(const Reader& r, const Entry& e, Step& s) {
  s.body = BodyText(e.value);
  return Status::Ok();
}

Status ReadBodyFile(const Reader& r, const Entry& e, Step& s) {
  auto text = ReadFileText(r, e);
  if (!text.ok()) return text.status();
  s.body = *text;
  return Status::Ok();
}

Status ReadHeaders(const Reader& r, const Entry& e, Step& s) {
  auto entries = config::MapEntries(r, e.value, e.value_position, "'headers'");
  if (!entries.ok()) return entries.status();
  for (const Entry& h : *entries) {
    auto v = config::ReadString(r, h);
    if (!v.ok()) return v.status();
    s.headers.emplace_back(h.key, *v);
  }
  return Status::Ok();
}

Status ReadEvent(const Reader& r, const Entry& e, Step& s) {
  s.event = e.value.IsScalar() && e.value.Tag() != "?" ? e.value.Scalar()
                                                        : config::YamlToJsonText(e.value);
  if (!json::accept(s.event)) return r.Error(e.value_position, "'event' is not valid JSON");
  return Status::Ok();
}

Status ReadEventFile(const Reader& r, const Entry& e, Step& s) {
  auto text = ReadFileText(r, e);
  if (!text.ok()) return text.status();
  if (!json::accept(*text)) return r.Error(e.value_position, "the event file is not valid JSON");
  s.event = *text;
  return Status::Ok();
}

Status ReadAsync(const Reader& r, const Entry& e, Step& s) {
  auto v = config::ReadBool(r, e);
  if (!v.ok()) return v.status();
  s.async = *v;
  return Status::Ok();
}

Status ReadTimeout(const Reader& r, const Entry& e, Step& s) {
  auto d = config::ReadDuration(r, e, std::chrono::milliseconds(1), std::chrono::hours(1));
  if (!d.ok()) return d.status();
  s.duration = *d;
  return Status::Ok();
}

Status ReadOutcome(const Reader& r, const Entry& e, Step& s) {
  auto v = config::ReadChoice(r, e, {"success", "error", "throttled", "failed"});
  if (!v.ok()) return v.status();
  s.outcome = *v;
  return Status::Ok();
}

Status ReadExists(const Reader& r, const Entry& e, Step& s) {
  auto v = config::ReadBool(r, e);
  if (!v.ok()) return v.status();
  s.exists = *v;
  return Status::Ok();
}

Status ReadPattern(const Reader& r, const Entry& e, Step& s) {
  auto v = config::ReadName(r, e);
  if (!v.ok()) return v.status();
  try {
    std::regex check(*v);
  } catch (const std::regex_error& err) {
    return r.Error(e.value_position, "'matches' is not a valid regex: " + std::string(err.what()));
  }
  s.pattern = *v;
  return Status::Ok();
}

Status ReadAbsent(const Reader& r, const Entry& e, Step& s) {
  auto v = config::ReadBool(r, e);
  if (!v.ok()) return v.status();
  s.absent = *v;
  return Status::Ok();
}

Status ReadMaxUsd(const Reader& r, const Entry& e, Step& s) {
  double usd = -1;
  if (e.value.IsScalar()) {
    std::istringstream in(e.value.Scalar());
    in >> usd;
    if (!in || !in.eof()) usd = -1;
  }
  if (usd < 0) return r.Error(e.value_position, "'at_most' must be a number of USD, got " +
                                                    config::Describe(e.value));
  s.max_usd = usd;
  return Status::Ok();
}

const Field<Step> kHttpFields[] = {STRING_FIELD("method", method), STRING_FIELD("path", path),
                                   {"headers", ReadHeaders}, {"body", ReadBody},
                                   {"body_file", ReadBodyFile}};
const Field<Step> kInvokeFields[] = {STRING_FIELD("function", function), {"event", ReadEvent},
                                     {"event_file", ReadEventFile}, {"async", ReadAsync}};
const Field<Step> kObjectFields[] = {STRING_FIELD("bucket", bucket), STRING_FIELD("key", key),
                                     {"body", ReadBody}, {"body_file", ReadBodyFile}};
const Field<Step> kGetObjectFields[] = {STRING_FIELD("bucket", bucket), STRING_FIELD("key", key)};
const Field<Step> kExpectObjectFields[] = {STRING_FIELD("bucket", bucket),
                                           STRING_FIELD("key", key), {"body", ReadBody},
                                           {"exists", ReadExists}};
const Field<Step> kSendFields[] = {
    STRING_FIELD("queue", queue), {"body", ReadBody},
    {"delay_seconds", [](const Reader& r, const Entry& e, Step& s) -> Status {
       auto v = config::ReadInt(r, e, 0, 900);
       if (!v.ok()) return v.status();
       s.delay_seconds = static_cast<int>(*v);
       return Status::Ok();
     }}};
const Field<Step> kReceiveFields[] = {
    STRING_FIELD("queue", queue),
    {"max", [](const Reader& r, const Entry& e, Step& s) -> Status {
       auto v = config::ReadInt(r, e, 1, 10);
       if (!v.ok()) return v.status();
       s.max_messages = static_cast<int>(*v);
       return Status::Ok();
     }}};
const Field<Step> kWaitFields[] = {STRING_FIELD("function", function),
                                   INT_FIELD("count", count, 0, kMaxCount),
                                   {"outcome", ReadOutcome}, {"timeout", ReadTimeout}};
const Field<Step> kInvocationFields[] = {STRING_FIELD("function", function),
                                         INT_FIELD("count", count, 0, kMaxCount),
                                         {"outcome", ReadOutcome},
                                         INT_FIELD("cold_starts", cold_starts, 0, kMaxCount)};
const Field<Step> kQueueFields[] = {STRING_FIELD("queue", queue),
                                    INT_FIELD("depth", depth, 0, kMaxCount),
                                    INT_FIELD("dlq_depth", dlq_depth, 0, kMaxCount)};
const Field<Step> kLogFields[] = {STRING_FIELD("function", function), {"matches", ReadPattern},
                                  INT_FIELD("count", count, 0, kMaxCount),
                                  {"absent", ReadAbsent}};
const Field<Step> kCostFields[] = {{"at_most", ReadMaxUsd}};

struct Action {
  std::string_view key;
  StepKind kind;
  std::span<const Field<Step>> fields;  // empty: the value is a duration (advance)
  bool has_response;                    // may carry `expect:`
};

const Action kActions[] = {
    {"http", StepKind::kHttp, kHttpFields, true},
    {"invoke", StepKind::kInvoke, kInvokeFields, true},
    {"put_object", StepKind::kPutObject, kObjectFields, true},
    {"get_object", StepKind::kGetObject, kGetObjectFields, true},
    {"send_message", StepKind::kSendMessage, kSendFields, true},
    {"receive_message", StepKind::kReceiveMessage, kReceiveFields, true},
    {"advance", StepKind::kAdvance, {}, false},
    {"wait", StepKind::kWait, kWaitFields, false},
    {"expect_invocations", StepKind::kExpectInvocations, kInvocationFields, false},
    {"expect_object", StepKind::kExpectObject, kExpectObjectFields, false},
    {"expect_queue", StepKind::kExpectQueue, kQueueFields, false},
    {"expect_logs", StepKind::kExpectLogs, kLogFields, false},
    {"expect_cost", StepKind::kExpectCost, kCostFields, false},
};

std::vector<std::string> ActionNames() {
  std::vector<std::string> names;
  for (const auto& a : kActions) names.emplace_back(a.key);
  return names;
}

Status ReadExpectHeaders(const Reader& r, const Entry& e, ResponseExpectation& x) {
  auto entries = config::MapEntries(r, e.value, e.value_position, "'headers'");
  if (!entries.ok()) return entries.status();
  for (const Entry& h : *entries) x.headers.emplace_back(h.key, ToJson(h.value));
  return Status::Ok();
}

const Field<ResponseExpectation> kExpectFields[] = {
    {"status",
     [](const Reader& r, const Entry& e, ResponseExpectation& x) -> Status {
       auto v = config::ReadInt(r, e, 100, 599);
       if (!v.ok()) return v.status();
       x.status = static_cast<int>(*v);
       return Status::Ok();
     }},
    {"headers", ReadExpectHeaders},
    {"body",
     [](const Reader& r, const Entry& e, ResponseExpectation& x) -> Status {
       x.body = e.value.IsScalar() ? json(e.value.Scalar()) : ToJson(e.value);
       return Status::Ok();
     }},
    {"json",
     [](const Reader& r, const Entry& e, ResponseExpectation& x) -> Status {
       x.json = ToJson(e.value);
       return Status::Ok();
     }},
};

Status ReadAction(const Reader& r, const Entry& e, const Action& action, Step* step) {
  step->kind = action.kind;
  step->position = e.key_position;
  if (action.kind == StepKind::kAdvance) {
    auto d = config::ReadDuration(r, e, std::chrono::milliseconds(0), std::chrono::hours(24 * 366));
    if (!d.ok()) return d.status();
    step->duration = *d;
    step->name = "advance " + config::FormatDuration(*d);
    return Status::Ok();
  }
  if (action.kind == StepKind::kWait) step->duration = std::chrono::seconds(30);
  STRATUS_RETURN_IF_ERROR(config::ReadFields<Step>(r, e.value, e.value_position,
                                                   "'" + e.key + "'", action.fields, *step));
  return Status::Ok();
}

// The fields a step cannot do without.
Status CheckRequired(const Reader& r, const Step& s) {
  auto need = [&](bool present, const char* field) -> Status {
    if (present) return Status::Ok();
    return r.Error(s.position, "'" + std::string(StepKindName(s.kind)) + "' needs '" + field + "'");
  };
  switch (s.kind) {
    case StepKind::kInvoke:
      return need(!s.function.empty(), "function");
    case StepKind::kPutObject:
    case StepKind::kGetObject:
    case StepKind::kExpectObject:
      STRATUS_RETURN_IF_ERROR(need(!s.bucket.empty(), "bucket"));
      return need(!s.key.empty(), "key");
    case StepKind::kSendMessage:
      STRATUS_RETURN_IF_ERROR(need(!s.queue.empty(), "queue"));
      return need(s.body.has_value(), "body");
    case StepKind::kReceiveMessage:
    case StepKind::kExpectQueue:
      return need(!s.queue.empty(), "queue");
    case StepKind::kExpectLogs:
      return need(!s.pattern.empty(), "matches");
    case StepKind::kExpectCost:
      return need(s.max_usd >= 0, "at_most");
    default:
      return Status::Ok();
  }
}

std::string DefaultStepName(const Step& s) {
  std::string kind(StepKindName(s.kind));
  switch (s.kind) {
    case StepKind::kHttp: return kind + " " + s.method + " " + s.path;
    case StepKind::kInvoke:
    case StepKind::kWait:
    case StepKind::kExpectInvocations:
    case StepKind::kExpectLogs: return s.function.empty() ? kind : kind + " " + s.function;
    case StepKind::kPutObject:
    case StepKind::kGetObject:
    case StepKind::kExpectObject: return kind + " " + s.bucket + "/" + s.key;
    case StepKind::kSendMessage:
    case StepKind::kReceiveMessage:
    case StepKind::kExpectQueue: return kind + " " + s.queue;
    default: return kind;
  }
}

}  // namespace

std::string_view StepKindName(StepKind kind) {
  for (const auto& a : kActions) {
    if (a.kind == kind) return a.key;
  }
  return "?";
}

Result<Step> ParseStep(const Reader& r, const YAML::Node& node, const std::string& dir) {
  step_dir = &dir;
  Step step;
  step.position = config::PositionOf(node);
  auto entries = config::MapEntries(r, node, step.position, "a step");
  if (!entries.ok()) return entries.status();
  const Action* action = nullptr;
  const Entry* expect = nullptr;
  for (const Entry& e : *entries) {
    if (e.key == "name") {
      auto name = config::ReadName(r, e);
      if (!name.ok()) return name.status();
      step.name = *name;
      continue;
    }
    if (e.key == "expect") {
      expect = &e;
      continue;
    }
    const Action* found = nullptr;
    for (const auto& a : kActions) found = a.key == e.key ? &a : found;
    if (found == nullptr) {
      auto names = ActionNames();
      names.insert(names.end(), {"name", "expect"});
      return r.Error(e.key_position, "unknown key '" + e.key + "' in a step" +
                                         config::Suggestion(e.key, names, "valid keys"));
    }
    if (action != nullptr) {
      return r.Error(e.key_position, "a step does one thing: '" + std::string(action->key) +
                                         "' and '" + e.key + "' (split them into two steps)");
    }
    action = found;
    std::string custom_name = step.name;
    STRATUS_RETURN_IF_ERROR(ReadAction(r, e, *found, &step));
    if (!custom_name.empty()) step.name = custom_name;
  }
  if (action == nullptr) {
    return r.Error(step.position,
                   "a step needs an action" + config::Suggestion("", ActionNames(), "one of"));
  }
  if (expect != nullptr) {
    if (!action->has_response) {
      return r.Error(expect->key_position, "'" + std::string(action->key) +
                                               "' has no response to expect of");
    }
    ResponseExpectation x;
    x.position = expect->key_position;
    STRATUS_RETURN_IF_ERROR(config::ReadFields<ResponseExpectation>(
        r, expect->value, expect->value_position, "'expect'", kExpectFields, x));
    step.expect = std::move(x);
  }
  STRATUS_RETURN_IF_ERROR(CheckRequired(r, step));
  if (step.name.empty()) step.name = DefaultStepName(step);
  return step;
}

}  // namespace stratus::harness
