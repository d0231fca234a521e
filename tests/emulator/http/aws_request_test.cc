#include "emulator/http/aws_request.h"

#include <doctest/doctest.h>

namespace stratus::http {
namespace {

TEST_CASE("the signing scope comes from the Authorization header") {
  Request request;
  request.headers.Add("Authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/eu-west-1/sqs/"
                      "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc");
  CredentialScope scope = SigningScope(request);
  CHECK(scope.access_key == "AKIDEXAMPLE");
  CHECK(scope.date == "20261128");
  CHECK(scope.region == "eu-west-1");
  CHECK(scope.service == "sqs");
}

TEST_CASE("a presigned URL carries the scope in X-Amz-Credential") {
  Request request;
  request.query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20261128%2Fus-east-1%2Fs3%2F"
      "aws4_request&X-Amz-Expires=3600";
  CHECK(SigningScope(request).service == "s3");
}

TEST_CASE("unsigned or malformed credentials give an empty scope") {
  Request unsigned_request;
  CHECK(SigningScope(unsigned_request).service.empty());
  Request basic;
  basic.headers.Add("Authorization", "Basic dXNlcjpwYXNz");
  CHECK(SigningScope(basic).service.empty());
  Request short_scope;
  short_scope.headers.Add("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261128/sqs");
  CHECK(SigningScope(short_scope).service.empty());
}

}  // namespace
}  // namespace stratus::http
