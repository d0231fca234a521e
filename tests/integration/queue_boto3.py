"""boto3's SQS client (and Lambda's event source mappings) against a running stratus.

Usage: queue_boto3.py ENDPOINT CONSUMED_FILE. Run by queue_boto3.sh once per protocol the
installed botocore speaks (Debian's: query; newer: JSON 1.0). Exits 1 if any check failed.
"""
import hashlib
import json
import os
import struct
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

endpoint, consumed_file = sys.argv[1], sys.argv[2]
cfg = botocore.config.Config(retries={"max_attempts": 1}, read_timeout=40)
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
          aws_secret_access_key="test", config=cfg)
sqs = boto3.client("sqs", **kw)
lam = boto3.client("lambda", **kw)
protocol = sqs.meta.service_model.protocol
print(f"# botocore {botocore.__version__}, SQS protocol {protocol}")
failures = 0


def check(name, actual, expected):
    global failures
    if actual == expected:
        print(f"ok: [{protocol}] {name}")
    else:
        failures += 1
        print(f"FAIL: [{protocol}] {name}: got {actual!r}, want {expected!r}", file=sys.stderr)


def error_code(fn, **args):
    try:
        fn(**args)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


def md5_of_attributes(attributes):
    """SQS's algorithm, written independently of stratus's."""
    buf = b""
    for name in sorted(attributes):
        value = attributes[name]
        buf += struct.pack(">I", len(name.encode())) + name.encode()
        buf += struct.pack(">I", len(value["DataType"].encode())) + value["DataType"].encode()
        if "StringValue" in value:
            data = value["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(data)) + data
        else:
            data = value["BinaryValue"]
            buf += b"\x02" + struct.pack(">I", len(data)) + data
    return hashlib.md5(buf).hexdigest()


suffix = protocol
# --- queues ---
url = sqs.create_queue(QueueName=f"it-{suffix}", Attributes={"VisibilityTimeout": "40"},
                       tags={"team": "qa"})["QueueUrl"]
check("create_queue url", url.endswith(f"/000000000000/it-{suffix}"), True)
check("get_queue_url", sqs.get_queue_url(QueueName=f"it-{suffix}")["QueueUrl"], url)
check("list_queues prefix", sqs.list_queues(QueueNamePrefix=f"it-{suffix}")["QueueUrls"], [url])
page = sqs.list_queues(MaxResults=1)
check("list_queues page", (len(page["QueueUrls"]), "NextToken" in page), (1, True))
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
check("attributes", attrs["VisibilityTimeout"], "40")
sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "MessageRetentionPeriod": "600"})
check("set attributes", sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])
      ["Attributes"], {"MessageRetentionPeriod": "600"})
check("QueueDoesNotExist", error_code(sqs.get_queue_url, QueueName="missing"),
      "AWS.SimpleQueueService.NonExistentQueue")
check("QueueNameExists", error_code(sqs.create_queue, QueueName=f"it-{suffix}",
                                    Attributes={"VisibilityTimeout": "41"}), "QueueAlreadyExists")
check("InvalidAttributeName", error_code(sqs.set_queue_attributes, QueueUrl=url,
                                         Attributes={"Colour": "x"}), "InvalidAttributeName")

# --- messages ---
attributes = {"color": {"DataType": "String", "StringValue": "blue"},
              "n": {"DataType": "Number", "StringValue": "42"},
              "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xffbytes"}}
body = "héllo \r\n <xml> & ünïcode 😀"
sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
check("send md5 body", sent["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest())
check("send md5 attributes", sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"],
                          MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
check("receive one", len(got), 1)
m = got[0]
check("receive body (CR kept)", m["Body"], body)
check("receive attributes", m["MessageAttributes"], attributes)
check("receive md5 attributes", m["MD5OfMessageAttributes"], md5_of_attributes(attributes))
check("receive count", m["Attributes"]["ApproximateReceiveCount"], "1")
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
check("visible again", again["Attributes"]["ApproximateReceiveCount"], "2")
sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
check("MessageNotInflight", error_code(sqs.change_message_visibility, QueueUrl=url,
                                       ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=5),
      "AWS.SimpleQueueService.MessageNotInflight")
batch = sqs.send_message_batch(QueueUrl=url, Entries=[
    {"Id": str(i), "MessageBody": f"b{i}", "DelaySeconds": 0} for i in range(10)])
check("send batch", (len(batch["Successful"]), len(batch.get("Failed", []))), (10, 0))
check("TooManyEntries", error_code(sqs.send_message_batch, QueueUrl=url,
                                   Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)]),
      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
received = []
while True:
    r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    if not r:
        break
    received += r
check("receive batch", sorted(x["Body"] for x in received), sorted(f"b{i}" for i in range(10)))
vis = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
    {"Id": "v", "ReceiptHandle": received[0]["ReceiptHandle"], "VisibilityTimeout": 0}])
