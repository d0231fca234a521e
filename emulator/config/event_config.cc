// `events:` of a function: a list of one-key maps, the key naming the event type.
#include <string>

#include "emulator/config/config_internal.h"
#include "emulator/config/yaml_json.h"

namespace stratus::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <typename RouteEvent>
constexpr Field<RouteEvent> kRouteFields[] = {
    {"method",
     [](const Reader& r, const Entry& e, RouteEvent& out) {
       Result<std::string> v =
           ReadChoice(r, e, {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"});
       if (!v.ok()) return v.status();
       out.method = *v;
       return Status::Ok();
     }},
    {"path",
     [](const Reader& r, const Entry& e, RouteEvent& out) {
       Result<std::string> v = ReadName(r, e);
       if (!v.ok()) return v.status();
       if (v->front() != '/') {
         return r.Error(e.value_position, "'path' must start with '/', got '" + *v + "'");
       }
       out.path = *v;
       return Status::Ok();
     }},
    {"authorizer",
     [](const Reader& r, const Entry& e, RouteEvent& out) {
       Result<std::string> v = ReadName(r, e);
       if (v.ok()) out.authorizer = *v;
       return v.status();
     }},
    {"scopes",
     [](const Reader& r, const Entry& e, RouteEvent& out) {
       Result<std::vector<std::string>> v = ReadStringList(r, e);
       if (v.ok()) out.scopes = *v;
       return v.status();
     }},
};

template <typename T>
Status ReadInto(Result<T> v, T& out) {
  if (!v.ok()) return v.status();
  out = std::move(*v);
  return Status::Ok();
}

constexpr Field<QueueEvent> kQueueEventFields[] = {
    {"name", [](const Reader& r, const Entry& e,
                QueueEvent& out) { return ReadInto(ReadName(r, e), out.queue); }},
    {"batch_size",
     [](const Reader& r, const Entry& e, QueueEvent& out) {
       Result<int64_t> v = ReadInt(r, e, 1, 10000);
       if (v.ok()) out.batch_size = static_cast<int>(*v);
       return v.status();
     }},
    {"window", [](const Reader& r, const Entry& e,
                  QueueEvent& out) { return ReadInto(ReadDuration(r, e, {}, seconds(300)),
                                                     out.window); }},
    {"max_concurrency",
     [](const Reader& r, const Entry& e, QueueEvent& out) {
       Result<int64_t> v = ReadInt(r, e, 2, 1000);
       if (v.ok()) out.max_concurrency = static_cast<int>(*v);
       return v.status();
     }},
    {"report_failures", [](const Reader& r, const Entry& e, QueueEvent& out) {
       return ReadInto(ReadBool(r, e), out.report_failures);
     }},
};

// The S3 event names a notification may use, and the short forms stratus adds.
Status ReadObjectEvents(const Reader& r, const Entry& e, ObjectEvent& out) {
  static const std::vector<std::string> kNames = {
      "s3:ObjectCreated:*",    "s3:ObjectCreated:Put",    "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectRemoved:*",    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"};
  Result<std::vector<std::string>> names = ReadStringList(r, e);
  if (!names.ok()) return names.status();
  if (names->empty()) return r.Error(e.value_position, "'on' must name at least one event");
  out.on.clear();
  for (const std::string& name : *names) {
    if (name == "created" || name == "removed") {
      out.on.push_back(name == "created" ? "s3:ObjectCreated:*" : "s3:ObjectRemoved:*");
    } else if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) {
      out.on.push_back(name);
    } else {
      std::string nearest = NearestMatch(name, kNames);
      return r.Error(e.value_position,
                     "'on' must list created, removed or S3 event names like "
                     "'s3:ObjectCreated:Put', got '" + name + "'" +
                         (nearest.empty() ? "" : " (did you mean '" + nearest + "'?)"));
    }
  }
  return Status::Ok();
}

constexpr Field<ObjectEvent> kObjectEventFields[] = {
    {"bucket", [](const Reader& r, const Entry& e,
                  ObjectEvent& out) { return ReadInto(ReadName(r, e), out.bucket); }},
    {"on", ReadObjectEvents},
    {"prefix", [](const Reader& r, const Entry& e,
                  ObjectEvent& out) { return ReadInto(ReadString(r, e), out.prefix); }},
    {"suffix", [](const Reader& r, const Entry& e,
                  ObjectEvent& out) { return ReadInto(ReadString(r, e), out.suffix); }},
};

constexpr Field<TableEvent> kTableEventFields[] = {
    {"name", [](const Reader& r, const Entry& e,
                TableEvent& out) { return ReadInto(ReadName(r, e), out.table); }},
    {"start",
     [](const Reader& r, const Entry& e, TableEvent& out) {
       Result<std::string> v = ReadChoice(r, e, {"latest", "trim_horizon"});
       if (v.ok()) out.start = *v == "latest" ? StreamStart::kLatest : StreamStart::kTrimHorizon;
       return v.status();
     }},
    {"batch_size",
     [](const Reader& r, const Entry& e, TableEvent& out) {
       Result<int64_t> v = ReadInt(r, e, 1, 10000);
       if (v.ok()) out.batch_size = static_cast<int>(*v);
       return v.status();
     }},
};

Status ReadExpression(const Reader& r, const Entry& e, ScheduleEvent& out) {
  Result<std::string> v = ReadName(r, e);
  if (!v.ok()) return v.status();
  Status valid = CheckScheduleExpression(*v);
  if (!valid.ok()) {
    return r.Error(e.value_position,
                   "invalid schedule expression '" + *v + "': " + valid.message());
  }
  out.expression = *v;
  return Status::Ok();
}

constexpr Field<ScheduleEvent> kScheduleFields[] = {
    {"expression", ReadExpression},
    {"input",
     [](const Reader& r, const Entry& e, ScheduleEvent& out) {
       out.input = YamlToJsonText(e.value);
       return Status::Ok();
     }},
    {"enabled", [](const Reader& r, const Entry& e,
                   ScheduleEvent& out) { return ReadInto(ReadBool(r, e), out.enabled); }},
};

// Reads the settings map of one event (`e` is the event's one entry) into an event T,
// then requires `required` (the member that must have been set) to be non-empty.
template <typename T>
Status ReadEventMap(const Reader& r, const Entry& e, const std::string& what,
                    std::span<const Field<T>> fields, std::string T::*required,
                    std::string_view required_key, FunctionConfig& fn) {
  T event;
  event.position = e.key_position;
  STRATUS_RETURN_IF_ERROR(ReadFields<T>(r, e.value, e.value_position, what, fields, event));
  if ((event.*required).empty()) {
    return r.Error(e.key_position, "the '" + e.key + "' event needs a '" +
                                       std::string(required_key) + "'");
  }
  fn.events.push_back(std::move(event));
  return Status::Ok();
}

// One reader per event type; `what` names the event in messages.
struct EventKindReader {
  std::string_view kind;
  Status (*read)(const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn);
};

constexpr EventKindReader kEventKinds[] = {
    {"http",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       if (e.value.IsScalar() && e.value.Scalar() == "$default") {
         HttpEvent catch_all;
         catch_all.path = "$default";
         catch_all.position = e.key_position;
         fn.events.push_back(std::move(catch_all));
         return Status::Ok();
       }
       if (e.value.IsScalar()) {
         return r.Error(e.value_position, "'http' must be a map {method, path} or '$default', "
                                          "got " + Describe(e.value));
       }
       return ReadEventMap<HttpEvent>(r, e, what, kRouteFields<HttpEvent>, &HttpEvent::path,
                                      "path", fn);
     }},
    {"rest",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       return ReadEventMap<RestEvent>(r, e, what, kRouteFields<RestEvent>, &RestEvent::path,
                                      "path", fn);
     }},
    {"queue",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       return ReadEventMap<QueueEvent>(r, e, what, kQueueEventFields, &QueueEvent::queue, "name",
                                       fn);
     }},
    {"object",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       ObjectEvent event;
       event.position = e.key_position;
       event.on = {"s3:ObjectCreated:*"};
       STRATUS_RETURN_IF_ERROR(
           ReadFields<ObjectEvent>(r, e.value, e.value_position, what, kObjectEventFields, event));
       if (event.bucket.empty()) return r.Error(e.key_position, "the 'object' event needs a 'bucket'");
       fn.events.push_back(std::move(event));
       return Status::Ok();
     }},
    {"table",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       return ReadEventMap<TableEvent>(r, e, what, kTableEventFields, &TableEvent::table, "name",
                                       fn);
     }},
    {"schedule",
     [](const Reader& r, const Entry& e, const std::string& what, FunctionConfig& fn) {
       if (!e.value.IsScalar()) {
         return ReadEventMap<ScheduleEvent>(r, e, what, kScheduleFields,
                                            &ScheduleEvent::expression, "expression", fn);
       }
       ScheduleEvent event;
       event.position = e.key_position;
       STRATUS_RETURN_IF_ERROR(ReadExpression(r, {"schedule", e.key_position, e.value,
                                                  e.value_position}, event));
       fn.events.push_back(std::move(event));
       return Status::Ok();
     }},
};

