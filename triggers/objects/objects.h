// The object store trigger: an S3-compatible API on the service port (path-style and
// virtual-hosted-style requests), bodies in the BlobStore and metadata in SQLite
// (ObjectStore), and bucket notifications to functions and queues (Notifier). The project's
// `buckets:` exist from the start. Requests signed for another service (SQS, Lambda, ...)
// are never claimed: the routes' guard lets them fall through to their own service.
// Threading: loop thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/http/router.h"
#include "emulator/module.h"
#include "triggers/objects/objects_body.h"
#include "triggers/objects/objects_errors.h"
#include "triggers/objects/objects_events.h"
#include "triggers/objects/objects_form.h"
#include "triggers/objects/objects_request.h"
#include "triggers/objects/objects_store.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::objects {

struct PostState;

// One S3 request on its way through the handlers.
struct Call {
  http::RequestPtr request;
  http::Reply reply;
  Target target;
  std::map<std::string, std::string> query;
  std::string request_id;
  std::string host_id;
  std::string body;  // the whole body, for operations that take a small document
  // x-amz-copy-source-version-id for the answer: the copied version, when the source bucket
  // is versioned or the request named a version; "" otherwise.
  std::string copy_source_version;

  bool Has(const std::string& name) const { return query.count(name) != 0; }
  std::string Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
  }
  std::string Header(std::string_view name) const {
    auto v = request->headers.Get(name);
    return v ? std::string(*v) : "";
  }
  bool HasHeader(std::string_view name) const { return request->headers.Has(name); }
  // "/bucket/key" for error documents.
  std::string Resource() const;
};
using CallPtr = std::shared_ptr<Call>;

class ObjectsTrigger : public Module {
 public:
  std::string_view name() const override { return "objects"; }
  // Migrates the tables, removes bodies whose metadata never committed (a crash between a
  // blob's rename and its row's commit), creates the project's buckets and adds the routes.
  Status Start(Emulator& emulator) override;
  void Stop() override {}

  using Handler = void (ObjectsTrigger::*)(const CallPtr&);

 private:
  friend struct Operations;
  void Handle(http::RequestPtr request, http::Reply reply);
  void Dispatch(const CallPtr& call);
  void ReadSmallBody(const CallPtr& call, Handler next);

  // Answers.
  void Send(const CallPtr& call, http::Response response);
  void SendXml(const CallPtr& call, int status, std::string xml);
  void Fail(const CallPtr& call, const S3Error& error);
  // The bucket's record, or answers NoSuchBucket / InvalidBucketName and returns nullopt.
  std::optional<BucketRecord> RequireBucket(const CallPtr& call);
  // Runs `change` in a group commit; blobs it frees are deleted after the commit.
  void Commit(std::function<Status(ObjectStore&, std::vector<std::string>*)> change,
              std::function<void(Status)> done);
  // `version_id` goes into the event unless it is "null" (S3 names versions only in
  // versioned buckets).
  void Emit(const CallPtr& call, const std::string& event_name, const std::string& key,
            uint64_t size, const std::string& etag, const std::string& version_id);
  int64_t NowMs() const;

  // Service and buckets (objects_bucket_api.cc).
  void ListBuckets(const CallPtr& call);
  void CreateBucket(const CallPtr& call);
  void HeadBucket(const CallPtr& call);
  void DeleteBucket(const CallPtr& call);
  void GetBucketLocation(const CallPtr& call);
  void PutBucketNotification(const CallPtr& call);
  void GetBucketNotification(const CallPtr& call);
  void Unsupported(const CallPtr& call);

  // Versioning (objects_versions_api.cc).
  void PutBucketVersioning(const CallPtr& call);
  void GetBucketVersioning(const CallPtr& call);
  void ListObjectVersions(const CallPtr& call);
  std::string NewVersionId();
  // x-amz-version-id for a version of `bucket` (objects_versions.h), looking up its state.
  void AddVersionHeader(const std::string& bucket, const std::string& version_id,
                        http::Response* response);
  // The request's ?versionId=, "" when absent; false after answering InvalidArgument.
  bool ReadVersionId(const CallPtr& call, std::string* version_id);

