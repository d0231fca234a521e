// What a PUT body must satisfy: Content-MD5 (BadDigest) and the x-amz-checksum-* the client
// sent as headers or aws-chunked trailers; which checksums to compute for a request.
// Pure functions; no threading rule.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emulator/http/message.h"
#include "triggers/objects/objects_body.h"
#include "triggers/objects/objects_checksums.h"
#include "triggers/objects/objects_errors.h"

namespace stratus::triggers::objects {

// The checksum algorithms a request asks for: x-amz-checksum-ALG headers, the
// x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm header, x-amz-trailer. An unknown
// algorithm name is an InvalidRequest.
bool ChecksumsRequested(const http::Request& request, std::vector<ChecksumAlgorithm>* out,
                        S3Error* error);

// Checks the body's digests against Content-MD5 and the declared checksums; on success
// fills `stored` with (x-amz-checksum-alg, base64) for every checksum computed.
bool VerifyBody(const http::Request& request, const IngestResult& body,
                std::vector<std::pair<std::string, std::string>>* stored, S3Error* error);

// The declared body size (x-amz-decoded-content-length for aws-chunked bodies, else
// Content-Length), or -1 when unknown.
int64_t DeclaredSize(const http::Request& request);

}  // namespace stratus::triggers::objects
