// S3's errors: the code, HTTP status and message of each error S3 answers, and the XML
// document carrying them. Pure values; no threading rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/http/message.h"
#include "emulator/util/status.h"

namespace stratus::triggers::objects {

struct S3Error {
  int status = 500;
  std::string code;
  std::string message;
  // Extra elements S3 puts in the document (BucketName, Key, UploadId, ...).
  std::vector<std::pair<std::string, std::string>> details;
  // Response headers S3 sends with the error (x-amz-delete-marker, x-amz-version-id, ...).
  std::vector<std::pair<std::string, std::string>> headers{};

  S3Error& With(std::string name, std::string value) {
    details.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  S3Error& WithHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

namespace errors {
S3Error NoSuchBucket(std::string_view bucket);
S3Error NoSuchKey(std::string_view key);
S3Error NoSuchUpload(std::string_view upload_id);
S3Error NoSuchVersion(std::string_view key, std::string_view version_id);
S3Error IllegalVersioningConfiguration(std::string_view why);
S3Error BucketAlreadyOwnedByYou(std::string_view bucket);
S3Error BucketNotEmpty(std::string_view bucket);
S3Error InvalidBucketName(std::string_view bucket);
S3Error InvalidRange(uint64_t object_size);
S3Error EntityTooLarge(uint64_t max);
S3Error EntityTooSmall();
S3Error InvalidPart(std::string_view why);
S3Error InvalidPartOrder();
S3Error PreconditionFailed(std::string_view condition);
S3Error BadDigest(std::string_view what);
S3Error InvalidDigest();
S3Error InvalidArgument(std::string_view message);
S3Error InvalidRequest(std::string_view message);
S3Error MalformedXML(std::string_view why);
S3Error KeyTooLong();
S3Error NotImplemented(std::string_view what);
S3Error IncompleteBody(std::string_view why);
S3Error AccessDenied(std::string_view why);
S3Error MethodNotAllowed(std::string_view method);
S3Error InternalError(std::string_view why);
}  // namespace errors

// The S3 error for a storage or internal failure: one exhaustive switch over Status codes.
S3Error FromStatus(const Status& status);

// The XML error response, with x-amz-request-id and x-amz-id-2.
http::Response ErrorResponse(const S3Error& error, std::string_view resource,
                             std::string_view request_id, std::string_view host_id);

}  // namespace stratus::triggers::objects
