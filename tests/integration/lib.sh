# shellcheck shell=bash
# Helpers the real-client integration tests share. Source it with the stratus binary as $1:
#   . "$(dirname "$0")/lib.sh" "$1"
# It makes a temporary project (a Python `hello`, a failing `boom`, a Node `nodehello`),
# starts `stratus start` on ephemeral ports, and stops it at exit, checking it exits 0.
set -euo pipefail

STRATUS=${1:?usage: $0 PATH_TO_STRATUS}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stratus-it.XXXXXX")
STRATUS_PID=""
FAILURES=0

cleanup() {
  if [ -n "$STRATUS_PID" ] && kill -0 "$STRATUS_PID" 2>/dev/null; then kill -KILL "$STRATUS_PID"; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }
# check NAME ACTUAL EXPECTED
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got [$2], want [$3]"; fi; }
# check_has NAME TEXT PART
check_has() { case "$2" in *"$3"*) pass "$1" ;; *) fail "$1: [$2] lacks [$3]" ;; esac; }

# Dummy credentials: stratus accepts any by default. No instance-metadata lookups.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=test
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
unset AWS_PROFILE AWS_ENDPOINT_URL

make_project() {
  cat >"$TMP/stratus.yaml" <<'YAML'
functions:
  hello:
    runtime: python3.11
    handler: handler.hello
    memory: 256
    timeout: 10
    environment: { GREETING: hello }
  boom:
    runtime: python3.11
    handler: handler.boom
    timeout: 10
  nodehello:
    runtime: nodejs20.x
    handler: app.handler
    timeout: 10
YAML
  cat >"$TMP/handler.py" <<'PY'
import os


class Boom(Exception):
    pass


def hello(event, context):
    print("hello called with", event)
    return {"message": os.environ["GREETING"] + ", " + event.get("name", "world"),
            "requestId": context.aws_request_id}


def boom(event, context):
    print("about to fail")
    raise Boom("it broke")
PY
  cat >"$TMP/app.js" <<'JS'
'use strict';
exports.handler = async (event) => {
  console.log('node handler called');
  return { node: true, event };
};
JS
}

# Exits 77 (skipped) unless boto3 imports in $PY (Debian's interpreter by default: a python3
# earlier on PATH may be another one without boto3). Sets PY.
need_boto3() {
  PY=${BOTO3_PYTHON:-/usr/bin/python3}
  "$PY" -c 'import boto3' 2>/dev/null || { echo "SKIP: boto3 not importable by $PY (apt-get install python3-boto3)"; exit 77; }
}
# Exits 77 (skipped) unless every named command is installed.
need_commands() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || { echo "SKIP: $c not installed"; exit 77; }; done
}

# Writes $TMP/stratus.yaml: a `record` function (write_event_recorder) saving each event from
# the object trigger EVENT (the YAML of `- object: ...`) into $TMP/events, and BUCKETS.
recorder_project() {  # EVENT BUCKETS
  mkdir -p "$TMP/events"
  cat >"$TMP/stratus.yaml" <<YAML
functions:
  record:
    runtime: python3.11
    handler: record.handler
    timeout: 10
    environment: { OUT: "$TMP/events" }
    events:
      - object: $1
buckets: $2
YAML
  write_event_recorder
}

# Writes $TMP/record.py: a handler (record.handler) saving each event it gets as a JSON file
# in the directory its OUT variable names.
write_event_recorder() {
  cat >"$TMP/record.py" <<'PY'
import json, os, uuid


def handler(event, context):
    path = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(event, f)
    os.rename(path + ".tmp", path)
    return {"ok": True}
PY
}

