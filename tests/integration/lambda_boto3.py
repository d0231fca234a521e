"""boto3's Lambda client against a running stratus (run by lambda_boto3.sh).

Usage: lambda_boto3.py ENDPOINT. Prints one line per check; exits 1 if any failed.
"""
import base64
import json
import sys

import boto3
import botocore.config
import botocore.exceptions

endpoint = sys.argv[1]
client = boto3.client(
    "lambda",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=30),
)
failures = 0


def check(name, actual, expected):
    global failures
    if actual == expected:
        print(f"ok: {name}")
    else:
        failures += 1
        print(f"FAIL: {name}: got {actual!r}, want {expected!r}", file=sys.stderr)


def check_in(name, part, text):
    global failures
    if part in text:
        print(f"ok: {name}")
    else:
        failures += 1
        print(f"FAIL: {name}: {part!r} not in {text!r}", file=sys.stderr)


# RequestResponse with the log tail.
r = client.invoke(FunctionName="hello", Payload=json.dumps({"name": "boto3"}), LogType="Tail")
check("invoke: StatusCode", r["StatusCode"], 200)
check("invoke: no FunctionError", r.get("FunctionError"), None)
check("invoke: ExecutedVersion", r.get("ExecutedVersion"), "$LATEST")
payload = json.loads(r["Payload"].read())
check("invoke: payload", payload["message"], "hello, boto3")
check("invoke: request id header", r["ResponseMetadata"]["RequestId"], payload["requestId"])
tail = base64.b64decode(r["LogResult"]).decode()
check_in("invoke: LogResult has the function's line", "hello called with {'name': 'boto3'}", tail)
check_in("invoke: LogResult has START", "START RequestId: " + payload["requestId"], tail)
check_in("invoke: LogResult has REPORT", "REPORT RequestId: " + payload["requestId"], tail)

# Bytes payload and a qualified name.
r = client.invoke(FunctionName="hello:$LATEST", Payload=b'{"name": "bytes"}')
check("invoke qualified: payload", json.loads(r["Payload"].read())["message"], "hello, bytes")

# A function error.
r = client.invoke(FunctionName="boom", Payload=b"{}", LogType="Tail")
check("error: StatusCode", r["StatusCode"], 200)
check("error: FunctionError", r.get("FunctionError"), "Unhandled")
error = json.loads(r["Payload"].read())
check("error: errorType", error.get("errorType"), "Boom")
check("error: errorMessage", error.get("errorMessage"), "it broke")
check("error: stackTrace is a list", isinstance(error.get("stackTrace"), list), True)
check_in("error: LogResult", "about to fail", base64.b64decode(r["LogResult"]).decode())

# Event (async) and DryRun.
r = client.invoke(FunctionName="nodehello", InvocationType="Event", Payload=b'{"async": 1}')
check("Event: StatusCode", r["StatusCode"], 202)
check("Event: empty payload", r["Payload"].read(), b"")
r = client.invoke(FunctionName="hello", InvocationType="DryRun")
check("DryRun: StatusCode", r["StatusCode"], 204)

# Node, synchronously.
r = client.invoke(FunctionName="nodehello", Payload=b'{"x": 1}')
check("node: payload", json.loads(r["Payload"].read()), {"node": True, "event": {"x": 1}})

# list_functions, paginated the way SDK users do it.
names = []
for page in client.get_paginator("list_functions").paginate():
    names += [f["FunctionName"] for f in page["Functions"]]
check("list_functions", sorted(names), ["boom", "hello", "nodehello"])
conf = client.get_function(FunctionName="hello")["Configuration"]
check("get_function: Runtime", conf["Runtime"], "python3.11")
check("get_function: MemorySize", conf["MemorySize"], 256)
check("get_function: Timeout", conf["Timeout"], 10)
check("get_function_configuration: Handler",
      client.get_function_configuration(FunctionName="boom")["Handler"], "handler.boom")

# Unknown functions: the modelled exception, with its code.
for call in (lambda: client.invoke(FunctionName="nope", Payload=b"{}"),
             lambda: client.get_function(FunctionName="nope")):
    try:
        call()
        check("unknown function raises", "no exception", "ResourceNotFoundException")
    except client.exceptions.ResourceNotFoundException as e:
        check("unknown function: code", e.response["Error"]["Code"], "ResourceNotFoundException")
        check("unknown function: status", e.response["ResponseMetadata"]["HTTPStatusCode"], 404)

# Bad JSON payload: InvalidRequestContentException.
try:
    client.invoke(FunctionName="hello", Payload=b"{not json")
    check("bad payload raises", "no exception", "InvalidRequestContentException")
except botocore.exceptions.ClientError as e:
    check("bad payload: code", e.response["Error"]["Code"], "InvalidRequestContentException")

sys.exit(1 if failures else 0)
