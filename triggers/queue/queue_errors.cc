#include "triggers/queue/queue_errors.h"

namespace stratus::triggers::queue {

// Codes and statuses as in the SQS model's awsQueryError traits (@aws-sdk/client-sqs), and
// the documented common errors for the rest.
ErrorSpelling Spell(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kQueueDoesNotExist:
      return {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, true};
    case ErrorKind::kQueueNameExists: return {"QueueNameExists", "QueueAlreadyExists", 400, true};
    case ErrorKind::kInvalidAttributeName:
      return {"InvalidAttributeName", "InvalidAttributeName", 400, true};
    case ErrorKind::kInvalidAttributeValue:
      return {"InvalidAttributeValue", "InvalidAttributeValue", 400, true};
    case ErrorKind::kInvalidParameterValue:
      return {"InvalidParameterValue", "InvalidParameterValue", 400, true};
    case ErrorKind::kMissingParameter: return {"MissingParameter", "MissingParameter", 400, true};
    case ErrorKind::kReceiptHandleIsInvalid:
      return {"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, true};
    case ErrorKind::kMessageNotInflight:
      return {"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, true};
    case ErrorKind::kPurgeQueueInProgress:
      return {"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403, true};
    case ErrorKind::kTooManyEntriesInBatchRequest:
      return {"TooManyEntriesInBatchRequest",
              "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, true};
    case ErrorKind::kEmptyBatchRequest:
      return {"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400, true};
    case ErrorKind::kBatchEntryIdsNotDistinct:
      return {"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400,
              true};
    case ErrorKind::kInvalidBatchEntryId:
      return {"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400, true};
    case ErrorKind::kBatchRequestTooLong:
      return {"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400, true};
    case ErrorKind::kInvalidMessageContents:
      return {"InvalidMessageContents", "InvalidMessageContents", 400, true};
    case ErrorKind::kUnsupportedOperation:
      return {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, true};
    case ErrorKind::kInvalidAction: return {"InvalidAction", "InvalidAction", 400, true};
    case ErrorKind::kInvalidAddress: return {"InvalidAddress", "InvalidAddress", 404, true};
    case ErrorKind::kInternalError: return {"InternalError", "InternalError", 500, false};
  }
  return {"InternalError", "InternalError", 500, false};
}

}  // namespace stratus::triggers::queue
