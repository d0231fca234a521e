#include "triggers/objects/objects_errors.h"

#include "triggers/objects/objects_xml.h"

namespace stratus::triggers::objects {
namespace errors {
namespace {
S3Error Make(int status, std::string code, std::string message) {
  return S3Error{status, std::move(code), std::move(message), {}};
}
}  // namespace

S3Error NoSuchBucket(std::string_view bucket) {
  return Make(404, "NoSuchBucket", "The specified bucket does not exist")
      .With("BucketName", std::string(bucket));
}
S3Error NoSuchKey(std::string_view key) {
  return Make(404, "NoSuchKey", "The specified key does not exist.").With("Key", std::string(key));
}
S3Error NoSuchUpload(std::string_view upload_id) {
  return Make(404, "NoSuchUpload",
              "The specified upload does not exist. The upload ID may be invalid, or the upload "
              "may have been aborted or completed.")
      .With("UploadId", std::string(upload_id));
}
S3Error NoSuchVersion(std::string_view key, std::string_view version_id) {
  return Make(404, "NoSuchVersion",
              "The specified version does not exist.")
      .With("Key", std::string(key))
      .With("VersionId", std::string(version_id));
}
S3Error IllegalVersioningConfiguration(std::string_view why) {
  return Make(400, "IllegalVersioningConfigurationException",
              "The Versioning element must be specified")
      .With("Detail", std::string(why));
}
S3Error BucketAlreadyOwnedByYou(std::string_view bucket) {
  return Make(409, "BucketAlreadyOwnedByYou",
              "Your previous request to create the named bucket succeeded and you already own it.")
      .With("BucketName", std::string(bucket));
}
S3Error BucketNotEmpty(std::string_view bucket) {
  return Make(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
      .With("BucketName", std::string(bucket));
}
S3Error InvalidBucketName(std::string_view bucket) {
  return Make(400, "InvalidBucketName", "The specified bucket is not valid.")
      .With("BucketName", std::string(bucket));
}
S3Error InvalidRange(uint64_t object_size) {
  return Make(416, "InvalidRange", "The requested range is not satisfiable")
      .With("ActualObjectSize", std::to_string(object_size));
}
S3Error EntityTooLarge(uint64_t max) {
  return Make(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
      .With("MaxSizeAllowed", std::to_string(max));
}
S3Error EntityTooSmall() {
  return Make(400, "EntityTooSmall",
              "Your proposed upload is smaller than the minimum allowed object size.");
}
S3Error InvalidPart(std::string_view why) {
  return Make(400, "InvalidPart",
              "One or more of the specified parts could not be found.  The part may not have been "
              "uploaded, or the specified entity tag may not match the part's entity tag.")
      .With("Detail", std::string(why));
}
S3Error InvalidPartOrder() {
  return Make(400, "InvalidPartOrder",
              "The list of parts was not in ascending order. The parts list must be specified in "
              "order by part number.");
}
S3Error PreconditionFailed(std::string_view condition) {
  return Make(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
      .With("Condition", std::string(condition));
}
S3Error BadDigest(std::string_view what) { return Make(400, "BadDigest", std::string(what)); }
S3Error InvalidDigest() {
  return Make(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
}
S3Error InvalidArgument(std::string_view message) {
  return Make(400, "InvalidArgument", std::string(message));
}
S3Error InvalidRequest(std::string_view message) {
  return Make(400, "InvalidRequest", std::string(message));
}
S3Error MalformedXML(std::string_view why) {
  return Make(400, "MalformedXML",
              "The XML you provided was not well-formed or did not validate against our "
              "published schema")
      .With("Detail", std::string(why));
}
S3Error KeyTooLong() {
  return Make(400, "KeyTooLongError", "Your key is too long").With("MaxSizeAllowed", "1024");
}
S3Error NotImplemented(std::string_view what) {
  return Make(501, "NotImplemented",
              "A header or query you provided implies functionality that is not implemented")
      .With("Detail", std::string(what));
}
S3Error IncompleteBody(std::string_view why) {
  return Make(400, "IncompleteBody", std::string(why));
}
S3Error AccessDenied(std::string_view why) { return Make(403, "AccessDenied", std::string(why)); }
S3Error MethodNotAllowed(std::string_view method) {
  return Make(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
      .With("Method", std::string(method));
}
S3Error InternalError(std::string_view why) {
  return Make(500, "InternalError", "We encountered an internal error. Please try again.")
      .With("Detail", std::string(why));
}
}  // namespace errors

S3Error FromStatus(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
    case Status::Code::kInternal:
    case Status::Code::kIoError:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
    case Status::Code::kNotFound:
      return errors::InternalError(status.message());
    case Status::Code::kInvalidArgument:
      return errors::InvalidArgument(status.message());
    case Status::Code::kResourceExhausted:
      return S3Error{507, "InsufficientStorage", status.message(), {}};
    case Status::Code::kTimeout:
      return S3Error{400, "RequestTimeout",
                     "Your socket connection to the server was not read from or written to "
                     "within the timeout period.",
                     {}};
    case Status::Code::kUnavailable:
      return S3Error{503, "ServiceUnavailable", status.message(), {}};
  }
  return errors::InternalError(status.message());
}

http::Response ErrorResponse(const S3Error& error, std::string_view resource,
                             std::string_view request_id, std::string_view host_id) {
  XmlWriter xml("Error", false);
  xml.Leaf("Code", error.code).Leaf("Message", error.message);
  for (const auto& [name, value] : error.details) xml.Leaf(name, value);
  if (!resource.empty()) xml.Leaf("Resource", resource);
  xml.Leaf("RequestId", request_id).Leaf("HostId", host_id);
  http::Response response;
  response.status = error.status;
  response.body = xml.Finish();
  response.headers.Add("Content-Type", "application/xml");
  response.headers.Add("x-amz-request-id", std::string(request_id));
  response.headers.Add("x-amz-id-2", std::string(host_id));
  for (const auto& [name, value] : error.headers) response.headers.Add(name, value);
  return response;
}

}  // namespace stratus::triggers::objects
