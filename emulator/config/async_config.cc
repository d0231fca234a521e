// `async:` of one function: retries, maximum event age and destinations of asynchronous
// invocations (Lambda's EventInvokeConfig). Destination names are checked against the
// declared functions and queues later, in references.cc.
#include "emulator/config/config_internal.h"

namespace stratus::config {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A destination being read: the key it sits under ("on_failure" / "on_success") names it
// in messages.
struct DestinationDraft {
  std::string key;
  Destination dest;
  bool has_target = false;
};

template <Destination::Kind kind>
Status ReadTarget(const Reader& r, const Entry& e, DestinationDraft& d) {
  if (d.has_target) {
    return r.Error(e.key_position, "'" + d.key +
                                       "' takes either a 'function' or a 'queue', not both");
  }
  Result<std::string> v = ReadName(r, e);
  if (!v.ok()) return v.status();
  d.dest.kind = kind;
  d.dest.name = *v;
  d.has_target = true;
  return Status::Ok();
}

constexpr Field<DestinationDraft> kDestinationFields[] = {
    {"function", ReadTarget<Destination::Kind::kFunction>},
    {"queue", ReadTarget<Destination::Kind::kQueue>},
};

// `on_failure:` or `on_success:` of function `fn`, into `out`.
Status ReadDestination(const Reader& r, const Entry& e, const std::string& fn,
                       std::optional<Destination>& out) {
  DestinationDraft d;
  d.key = e.key;
  d.dest.position = e.key_position;
  STRATUS_RETURN_IF_ERROR(ReadFields<DestinationDraft>(r, e.value, e.value_position,
                                                       "'" + e.key + "' of function '" + fn + "'",
                                                       kDestinationFields, d));
  if (!d.has_target) {
    return r.Error(e.key_position, "'" + e.key + "' needs a 'function' or a 'queue' to send "
                                                 "invocation records to");
  }
  out = std::move(d.dest);
  return Status::Ok();
}

// The function whose `async:` is being read, so destinations can name it in messages.
struct AsyncDraft {
  const std::string& function;
  AsyncConfig& async;
};

constexpr Field<AsyncDraft> kAsyncFields[] = {
    {"retries",
     [](const Reader& r, const Entry& e, AsyncDraft& d) {
       Result<int64_t> v = ReadInt(r, e, 0, 2);
       if (v.ok()) d.async.retries = static_cast<int>(*v);
       return v.status();
     }},
    {"max_event_age",
     [](const Reader& r, const Entry& e, AsyncDraft& d) {
       Result<milliseconds> v = ReadDuration(r, e, seconds(60), hours(6));
       if (!v.ok()) return v.status();
       if (v->count() % 1000 != 0) {
         return r.Error(e.value_position, "'max_event_age' must be a whole number of seconds, "
                                          "got " + FormatDuration(*v));
       }
       d.async.max_event_age = std::chrono::duration_cast<seconds>(*v);
       return Status::Ok();
     }},
    {"on_failure",
     [](const Reader& r, const Entry& e, AsyncDraft& d) {
       return ReadDestination(r, e, d.function, d.async.on_failure);
     }},
    {"on_success",
     [](const Reader& r, const Entry& e, AsyncDraft& d) {
       return ReadDestination(r, e, d.function, d.async.on_success);
     }},
};

}  // namespace

Status ReadAsync(const Reader& r, const Entry& e, FunctionConfig& out) {
  AsyncConfig async;
  async.position = e.key_position;
  AsyncDraft draft{out.name, async};
  STRATUS_RETURN_IF_ERROR(ReadFields<AsyncDraft>(r, e.value, e.value_position,
                                                 "'async' of function '" + out.name + "'",
                                                 kAsyncFields, draft));
  out.async = std::move(async);
  return Status::Ok();
}

}  // namespace stratus::config
