// PutObject and what every object write shares: request attributes, storing a version.
#include "emulator/emulator.h"
#include "emulator/http/router.h"
#include "emulator/storage/blob_store.h"
#include "emulator/util/base64.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_checks.h"
#include "triggers/objects/objects_chunked.h"

namespace stratus::triggers::objects {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

const char* const kContentHeaders[] = {"Content-Type",    "Content-Encoding", "Content-Disposition",
                                       "Content-Language", "Cache-Control",   "Expires",
                                       "x-amz-website-redirect-location"};

std::string WithoutAwsChunked(std::string_view encoding) {
  std::string out;
  size_t start = 0;
  while (start <= encoding.size()) {
    size_t comma = encoding.find(',', start);
    std::string_view item = encoding.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty() && item != "aws-chunked") out += (out.empty() ? "" : ",") + std::string(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

ObjectAttributes AttributesFromRequest(const http::Request& request) {
  ObjectAttributes attrs;
  for (const char* name : kContentHeaders) {
    auto value = request.headers.Get(name);
    if (!value) continue;
    std::string v(*value);
    if (http::EqualsIgnoreCase(name, "Content-Encoding")) v = WithoutAwsChunked(v);
    if (!v.empty()) attrs.headers.emplace_back(name, v);
  }
  bool has_type = false;
  for (const auto& [n, v] : attrs.headers) has_type = has_type || n == "Content-Type";
  if (!has_type) attrs.headers.emplace_back("Content-Type", "binary/octet-stream");
  for (const auto& [name, value] : request.headers) {
    if (name.size() > 11 && http::EqualsIgnoreCase(std::string_view(name).substr(0, 11), "x-amz-meta-")) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      attrs.metadata.emplace_back(lower, value);
    }
  }
  return attrs;
}

void ObjectsTrigger::PutObject(const CallPtr& call) {
  if (call->HasHeader("x-amz-copy-source")) {
    ReadSmallBody(call, &ObjectsTrigger::CopyObject);
    return;
  }
  if (!RequireBucket(call)) return;
  if (call->target.key.size() > kMaxKeyBytes) {
    Fail(call, errors::KeyTooLong());
    return;
  }
  IngestOptions options;
  S3Error error;
  if (!ChecksumsRequested(*call->request, &options.algorithms, &error)) {
    Fail(call, error);
    return;
  }
  if (DeclaredSize(*call->request) > int64_t(kMaxObjectSize)) {
    Fail(call, errors::EntityTooLarge(kMaxObjectSize));
    return;
  }
  options.aws_chunked = IsAwsChunked(*call->request);
  options.fresh = fresh_;
  IngestBody(emulator_->blobs(), call->request->body_stream, std::move(options),
             [this, call](Result<IngestResult> body) { StorePutObject(call, std::move(body)); });
}

S3Error IngestError(const Status& status) {
  switch (status.code()) {
    case Status::Code::kResourceExhausted: return errors::EntityTooLarge(kMaxObjectSize);
    case Status::Code::kInvalidArgument: return errors::IncompleteBody(status.message());
    default: return FromStatus(status);
  }
}

void ObjectsTrigger::StorePutObject(const CallPtr& call, Result<IngestResult> body) {
  if (!body.ok()) {
    Fail(call, IngestError(body.status()));
    return;
  }
  auto record = std::make_shared<ObjectRecord>();
  S3Error error;
  if (!VerifyBody(*call->request, *body, &record->attributes.checksums, &error)) {
    if (body->blob) RemoveBlobs(emulator_->blobs(), {body->blob->id});
    Fail(call, error);
    return;
  }
  ObjectAttributes from_request = AttributesFromRequest(*call->request);
  record->attributes.headers = std::move(from_request.headers);
  record->attributes.metadata = std::move(from_request.metadata);
  record->bucket = call->target.bucket;
  record->key = call->target.key;
  StoreObject(call, record, std::move(*body), [this, call, record] {
    http::Response response;
    response.headers.Add("ETag", "\"" + record->etag + "\"");
    for (const auto& [name, value] : record->attributes.checksums) response.headers.Add(name, value);
    AddVersionHeader(record->bucket, record->version_id, &response);
    // Events first: a client that sees the answer may look for the event at once.
    Emit(call, "ObjectCreated:Put", record->key, record->size, record->etag, record->version_id);
    Send(call, std::move(response));
  });
}

void ObjectsTrigger::StoreObject(const CallPtr& call, std::shared_ptr<ObjectRecord> record,
                                 IngestResult body, std::function<void()> stored) {
  record->size = body.digests.size;
  record->etag = body.digests.Md5Hex();
  record->last_modified_ms = NowMs();
  record->version_id = NewVersionId();
  if (body.blob) {
    record->segments.push_back({body.blob->id, body.blob->size});
  } else {
    record->is_inline = true;
    record->inline_body = std::move(body.inline_body);
  }
  std::string new_blob = body.blob ? body.blob->id : "";
  Commit(
      [record](ObjectStore& store, std::vector<std::string>* freed) {
        return store.PutObject(*record, freed);  // NotFound when the bucket went meanwhile
      },
      [this, call, record, new_blob, stored = std::move(stored)](Status s) {
        if (!s.ok()) {
          if (!new_blob.empty()) RemoveBlobs(emulator_->blobs(), {new_blob});
          Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchBucket(record->bucket)
                                                          : FromStatus(s));
          return;
        }
        stored();
      });
}

}  // namespace stratus::triggers::objects