# Starts stratus on the project; sets ENDPOINT (service port) and GATEWAY. Polls for the ready file, no fixed sleep.
start_stratus() {
  local ready="$TMP/ready.json"
  "$STRATUS" start -c "$TMP/stratus.yaml" --port 0 --gateway-port 0 --ephemeral \
    --ready-file "$ready" >"$TMP/stratus.out" 2>"$TMP/stratus.err" &
  STRATUS_PID=$!
  local i
  for i in $(seq 1 2000); do
    [ -s "$ready" ] && break
    kill -0 "$STRATUS_PID" 2>/dev/null || { cat "$TMP/stratus.err" >&2; echo "stratus exited" >&2; exit 1; }
    sleep 0.01
  done
  [ -s "$ready" ] || { echo "stratus not ready after 20 s" >&2; exit 1; }
  local port
  port=$(sed -E 's/.*"service_port":([0-9]+).*/\1/' "$ready")
  ENDPOINT="http://127.0.0.1:$port"
  GATEWAY="http://127.0.0.1:$(sed -E 's/.*"gateway_port":([0-9]+).*/\1/' "$ready")"
  echo "# stratus pid $STRATUS_PID at $ENDPOINT, gateway $GATEWAY"
}

# Starts stratus on the project with its data in $DATA (kept across runs, for crash tests);
# $1 tells the runs' ready and log files apart. Sets STRATUS_PID and ENDPOINT.
start_on_data() {
  local ready="$TMP/ready.$1"
  "$STRATUS" start -c "$TMP/stratus.yaml" --port 0 --gateway-port 0 --data-dir "$DATA" \
    --ready-file "$ready" >"$TMP/stratus.$1.out" 2>"$TMP/stratus.$1.err" &
  STRATUS_PID=$!
  for _ in $(seq 1 2000); do
    [ -s "$ready" ] && break
    kill -0 "$STRATUS_PID" 2>/dev/null || { cat "$TMP/stratus.$1.err" >&2; exit 1; }
    sleep 0.01
  done
  ENDPOINT="http://127.0.0.1:$(sed -E 's/.*"service_port":([0-9]+).*/\1/' "$ready")"
}

# Crash tests: $TMP/files/1..40 (every fourth 1 MiB, above the inline limit, the rest 4 KiB),
# $TMP/files/slow (16 MiB, for uploads the kill cuts short) and an empty $TMP/acks.
make_crash_files() {
  mkdir -p "$TMP/files" "$TMP/acks"
  local i
  for i in $(seq 1 40); do
    if [ $((i % 4)) -eq 0 ]; then head -c $((1024 * 1024 + i)) /dev/urandom; else head -c $((4096 + i)) /dev/urandom; fi >"$TMP/files/$i"
  done
  head -c $((16 * 1024 * 1024)) /dev/urandom >"$TMP/files/slow"
}

# Runs the caller's upload_all (one file in $TMP/acks per answered upload) in the background,
# kill -9s stratus once $1 uploads were answered, waits for every child; sets ACKED.
kill_after_acks() {
  upload_all &
  local uploader=$!
  for _ in $(seq 1 1000); do
    [ "$(ls "$TMP/acks" | wc -l)" -ge "$1" ] && break
    sleep 0.01
  done
  kill -KILL "$STRATUS_PID"
  wait "$STRATUS_PID" 2>/dev/null || true
  wait "$uploader" 2>/dev/null || true
  wait 2>/dev/null || true
  ACKED=$(ls "$TMP/acks" | wc -l)
}

# Prints how many committed body files $DATA/blobs holds, polling (up to 5 s) until it is $1:
# start-up deletes orphan bodies asynchronously.
body_files_when() {
  local files=-1
  for _ in $(seq 1 500); do
    files=$(find "$DATA/blobs" -path "$DATA/blobs/tmp" -prune -o -type f -print | wc -l)
    [ "$files" -eq "$1" ] && break
    sleep 0.01
  done
  echo "$files"
}

# SIGTERM, then the exit status must be 0; prints the summary and exits with it.
stop_stratus_and_finish() {
  kill -TERM "$STRATUS_PID"
  local rc=0
  wait "$STRATUS_PID" || rc=$?
  STRATUS_PID=""
  check "stratus exits 0 on SIGTERM" "$rc" 0
  if [ "$FAILURES" -ne 0 ]; then
    echo "--- stratus stderr:" >&2
    cat "$TMP/stratus.err" >&2
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