  // Listing (objects_list_api.cc).
  void ListObjectsV2(const CallPtr& call);
  void ListObjectsV1(const CallPtr& call);

  // Objects (objects_object_api.cc, objects_get_api.cc).
  void PutObject(const CallPtr& call);
  void StorePutObject(const CallPtr& call, Result<IngestResult> body);
  // Commits `record` (bucket, key and attributes filled in) with `body`, then calls
  // `stored`; a failure is answered and the body's blob removed.
  void StoreObject(const CallPtr& call, std::shared_ptr<ObjectRecord> record, IngestResult body,
                   std::function<void()> stored);
  // POST Object, browser-form uploads (objects_post_api.cc).
  void PostObject(const CallPtr& call);
  void BeginPostFile(const CallPtr& call, const std::shared_ptr<PostState>& state, const FilePart& part);
  // Answers once both the request body and the file's ingest have ended.
  void FinishPost(const CallPtr& call, const std::shared_ptr<PostState>& state);
  static http::Response PostResponse(const Call& call, const std::vector<FormField>& fields,
                                     const ObjectRecord& record);
  // Reads the rest of the body, then answers `error` (keep-alive needs the body consumed).
  void FailAfterBody(const CallPtr& call, S3Error error);
  void CopyObject(const CallPtr& call);
  // The object named by x-amz-copy-source, its copy-source conditions met; null after Fail.
  std::shared_ptr<ObjectRecord> FindCopySource(const CallPtr& call);
  void GetObject(const CallPtr& call);
  void HeadObject(const CallPtr& call);
  void ServeObject(const CallPtr& call, bool head);
  std::shared_ptr<ObjectRecord> FindServedObject(const CallPtr& call);
  void ServeFound(const CallPtr& call, bool head, bool bucket_versioned,
                  std::shared_ptr<ObjectRecord> object);
  // Deletes (objects_delete_api.cc).
  void DeleteObject(const CallPtr& call);
  void DeleteObjects(const CallPtr& call);
  void EmitDelete(const CallPtr& call, const std::string& key, const DeleteOutcome& outcome);

  // Multipart uploads (objects_multipart.cc).
  void CreateMultipartUpload(const CallPtr& call);
  void UploadPart(const CallPtr& call);
  void UploadPartCopy(const CallPtr& call);
  // The upload a part request names, with its part number; nullopt after Fail.
  std::optional<UploadRecord> FindPartUpload(const CallPtr& call, int* number);
  // Records a part whose body is in `body` (a blob), then answers with reply(part).
  void StorePart(const CallPtr& call, int number, const UploadRecord& upload, IngestResult body,
                 std::function<void(const PartRecord&)> reply);
  void CompleteMultipartUpload(const CallPtr& call);
  void AbortMultipartUpload(const CallPtr& call);
  void ListParts(const CallPtr& call);
  void ListMultipartUploads(const CallPtr& call);

  Emulator* emulator_ = nullptr;
  std::unique_ptr<ObjectStore> store_;
  Notifier notifier_;
  std::shared_ptr<FreshBlobs> fresh_ = std::make_shared<FreshBlobs>();
};

// The S3 error for a failed IngestBody.
S3Error IngestError(const Status& status);
// Listing parameters shared by the object and upload listings (objects_list_api.cc):
// max-keys / max-uploads (at most 1000; false with S3's error when not an integer),
// encoding-type (only "url"), and a key or prefix as shown under encoding-type=url.
bool ReadListLimit(const Call& call, const std::string& name, int* out, S3Error* error);
bool ReadEncoding(const Call& call, bool* url, S3Error* error);
std::string KeyText(const std::string& key, bool url);

// Content headers and user metadata of a request, as S3 stores them.
ObjectAttributes AttributesFromRequest(const http::Request& request);
// Adds stored content headers, metadata and (when asked) checksums to a response.
void AddObjectHeaders(const ObjectRecord& object, http::Response* response);

}  // namespace stratus::triggers::objects
