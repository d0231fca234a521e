// What an AWS SDK request says about itself: the service and region it was signed for.
// Several services share the service port (Lambda, S3, SQS, ...); SDKs sign every request
// with SigV4, whose credential scope names the service, so this is how a request is told
// apart when paths alone are ambiguous. Signatures are not verified, as in LocalStack.
// Pure functions; no threading rule.
#pragma once

#include <string>

#include "emulator/http/message.h"

namespace stratus::http {

struct CredentialScope {
  std::string access_key;
  std::string date;     // yyyymmdd
  std::string region;   // us-east-1
  std::string service;  // s3, sqs, lambda, ...
};

// From `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...`
// or, for presigned URLs, the `X-Amz-Credential` query parameter. Empty fields when the
// request is unsigned or signed some other way.
CredentialScope SigningScope(const Request& request);

}  // namespace stratus::http