Status ReadEvent(const Reader& r, const YAML::Node& item, FunctionConfig& fn) {
  Position at = PositionOf(item);
  if (!item.IsMap()) {
    return r.Error(at, "an event must be a map like '- http: {method: GET, path: /}', got " +
                           Describe(item));
  }
  Result<std::vector<Entry>> entries = MapEntries(r, item, at, "an event");
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return r.Error(at, "an event must have one key, its type");
  const Entry& e = entries->front();
  if (entries->size() > 1) {
    const Entry& extra = (*entries)[1];
    return r.Error(extra.key_position, "an event has one key, its type ('" + e.key +
                                           "'); indent '" + extra.key + "' under it");
  }
  for (const EventKindReader& kind : kEventKinds) {
    if (kind.kind == e.key) {
      return kind.read(r, e, "the '" + e.key + "' event of function '" + fn.name + "'", fn);
    }
  }
  std::vector<std::string> kinds;
  for (const EventKindReader& kind : kEventKinds) kinds.emplace_back(kind.kind);
  return r.Error(e.key_position,
                 "unknown event type '" + e.key + "'" + Suggestion(e.key, kinds, "event types"));
}

}  // namespace

Status ReadEvents(const Reader& r, const Entry& e, FunctionConfig& out) {
  if (e.value.IsNull()) return Status::Ok();
  if (!e.value.IsSequence()) {
    return r.Error(e.value_position, "'events' must be a list, got " + Describe(e.value));
  }
  for (const YAML::Node& item : e.value) STRATUS_RETURN_IF_ERROR(ReadEvent(r, item, out));
  return Status::Ok();
}

}  // namespace stratus::config