check("change visibility batch", [e["Id"] for e in vis["Successful"]], ["v"])
deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
    {"Id": f"d{i}", "ReceiptHandle": x["ReceiptHandle"]} for i, x in enumerate(received[1:])]
    + [{"Id": "bad", "ReceiptHandle": "bogus"}])
check("delete batch", (len(deleted["Successful"]), deleted["Failed"][0]["Code"]),
      (9, "ReceiptHandleIsInvalid"))
sqs.purge_queue(QueueUrl=url)
check("purged", sqs.receive_message(QueueUrl=url).get("Messages"), None)
sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
check("tags", sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})
start = time.monotonic()
empty = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
check("long poll waits", (empty.get("Messages"), time.monotonic() - start >= 0.9), (None, True))

# --- dead letters ---
dlq = sqs.create_queue(QueueName=f"it-dlq-{suffix}")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
src = sqs.create_queue(QueueName=f"it-src-{suffix}", Attributes={
    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
check("dead-letter sources", sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])
sqs.send_message(QueueUrl=src, MessageBody="poison")
first = sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]
check("poison received once", len(first), 1)
check("then moved", sqs.receive_message(QueueUrl=src).get("Messages"), None)
moved = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"][0]
check("in the DLQ", (moved["Body"], moved["Attributes"]["DeadLetterQueueSourceArn"].endswith(
    f":it-src-{suffix}")), ("poison", True))

# --- FIFO ---
fifo = sqs.create_queue(QueueName=f"it-{suffix}.fifo", Attributes={
    "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
seqs = [sqs.send_message(QueueUrl=fifo, MessageBody=f"f{i}", MessageGroupId="g")["SequenceNumber"]
        for i in range(3)]
check("sequence numbers grow", seqs == sorted(seqs) and len(set(seqs)) == 3, True)
dup = sqs.send_message(QueueUrl=fifo, MessageBody="f0", MessageGroupId="g")
check("content dedup", dup["SequenceNumber"], seqs[0])
fb = sqs.send_message_batch(QueueUrl=fifo, Entries=[
    {"Id": "a", "MessageBody": "h0", "MessageGroupId": "h", "MessageDeduplicationId": "h0"}])
check("fifo batch", len(fb["Successful"]), 1)
got = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
check("fifo order", [x["Body"] for x in got], ["f0", "f1", "f2", "h0"])
check("group locked", sqs.receive_message(QueueUrl=fifo).get("Messages"), None)
check("missing group id", error_code(sqs.send_message, QueueUrl=fifo, MessageBody="x"),
      "MissingParameter")
sqs.delete_queue(QueueUrl=fifo)
check("deleted queue", error_code(sqs.get_queue_url, QueueName=f"it-{suffix}.fifo"),
      "AWS.SimpleQueueService.NonExistentQueue")

# --- event source mapping ---
jobs = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
jobs_arn = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
mapping = lam.create_event_source_mapping(FunctionName="consumer", EventSourceArn=jobs_arn,
                                          BatchSize=10)
check("mapping created", mapping["ResponseMetadata"]["HTTPStatusCode"], 202)
check("mapping listed", [x["UUID"] for x in lam.list_event_source_mappings(
    FunctionName="consumer")["EventSourceMappings"]], [mapping["UUID"]])
check("mapping get", lam.get_event_source_mapping(UUID=mapping["UUID"])["State"], "Enabled")
marker = f"{suffix}-{time.time()}"
sqs.send_message(QueueUrl=jobs, MessageBody=marker)
deadline = time.monotonic() + 30
seen = False
while time.monotonic() < deadline and not seen:
    seen = os.path.exists(consumed_file) and marker in open(consumed_file).read()
    time.sleep(0.05)
check("mapped function got the message", seen, True)
lam.delete_event_source_mapping(UUID=mapping["UUID"])
try:
    lam.get_event_source_mapping(UUID=mapping["UUID"])
    check("mapping deleted", False, True)
except botocore.exceptions.ClientError as e:
    check("mapping deleted", e.response["Error"]["Code"], "ResourceNotFoundException")

sys.exit(1 if failures else 0)
