// GetObject and HeadObject: conditions, ranges, response-* overrides, bodies streamed from
// their blobs.
#include "emulator/emulator.h"
#include "emulator/storage/blob_store.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

// response-content-type=... replaces Content-Type in a GET's answer, and so on.
const std::pair<const char*, const char*> kOverrides[] = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"}};

// The segments covering [begin, end), with the range made relative to the first of them.
std::vector<Segment> Slice(const std::vector<Segment>& all, uint64_t* begin, uint64_t* end) {
  std::vector<Segment> out;
  uint64_t offset = 0, first_offset = 0;
  for (const auto& s : all) {
    uint64_t s_end = offset + s.size;
    if (s_end > *begin && offset < *end) {
      if (out.empty()) first_offset = offset;
      out.push_back(s);
    }
    offset = s_end;
  }
  *begin -= first_offset;
  *end -= first_offset;
  return out;
}

}  // namespace

void AddObjectHeaders(const ObjectRecord& object, http::Response* response) {
  for (const auto& [name, value] : object.attributes.headers) response->headers.Add(name, value);
  for (const auto& [name, value] : object.attributes.metadata) response->headers.Add(name, value);
  response->headers.Add("ETag", "\"" + object.etag + "\"");
  response->headers.Add("Last-Modified", HttpDate(object.last_modified_ms));
  response->headers.Add("Accept-Ranges", "bytes");
}

void ObjectsTrigger::GetObject(const CallPtr& call) { ServeObject(call, false); }
void ObjectsTrigger::HeadObject(const CallPtr& call) { ServeObject(call, true); }

// The version a GET or HEAD names, or its key's latest; null after answering NoSuchKey,
// NoSuchVersion or (for a delete marker) what S3 answers for one.
std::shared_ptr<ObjectRecord> ObjectsTrigger::FindServedObject(const CallPtr& call) {
  std::string version_id;
  if (!ReadVersionId(call, &version_id)) return nullptr;
  const std::string& bucket = call->target.bucket;
  const std::string& key = call->target.key;
  auto found = version_id.empty() ? store_->FindObject(bucket, key)
                                  : store_->FindVersion(bucket, key, version_id);
  if (!found.ok()) {
    Fail(call, FromStatus(found.status()));
    return nullptr;
  }
  if (!*found) {
    Fail(call, version_id.empty() ? errors::NoSuchKey(key) : errors::NoSuchVersion(key, version_id));
    return nullptr;
  }
  if ((*found)->delete_marker) {
    // S3: the latest being a marker reads as a missing key; a marker named by id refuses GET.
    S3Error error = version_id.empty() ? errors::NoSuchKey(key)
                                       : errors::MethodNotAllowed(call->request->method)
                                             .WithHeader("Allow", "DELETE")
                                             .WithHeader("Last-Modified", HttpDate((*found)->last_modified_ms));
    Fail(call, error.WithHeader("x-amz-delete-marker", "true")
                   .WithHeader("x-amz-version-id", (*found)->version_id));
    return nullptr;
  }
  return std::make_shared<ObjectRecord>(std::move(**found));
}

void ObjectsTrigger::ServeObject(const CallPtr& call, bool head) {
  auto bucket = RequireBucket(call);
  if (!bucket) return;
  auto object = FindServedObject(call);
  if (!object) return;
  bool versioned = !bucket->versioning.empty();
  Conditions conditions{call->Header("If-Match"), call->Header("If-None-Match"),
                        call->Header("If-Modified-Since"), call->Header("If-Unmodified-Since")};
  std::string failed;
  switch (EvaluateConditions(conditions, object->etag, object->last_modified_ms, &failed)) {
    case ConditionResult::kPreconditionFailed:
      Fail(call, errors::PreconditionFailed(failed));
      return;
    case ConditionResult::kNotModified: {
      http::Response response;
      response.status = 304;
      response.headers.Add("ETag", "\"" + object->etag + "\"");
      response.headers.Add("Last-Modified", HttpDate(object->last_modified_ms));
      objects::AddVersionHeader(versioned, object->version_id, &response);
      Send(call, std::move(response));
      return;
    }
    case ConditionResult::kProceed:
      break;
  }
  ServeFound(call, head, versioned, std::move(object));
}

void ObjectsTrigger::ServeFound(const CallPtr& call, bool head, bool bucket_versioned,
                                std::shared_ptr<ObjectRecord> object) {
  ByteRange range{0, object->size};
  RangeParse ranged = ParseRange(call->Header("Range"), object->size, &range);
  if (ranged == RangeParse::kUnsatisfiable) {
    Fail(call, errors::InvalidRange(object->size));
    return;
  }
  http::Response response;
  AddObjectHeaders(*object, &response);
  objects::AddVersionHeader(bucket_versioned, object->version_id, &response);
  if (ranged == RangeParse::kOk) {
    response.status = 206;
    response.headers.Add("Content-Range", "bytes " + std::to_string(range.begin) + "-" +
                                              std::to_string(range.end - 1) + "/" +
                                              std::to_string(object->size));
  } else if (call->Header("x-amz-checksum-mode") == "ENABLED") {
    // Whole-object checksums only: a range has none, as on S3.
    for (const auto& [name, value] : object->attributes.checksums) response.headers.Add(name, value);
  }
  if (!head) {
    for (const auto& [param, header] : kOverrides) {
      if (call->Has(param)) response.headers.Set(header, call->Query(param));
    }
  }
  uint64_t length = range.end - range.begin;
  if (head) {
    response.headers.Set("Content-Length", std::to_string(length));
    response.omit_body = true;
    Send(call, std::move(response));
    return;
  }
  if (object->is_inline) {
    response.body = object->inline_body.substr(range.begin, length);
    Send(call, std::move(response));
    return;
  }
  uint64_t begin = range.begin, end = range.end;
  std::vector<Segment> segments = Slice(object->segments, &begin, &end);
  auto shared = std::make_shared<http::Response>(std::move(response));
  OpenReaders(emulator_->blobs(), segments,
              [this, call, shared, begin, end, length](Result<Readers> readers) {
                if (!readers.ok()) {
                  // Deleted between the lookup and the open: as if it had gone first.
                  Fail(call, readers.status().code() == Status::Code::kNotFound
                                 ? errors::NoSuchKey(call->target.key)
                                 : FromStatus(readers.status()));
                  return;
                }
                shared->body_source = MakeSegmentSource(std::move(readers.value()), begin, end);
                shared->content_length = length;
                Send(call, std::move(*shared));
              });
}

}  // namespace stratus::triggers::objects
