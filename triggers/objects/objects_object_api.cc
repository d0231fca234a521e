// PutObject, CopyObject, DeleteObject, DeleteObjects.
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
constexpr size_t kMaxDeleteKeys = 1000;

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
    // Events first: a client that sees the answer may look for the event at once.
    Emit(call, "ObjectCreated:Put", record->key, record->size, record->etag);
    Send(call, std::move(response));
  });
}

void ObjectsTrigger::StoreObject(const CallPtr& call, std::shared_ptr<ObjectRecord> record,
                                 IngestResult body, std::function<void()> stored) {
  record->size = body.digests.size;
  record->etag = body.digests.Md5Hex();
  record->last_modified_ms = NowMs();
  if (body.blob) {
    record->segments.push_back({body.blob->id, body.blob->size});
  } else {
    record->is_inline = true;
    record->inline_body = std::move(body.inline_body);
  }
  std::string new_blob = body.blob ? body.blob->id : "";
  Commit(
      [record](ObjectStore& store, std::vector<std::string>* freed) -> Status {
        auto bucket = store.FindBucket(record->bucket);
        if (!bucket.ok()) return bucket.status();
        if (!*bucket) return Status::NotFound("bucket");
        return store.PutObject(*record, freed);
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

void ObjectsTrigger::DeleteObject(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string bucket = call->target.bucket, key = call->target.key;
  auto existed = std::make_shared<bool>(false);
  Commit(
      [bucket, key, existed](ObjectStore& store, std::vector<std::string>* freed) -> Status {
        auto removed = store.DeleteObject(bucket, key, freed);
        if (!removed.ok()) return removed.status();
        *existed = *removed;
        return Status::Ok();
      },
      [this, call, key, existed](Status s) {
        if (!s.ok()) {
          Fail(call, FromStatus(s));
          return;
        }
        http::Response response;
        response.status = 204;
        if (*existed) Emit(call, "ObjectRemoved:Delete", key, 0, "");
        Send(call, std::move(response));
      });
}

void ObjectsTrigger::DeleteObjects(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  auto doc = ParseXml(call->body);
  if (!doc.ok() || doc->name != "Delete") {
    Fail(call, errors::MalformedXML(doc.ok() ? "the root element must be Delete" : doc.status().message()));
    return;
  }
  auto keys = std::make_shared<std::vector<std::string>>();
  for (const XmlNode* object : doc->Children("Object")) {
    const XmlNode* key = object->Child("Key");
    if (key == nullptr) {
      Fail(call, errors::MalformedXML("an Object without a Key"));
      return;
    }
    keys->push_back(key->text);
  }
  if (keys->empty() || keys->size() > kMaxDeleteKeys) {
    Fail(call, errors::MalformedXML("between 1 and 1000 keys may be deleted at once"));
    return;
  }
  bool quiet = doc->ChildText("Quiet") == "true";
  std::string bucket = call->target.bucket;
  auto existed = std::make_shared<std::vector<bool>>();
  Commit(
      [bucket, keys, existed](ObjectStore& store, std::vector<std::string>* freed) -> Status {
        for (const auto& key : *keys) {
          auto removed = store.DeleteObject(bucket, key, freed);
          if (!removed.ok()) return removed.status();
          existed->push_back(*removed);
        }
        return Status::Ok();
      },
      [this, call, keys, existed, quiet](Status s) {
        XmlWriter xml("DeleteResult");
        for (size_t i = 0; i < keys->size(); ++i) {
          if (!s.ok()) {
            xml.Open("Error").Leaf("Key", (*keys)[i]).Leaf("Code", "InternalError");
            xml.Leaf("Message", s.message()).Close();
          } else if (!quiet) {
            xml.Open("Deleted").Leaf("Key", (*keys)[i]).Close();
          }
        }
        for (size_t i = 0; s.ok() && i < keys->size(); ++i) {
          if ((*existed)[i]) Emit(call, "ObjectRemoved:Delete", (*keys)[i], 0, "");
        }
        SendXml(call, 200, xml.Finish());
      });
}

}  // namespace stratus::triggers::objects
