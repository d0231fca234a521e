// SQS's errors, named once, and how each protocol spells them: the JSON protocol's
// `__type` (com.amazonaws.sqs#Name) with the `x-amzn-query-error: Code;Sender` header, and the
// query protocol's <ErrorResponse> with the legacy code. Pure values; no threading rule.
#pragma once

#include <optional>
#include <string>

namespace stratus::triggers::queue {

enum class ErrorKind {
  kQueueDoesNotExist,
  kQueueNameExists,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kInvalidParameterValue,
  kMissingParameter,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kPurgeQueueInProgress,
  kTooManyEntriesInBatchRequest,
  kEmptyBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kBatchRequestTooLong,
  kInvalidMessageContents,
  kUnsupportedOperation,
  kInvalidAction,
  kInvalidAddress,
  kInternalError,
};

struct SqsError {
  ErrorKind kind = ErrorKind::kInternalError;
  std::string message;
};

struct ErrorSpelling {
  const char* shape;       // the JSON protocol's error shape name
  const char* query_code;  // the query protocol's code (and x-amzn-query-error's)
  int http_status;
  bool sender;             // Sender (client) fault, else Receiver
};

ErrorSpelling Spell(ErrorKind kind);

// Shorthands for the common cases.
inline SqsError NoSuchQueue() {
  return {ErrorKind::kQueueDoesNotExist, "The specified queue does not exist."};
}
inline SqsError InvalidParameter(std::string message) {
  return {ErrorKind::kInvalidParameterValue, std::move(message)};
}
inline SqsError MissingParameter(const std::string& name) {
  return {ErrorKind::kMissingParameter,
          "The request must contain the parameter " + name + "."};
}

}  // namespace stratus::triggers::queue
