#!/usr/bin/env bash
# boto3 against stratus's SQS API and Lambda's event source mappings: every action, standard
# and FIFO queues, errors, MD5s, redrive. Run with Debian's boto3 (the query protocol) and,
# when another python3 on PATH has a botocore that speaks SQS's JSON protocol, with it too.
# Usage: queue_boto3.sh PATH_TO_STRATUS. Exits 77 (skipped) when boto3 is missing.
. "$(dirname "$0")/lib.sh" "$1"

need_boto3
cat >"$TMP/stratus.yaml" <<'YAML'
functions:
  consumer: { runtime: python3.11, handler: consumer.handler, timeout: 10 }
queues:
  jobs: { visibility_timeout: 30 }
YAML
cat >"$TMP/consumer.py" <<'PY'
import os
def handler(event, context):
    with open(os.path.join(os.path.dirname(__file__), 'consumed.txt'), 'a') as f:
        for record in event['Records']:
            f.write(record['body'] + '\n')
PY
start_stratus
"$PY" "$(dirname "$0")/queue_boto3.py" "$ENDPOINT" "$TMP/consumed.txt" || FAILURES=$((FAILURES + 1))
protocol() { "$1" -c 'import boto3; print(boto3.client("sqs", region_name="us-east-1").meta.service_model.protocol)' 2>/dev/null; }
OTHER=$(command -v python3 || true)
if [ -n "$OTHER" ] && [ "$(protocol "$OTHER")" = json ] && [ "$(protocol "$PY")" != json ]; then
  "$OTHER" "$(dirname "$0")/queue_boto3.py" "$ENDPOINT" "$TMP/consumed.txt" || FAILURES=$((FAILURES + 1))
else
  echo "# no python3 with a JSON-protocol botocore on PATH: JSON covered by queue_sdk_js"
fi
stop_stratus_and_finish
