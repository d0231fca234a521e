// The object store's lifecycle, routes and operation table.
#include "triggers/objects/objects.h"

#include "emulator/billing/meter.h"
#include "emulator/emulator.h"
#include "emulator/http/aws_request.h"
#include "emulator/storage/blob_store.h"
#include "emulator/storage/db.h"
#include "emulator/util/base64.h"
#include "emulator/util/log.h"

namespace stratus::triggers::objects {
namespace {

enum class Level { kService, kBucket, kObject };

struct Operation {
  const char* method;
  Level level;
  const char* subresource;  // a query parameter that selects the operation, or ""
  bool streaming;           // the handler takes the body as it streams
  ObjectsTrigger::Handler handler;
};

// Query parameters that name a sub-resource: a request carrying one is never a plain
// object or bucket operation.
const std::vector<std::string>& Subresources() {
  static const std::vector<std::string> names = {
      "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
      "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
      "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
      "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select",
      "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website"};
  return names;
}

// Bodies of the small documents S3 takes (DeleteObjects with 1,000 long keys is the largest).
constexpr size_t kSmallBodyLimit = 2 << 20;

bool ClaimsRequest(const http::Request& request) {
  std::string service = http::SigningScope(request).service;
  return service.empty() || service == "s3";
}

}  // namespace

struct Operations {
  static const std::vector<Operation>& Table() {
    using T = ObjectsTrigger;
    static const std::vector<Operation> table = {
        {"GET", Level::kService, "", false, &T::ListBuckets},
        {"PUT", Level::kBucket, "notification", false, &T::PutBucketNotification},
        {"GET", Level::kBucket, "notification", false, &T::GetBucketNotification},
        {"GET", Level::kBucket, "location", false, &T::GetBucketLocation},
        {"PUT", Level::kBucket, "versioning", false, &T::PutBucketVersioning},
        {"GET", Level::kBucket, "versioning", false, &T::GetBucketVersioning},
        {"GET", Level::kBucket, "versions", false, &T::ListObjectVersions},
        {"GET", Level::kBucket, "uploads", false, &T::ListMultipartUploads},
        {"POST", Level::kBucket, "delete", false, &T::DeleteObjects},
        {"POST", Level::kBucket, "", true, &T::PostObject},
        {"GET", Level::kBucket, "list-type", false, &T::ListObjectsV2},
        {"GET", Level::kBucket, "", false, &T::ListObjectsV1},
        {"PUT", Level::kBucket, "", false, &T::CreateBucket},
        {"HEAD", Level::kBucket, "", false, &T::HeadBucket},
        {"DELETE", Level::kBucket, "", false, &T::DeleteBucket},
        {"POST", Level::kObject, "uploads", false, &T::CreateMultipartUpload},
        {"PUT", Level::kObject, "uploadId", true, &T::UploadPart},
        {"POST", Level::kObject, "uploadId", false, &T::CompleteMultipartUpload},
        {"DELETE", Level::kObject, "uploadId", false, &T::AbortMultipartUpload},
        {"GET", Level::kObject, "uploadId", false, &T::ListParts},
        {"PUT", Level::kObject, "", true, &T::PutObject},
        {"GET", Level::kObject, "", false, &T::GetObject},
        {"HEAD", Level::kObject, "", false, &T::HeadObject},
        {"DELETE", Level::kObject, "", false, &T::DeleteObject},
    };
    return table;
  }
};

std::string Call::Resource() const {
  if (target.bucket.empty()) return "/";
  return "/" + target.bucket + (target.key.empty() ? "" : "/" + target.key);
}

Status ObjectsTrigger::Start(Emulator& emulator) {
  emulator_ = &emulator;
  store_ = std::make_unique<ObjectStore>(emulator.db());
  STRATUS_RETURN_IF_ERROR(store_->Migrate());
  auto referenced = store_->ReferencedBlobs();
  if (!referenced.ok()) return referenced.status();
  // A blob renamed into place whose row never committed is an upload the client was never
  // told succeeded. Requests are served while the scan runs: what they write is kept.
  auto keep = std::make_shared<std::unordered_set<std::string>>(std::move(referenced.value()));
  auto fresh = fresh_;
  emulator.blobs().RemoveUnreferenced(
      [keep, fresh](std::string_view id) {
        std::string key(id);
        return keep->count(key) != 0 || fresh->ids.count(key) != 0;
      },
      [fresh](Result<int> removed) {
        fresh->tracking = false;
        fresh->ids.clear();
        if (!removed.ok()) log::Warn("objects: orphan clean-up failed: " + removed.status().message());
        else if (*removed > 0) log::Info("objects: removed " + std::to_string(*removed) + " orphan bodies");
      });
  for (const auto& bucket : emulator.project().buckets) {
    auto found = store_->FindBucket(bucket);
    if (!found.ok()) return found.status();
    if (!*found) STRATUS_RETURN_IF_ERROR(store_->CreateBucket(bucket, NowMs()));
  }
  notifier_.Start(emulator);
  http::RouteOptions options;
  options.streaming_body = true;
  // Every operation bounds its own body and says so in S3's words (EntityTooLarge for an
  // object or a part, MaxMessageLengthExceeded for a document): the transport's 413, in JSON,
  // would reach S3 clients for a declared 6 GB PUT instead.
  options.body_limit = UINT64_MAX;
  options.guard = ClaimsRequest;
  // "/{bucket}/" is the bucket too (some SDKs list with a trailing slash).
  for (const char* pattern : {"/", "/{bucket}", "/{bucket}/", "/{bucket}/{key+}"}) {
    STRATUS_RETURN_IF_ERROR(emulator.service_router().Add(
        "*", pattern,
        [this](http::RequestPtr request, http::Reply reply) {
          Handle(std::move(request), std::move(reply));
        },
        options));
  }
  return Status::Ok();
}

int64_t ObjectsTrigger::NowMs() const { return emulator_->clock().WallNowMs(); }

void ObjectsTrigger::Handle(http::RequestPtr request, http::Reply reply) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->reply = std::move(reply);
  call->request_id = emulator_->random().Hex(16);
  for (auto& c : call->request_id) c = static_cast<char>(std::toupper(c));
  call->host_id = Base64Encode(emulator_->random().Hex(48));
  call->query = ParseQuery(call->request->query);
  auto target = ParseTarget(*call->request);
  if (!target) {
    Fail(call, errors::InvalidArgument("malformed percent-encoding in the path"));
    return;
  }
  call->target = std::move(*target);
  Dispatch(call);
}

