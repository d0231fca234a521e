#!/usr/bin/env bash
# The AWS CLI (Debian's awscli v2, which speaks SQS's query protocol) against stratus's SQS
# API: every action, standard and FIFO, the CLI's MD5 checks, errors, and Lambda's event
# source mapping commands. Usage: queue_awscli.sh PATH_TO_STRATUS. 77 when the CLI is missing.
. "$(dirname "$0")/lib.sh" "$1"

AWS=${AWS_CLI:-/usr/bin/aws}
[ -x "$AWS" ] || { echo "SKIP: $AWS not found (apt-get install awscli)"; exit 77; }
cat >"$TMP/stratus.yaml" <<'YAML'
functions:
  consumer: { runtime: python3.11, handler: consumer.handler, timeout: 10 }
queues:
  jobs: { visibility_timeout: 30, dead_letter: { queue: jobs-dlq, max_receives: 3 } }
  jobs-dlq: {}
YAML
cat >"$TMP/consumer.py" <<'PY'
def handler(event, context):
    return None
PY
start_stratus
sqs() { "$AWS" --endpoint-url "$ENDPOINT" --output text sqs "$@"; }

url=$(sqs create-queue --queue-name cli --attributes VisibilityTimeout=20 --tags team=cli --query QueueUrl)
check "create-queue" "$url" "$ENDPOINT/000000000000/cli"
check "get-queue-url" "$(sqs get-queue-url --queue-name cli --query QueueUrl)" "$url"
check "list-queues prefix" "$(sqs list-queues --queue-name-prefix cl --query 'QueueUrls[0]')" "$url"
check "get-queue-attributes" "$(sqs get-queue-attributes --queue-url "$url" --attribute-names VisibilityTimeout --query Attributes.VisibilityTimeout)" 20
sqs set-queue-attributes --queue-url "$url" --attributes DelaySeconds=0,ReceiveMessageWaitTimeSeconds=1
check "set-queue-attributes" "$(sqs get-queue-attributes --queue-url "$url" --attribute-names ReceiveMessageWaitTimeSeconds --query Attributes.ReceiveMessageWaitTimeSeconds)" 1
# The CLI verifies MD5OfMessageBody and MD5OfMessageAttributes itself: success means they match.
id=$(sqs send-message --queue-url "$url" --message-body 'hello cli & <xml>' \
  --message-attributes '{"k":{"DataType":"String","StringValue":"v"},"b":{"DataType":"Binary","BinaryValue":"AAEC"}}' --query MessageId)
check_has "send-message" "$id" "-"
first=$(sqs receive-message --queue-url "$url" --attribute-names All --message-attribute-names All \
  --query 'Messages[0].[Body,Attributes.ApproximateReceiveCount,MessageAttributes.k.StringValue]')
check "receive-message" "$first" "hello cli & <xml>	1	v"
got=$(sqs receive-message --queue-url "$url" --visibility-timeout 0 --query 'Messages[0].Body')
check "in flight: nothing to receive" "$got" "None"
handle=$(sqs change-message-visibility-batch --queue-url "$url" --entries Id=x,ReceiptHandle=bogus,VisibilityTimeout=0 --query 'Failed[0].Code')
check "change-message-visibility-batch failure" "$handle" "ReceiptHandleIsInvalid"
sqs send-message-batch --queue-url "$url" --entries Id=1,MessageBody=one Id=2,MessageBody=two >/dev/null
check "send-message-batch" "$(sqs get-queue-attributes --queue-url "$url" --attribute-names ApproximateNumberOfMessages --query Attributes.ApproximateNumberOfMessages)" 2
handles=$(sqs receive-message --queue-url "$url" --max-number-of-messages 10 --query 'Messages[].ReceiptHandle')
set -- $handles
check "receive-message batch" "$#" 2
sqs change-message-visibility --queue-url "$url" --receipt-handle "$1" --visibility-timeout 0
sqs delete-message --queue-url "$url" --receipt-handle "$2"
h1=$(sqs receive-message --queue-url "$url" --query 'Messages[0].ReceiptHandle')
check "delete-message-batch" "$(sqs delete-message-batch --queue-url "$url" --entries Id=a,ReceiptHandle="$h1" --query 'Successful[0].Id')" a
sqs tag-queue --queue-url "$url" --tags env=ci
sqs untag-queue --queue-url "$url" --tag-keys team
check "list-queue-tags" "$(sqs list-queue-tags --queue-url "$url" --query Tags.env)" ci
sqs purge-queue --queue-url "$url"
check "purge-queue" "$(sqs get-queue-attributes --queue-url "$url" --attribute-names All --query Attributes.ApproximateNumberOfMessagesNotVisible)" 0
dlq=$(sqs get-queue-url --queue-name jobs-dlq --query QueueUrl)
check "list-dead-letter-source-queues" "$(sqs list-dead-letter-source-queues --queue-url "$dlq" --query 'queueUrls[0]')" "$ENDPOINT/000000000000/jobs"
err=$(sqs get-queue-url --queue-name missing 2>&1 || true)
check_has "NonExistentQueue" "$err" "AWS.SimpleQueueService.NonExistentQueue"
err=$(sqs receive-message --queue-url "$url" --max-number-of-messages 11 2>&1 || true)
check_has "InvalidParameterValue" "$err" "InvalidParameterValue"

fifo=$(sqs create-queue --queue-name cli.fifo --attributes FifoQueue=true,ContentBasedDeduplication=true --query QueueUrl)
s1=$(sqs send-message --queue-url "$fifo" --message-body first --message-group-id g --query SequenceNumber)
s2=$(sqs send-message --queue-url "$fifo" --message-body second --message-group-id g --query SequenceNumber)
check "fifo sequence grows" "$([ "$s1" \< "$s2" ] && echo yes)" yes
check "fifo dedup" "$(sqs send-message --queue-url "$fifo" --message-body first --message-group-id g --query SequenceNumber)" "$s1"
check "fifo order" "$(sqs receive-message --queue-url "$fifo" --max-number-of-messages 10 --query 'Messages[].Body')" "first	second"
sqs delete-queue --queue-url "$fifo"
check "delete-queue" "$(sqs list-queues --queue-name-prefix cli. --query QueueUrls)" "None"

lambda() { "$AWS" --endpoint-url "$ENDPOINT" --output text lambda "$@"; }
uuid=$(lambda create-event-source-mapping --function-name consumer --event-source-arn arn:aws:sqs:us-east-1:000000000000:jobs --batch-size 5 --query UUID)
check "create-event-source-mapping" "$(lambda get-event-source-mapping --uuid "$uuid" --query BatchSize)" 5
check "list-event-source-mappings" "$(lambda list-event-source-mappings --function-name consumer --query 'EventSourceMappings[0].UUID')" "$uuid"
check "delete-event-source-mapping" "$(lambda delete-event-source-mapping --uuid "$uuid" --query State)" Deleting
stop_stratus_and_finish
