"""What the boto3 object-store scripts share: pass/fail bookkeeping, the code of a refused
call, and a client for stratus's service port."""
import sys

import boto3
import botocore
from botocore.config import Config

failures = []


def check(name, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + name + ("" if ok else " " + str(detail)))
    if not ok:
        failures.append(name)


def error_of(fn, *args, **kwargs):
    """(error code, ResponseMetadata) of a refused call; (None, None) if it succeeded."""
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]
    return None, None


def error_message_of(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None, None


def client(endpoint, service="s3", style="path"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(s3={"addressing_style": style},
                                      retries={"max_attempts": 1}))


def finish():
    print("%d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)