namespace {

// Presigned URLs: stratus checks no signature, but an expired URL fails as it would on S3.
bool PresignExpired(const Call& call, int64_t now_ms) {
  if (call.Has("Signature") && call.Has("Expires")) {  // SigV2 query authentication
    return now_ms / 1000 > std::atoll(call.Query("Expires").c_str());
  }
  std::string date = call.Query("X-Amz-Date"), expires = call.Query("X-Amz-Expires");
  if (date.empty() || expires.empty()) return false;
  struct tm tm {};
  const char* end = strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return false;
  int64_t signed_ms = int64_t(timegm(&tm)) * 1000;
  return now_ms > signed_ms + std::atoll(expires.c_str()) * 1000;
}

}  // namespace

void ObjectsTrigger::Dispatch(const CallPtr& call) {
  if (PresignExpired(*call, NowMs())) {
    Fail(call, errors::AccessDenied("Request has expired"));
    return;
  }
  Level level = call->target.bucket.empty() ? Level::kService
                : call->target.key.empty()  ? Level::kBucket
                                            : Level::kObject;
  const std::string& method = call->request->method;
  // S3's request classes: PUT, COPY, POST and LIST are tier 1, GET and the rest tier 2,
  // DELETE free.
  if (method != "DELETE") {
    bool tier1 = method == "PUT" || method == "POST" || (method == "GET" && level != Level::kObject);
    emulator_->meter().CountRequest("s3", tier1 ? "tier1" : "tier2");
  }
  std::string unsupported;
  for (const auto& name : Subresources()) {
    if (call->Has(name)) unsupported = name;
  }
  for (const Operation& op : Operations::Table()) {
    if (op.level != level || method != op.method) continue;
    std::string sub = op.subresource;
    if (sub.empty() ? !unsupported.empty() : !call->Has(sub)) continue;
    if (op.streaming) {
      (this->*op.handler)(call);
    } else {
      ReadSmallBody(call, op.handler);
    }
    return;
  }
  ReadSmallBody(call, &ObjectsTrigger::Unsupported);
}

// Replies wait for the body's end even when they ignore it: answering earlier would cost the
// client its keep-alive connection.
void ObjectsTrigger::ReadSmallBody(const CallPtr& call, Handler next) {
  auto stream = call->request->body_stream;
  if (!stream) {
    (this->*next)(call);
    return;
  }
  auto too_large = std::make_shared<bool>(false);
  stream->OnData([call, too_large](std::string_view chunk) {
    if (call->body.size() + chunk.size() > kSmallBodyLimit) {
      *too_large = true;
      return;
    }
    call->body.append(chunk);
  });
  stream->OnEnd([this, call, next, too_large](Status status) {
    if (!status.ok()) return;  // the client went away: nobody to answer
    if (*too_large) {
      Fail(call, S3Error{400, "MaxMessageLengthExceeded", "Your request was too big.", {}});
      return;
    }
    (this->*next)(call);
  });
}

void ObjectsTrigger::Send(const CallPtr& call, http::Response response) {
  response.headers.Add("x-amz-request-id", call->request_id);
  response.headers.Add("x-amz-id-2", call->host_id);
  response.headers.Add("Server", "stratus");
  call->reply.Send(std::move(response));
}

void ObjectsTrigger::SendXml(const CallPtr& call, int status, std::string xml) {
  http::Response response;
  response.status = status;
  response.body = std::move(xml);
  response.headers.Add("Content-Type", "application/xml");
  Send(call, std::move(response));
}

void ObjectsTrigger::Fail(const CallPtr& call, const S3Error& error) {
  http::Response response = ErrorResponse(error, call->Resource(), call->request_id, call->host_id);
  if (call->request->method == "HEAD") response.omit_body = true;
  response.headers.Add("Server", "stratus");
  call->reply.Send(std::move(response));
}

std::optional<BucketRecord> ObjectsTrigger::RequireBucket(const CallPtr& call) {
  const std::string& name = call->target.bucket;
  auto found = store_->FindBucket(name);
  if (!found.ok()) {
    Fail(call, FromStatus(found.status()));
    return std::nullopt;
  }
  if (!*found) {
    Fail(call, errors::NoSuchBucket(name));
    return std::nullopt;
  }
  return std::move(found.value());
}

void ObjectsTrigger::Commit(std::function<Status(ObjectStore&, std::vector<std::string>*)> change,
                            std::function<void(Status)> done) {
  auto freed = std::make_shared<std::vector<std::string>>();
  ObjectStore* store = store_.get();
  storage::BlobStore* blobs = &emulator_->blobs();
  emulator_->db().Write(
      [store, freed, change = std::move(change)](storage::Db&) {
        Status s = change(*store, freed.get());
        if (!s.ok()) freed->clear();  // rolled back: the blobs are still referenced
        return s;
      },
      [blobs, freed, done = std::move(done)](Status s) {
        if (s.ok()) RemoveBlobs(*blobs, *freed);
        done(std::move(s));
      });
}

void ObjectsTrigger::Emit(const CallPtr& call, const std::string& event_name,
                          const std::string& key, uint64_t size, const std::string& etag,
                          const std::string& version_id) {
  auto bucket = store_->FindBucket(call->target.bucket);
  std::vector<NotificationRule> api_rules;
  if (bucket.ok() && *bucket && !(*bucket)->notification.empty()) {
    api_rules = RulesFromJson((*bucket)->notification);
  }
  ObjectEventInfo info;
  info.event_name = event_name;
  info.bucket = call->target.bucket;
  info.key = key;
  info.size = size;
  info.etag = etag;
  if (version_id != kNullVersion) info.version_id = version_id;
  info.time_ms = NowMs();
  info.sequencer = notifier_.NextSequencer(info.time_ms);
  info.request_id = call->request_id;
  info.host_id = call->host_id;
  info.source_ip = call->request->remote_address;
  info.region = emulator_->project().region;
  info.account = emulator_->project().account;
  notifier_.Notify(api_rules, info);
}

void ObjectsTrigger::Unsupported(const CallPtr& call) {
  std::string what = call->request->method + " " + call->Resource();
  for (const auto& name : Subresources()) {
    if (call->Has(name)) what += "?" + name;
  }
  Fail(call, errors::NotImplemented(what));
}

}  // namespace stratus::triggers::objects
