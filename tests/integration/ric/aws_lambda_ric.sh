#!/usr/bin/env bash
# AWS's own Node.js Runtime Interface Client (npm aws-lambda-ric 3.x), unchanged, as the
# runtime of `provided` functions under `stratus start`: the function's bootstrap execs
#   node <RIC_DIR>/node_modules/aws-lambda-ric/bin/index.mjs <handler>
# and everything goes through the real client: its libcurl keep-alive long poll, its /error
# posts without an Error-Type header, its /init/error and exit 129, its uncaught-exception path.
# See /work/shared/contracts/runtime-api.md for what the client does.
#
# Usage: aws_lambda_ric.sh PATH_TO_STRATUS RIC_CACHE_DIR
# The client is installed into RIC_CACHE_DIR by scripts/install-ric.sh (a few minutes the
# first time, nothing after). Exits 77 (ctest: skipped) when it cannot be installed, unless
# STRATUS_RIC_REQUIRED=1, which makes that a failure.
# shellcheck disable=SC2016  # '$LATEST' and Python expressions are meant literally
set -euo pipefail

STRATUS=${1:?usage: $0 PATH_TO_STRATUS RIC_CACHE_DIR}
RIC_DIR=${2:?usage: $0 PATH_TO_STRATUS RIC_CACHE_DIR}
case "$STRATUS" in /*) ;; *) STRATUS="$PWD/$STRATUS" ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

# --- the client ---------------------------------------------------------------------------
if ! command -v node >/dev/null; then
  echo "SKIP: node is not installed (scripts/install-deps.sh installs it)"
  exit 77
fi
if ! ric_version=$("$ROOT/scripts/install-ric.sh" "$RIC_DIR"); then
  echo "SKIP: aws-lambda-ric could not be installed into $RIC_DIR (the reason is above)"
  [ "${STRATUS_RIC_REQUIRED:-0}" = 1 ] && exit 1
  exit 77
fi
RIC_DIR=$(cd "$RIC_DIR" && pwd)
RIC_ENTRY="$RIC_DIR/node_modules/aws-lambda-ric/bin/index.mjs"
NODE=$(command -v node)
echo "# $ric_version on node $("$NODE" --version)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stratus-ric.XXXXXX")
STRATUS_PID=""
FAILURES=0
cleanup() {
  if [ -n "$STRATUS_PID" ] && kill -0 "$STRATUS_PID" 2>/dev/null; then kill -KILL "$STRATUS_PID"; fi
  for pid in $(runtime_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got [$2], want [$3]"; fi; }
check_has() { case "$2" in *"$3"*) pass "$1" ;; *) fail "$1: [$2] lacks [$3]" ;; esac; }
# json FILE EXPR: EXPR is Python over `j`, the parsed file; prints the result (strings bare,
# the rest as JSON), or <...> when the file is not JSON or EXPR fails. Debian's python3 when
# there (a pyenv shim starts 5x slower).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
json() {
  "$PY" -c '
import json, re, sys
try:
    j = json.load(open(sys.argv[1]))
except ValueError:
    print("<unparsable>"); sys.exit()
try:
    v = eval(sys.argv[2])
except Exception as e:  # a check fails with this, rather than the script stopping
    v = "<%s: %s>" % (type(e).__name__, e)
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))' "$1" "$2"
}

# Processes (ours only) whose working directory is in the test's project: the runtimes.
runtime_pids() {
  local p cwd
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    case "$cwd" in "$TMP"/*) echo "${p#/proc/}" ;; esac
  done
}

# --- the project --------------------------------------------------------------------------
# One code directory; the functions differ by handler. The bootstrap is what a custom-runtime
# user writes: it starts the client on the handler stratus passes in _HANDLER.
mkdir -p "$TMP/fn"
cat >"$TMP/stratus.yaml" <<'YAML'
functions:
  echo:
    runtime: provided
    handler: index.handler
    code: fn
    memory: 256
    timeout: 30
  thrower:
    runtime: provided
    handler: index.thrower
    code: fn
    timeout: 30
  uncaught:
    runtime: provided
    handler: index.uncaught
    code: fn
    timeout: 30
  late:
    runtime: provided
    handler: late.handler
    code: fn
    timeout: 30
YAML
cat >"$TMP/fn/bootstrap" <<SH
#!/bin/sh
# A custom runtime: AWS's Node runtime interface client. 3.x takes the handler from argv and
# resolves it from the working directory, which stratus sets to the code directory.
exec "$NODE" "$RIC_ENTRY" "\${_HANDLER:?}"
SH
chmod +x "$TMP/fn/bootstrap"
cat >"$TMP/fn/index.js" <<'JS'
'use strict';
class MyAppError extends Error {
  constructor(message) { super(message); this.name = 'MyAppError'; }
}

exports.handler = async (event, context) => {
  console.log('echo handler called');
  return {
    echo: event,
    pid: process.pid,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingMs: context.getRemainingTimeInMillis(),
    traceId: process.env._X_AMZN_TRACE_ID || '',
  };
};

exports.thrower = async () => {
  throw new MyAppError('boom from handler');
};

// An exception thrown outside the handler's promise while the invocation is open.
exports.uncaught = (event) => {
  if (event.ok) return Promise.resolve({ pid: process.pid, ok: true });
  setTimeout(() => { throw new Error('async boom'); }, 10);
  return new Promise(() => {});  // never settles
};
JS
# late.js is missing at first: the client fails its init with Runtime.ImportModuleError.

# --- stratus ------------------------------------------------------------------------------
ready="$TMP/ready.json"
(cd "$TMP" && exec "$STRATUS" start --port 0 --gateway-port 0 --ephemeral --ready-file "$ready") \
  >"$TMP/stratus.out" 2>"$TMP/stratus.err" &
STRATUS_PID=$!
for _ in $(seq 1 2000); do
  [ -s "$ready" ] && break
  if ! kill -0 "$STRATUS_PID" 2>/dev/null; then
    cat "$TMP/stratus.err" >&2
    echo "FAIL: stratus exited before it was ready" >&2
    exit 1
  fi
  sleep 0.01
done
[ -s "$ready" ] || { echo "FAIL: stratus not ready after 20 s" >&2; exit 1; }
PORT=$(json "$ready" 'j["service_port"]')
ENDPOINT="http://127.0.0.1:$PORT"
echo "# stratus pid $STRATUS_PID at $ENDPOINT"

# invoke NAME PAYLOAD: the body into $TMP/body.json, the headers into $TMP/headers.txt;
# sets STATUS, REQUEST_ID, FUNCTION_ERROR.
invoke() {
  STATUS=$(curl -sS -m 60 -o "$TMP/body.json" -D "$TMP/headers.txt" -w '%{http_code}' \
    -X POST -H 'Content-Type: application/json' --data-binary "$2" \
    "$ENDPOINT/2015-03-31/functions/$1/invocations")
  REQUEST_ID=$(header x-amzn-RequestId)
  FUNCTION_ERROR=$(header X-Amz-Function-Error)
}
header() {
  { grep -i "^$1:" "$TMP/headers.txt" || true; } | head -1 | sed -E 's/^[^:]*:[[:space:]]*//' | tr -d '\r'
}
# The newest /_stratus/invocations record of a request id, as JSON into $TMP/record.json.
record() {
  curl -sS -m 10 "$ENDPOINT/_stratus/invocations?limit=1000" -o "$TMP/invocations.json"
  "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(json.dumps(next((x for x in j["invocations"] if x["request_id"] == sys.argv[2]), None)))' \
    "$TMP/invocations.json" "$1" >"$TMP/record.json"
}

# 1. Success: the event comes back with the context the client built from stratus's headers.
invoke echo '{"key1":"value1","n":1}'
check "echo: status" "$STATUS" 200
check "echo: no X-Amz-Function-Error" "$FUNCTION_ERROR" ""
check "echo: event" "$(json "$TMP/body.json" 'json.dumps(j["echo"], separators=(",", ":"))')" '{"key1":"value1","n":1}'
check "echo: awsRequestId = x-amzn-RequestId" "$(json "$TMP/body.json" 'j["awsRequestId"]')" "$REQUEST_ID"
[ -n "$REQUEST_ID" ] || fail "echo: no x-amzn-RequestId header"
check "echo: functionName" "$(json "$TMP/body.json" 'j["functionName"]')" echo
check "echo: functionVersion" "$(json "$TMP/body.json" 'j["functionVersion"]')" '$LATEST'
check "echo: memoryLimitInMB" "$(json "$TMP/body.json" 'j["memoryLimitInMB"]')" 256
check "echo: invokedFunctionArn" "$(json "$TMP/body.json" 're.sub(r":\d{12}:", ":ACCOUNT:", j["invokedFunctionArn"])')" \
  "arn:aws:lambda:us-east-1:ACCOUNT:function:echo"
check "echo: logGroupName" "$(json "$TMP/body.json" 'j["logGroupName"]')" /aws/lambda/echo
check_has "echo: logStreamName" "$(json "$TMP/body.json" 'j["logStreamName"]')" '/[$LATEST]'
check "echo: getRemainingTimeInMillis() > 0" "$(json "$TMP/body.json" '0 < j["remainingMs"] <= 30000')" true
check_has "echo: _X_AMZN_TRACE_ID from Lambda-Runtime-Trace-Id" "$(json "$TMP/body.json" 'j["traceId"]')" "Root=1-"
first_pid=$(json "$TMP/body.json" 'j["pid"]')
first_id=$REQUEST_ID
record "$first_id"
check "echo: first call is cold" "$(json "$TMP/record.json" 'j and j["cold"]')" true

# 2. A second call in a row goes to the same warm process.
invoke echo '{"n":2}'
check "echo 2: status" "$STATUS" 200
check "echo 2: event" "$(json "$TMP/body.json" 'j["echo"]["n"]')" 2
check "echo 2: awsRequestId = x-amzn-RequestId" "$(json "$TMP/body.json" 'j["awsRequestId"]')" "$REQUEST_ID"
[ "$REQUEST_ID" != "$first_id" ] || fail "echo 2: the request id was reused"
check "echo 2: same process" "$(json "$TMP/body.json" 'j["pid"]')" "$first_pid"
record "$REQUEST_ID"
check "echo 2: second call is warm (cold=false)" "$(json "$TMP/record.json" 'j and j["cold"]')" false
check "echo 2: outcome" "$(json "$TMP/record.json" 'j and j["outcome"]')" success

# 3. A thrown error: the client posts /error with the type only in the body.
invoke thrower '{}'
check "thrower: status" "$STATUS" 200
check "thrower: X-Amz-Function-Error" "$FUNCTION_ERROR" Unhandled
check "thrower: errorType" "$(json "$TMP/body.json" 'j["errorType"]')" MyAppError
check "thrower: errorMessage" "$(json "$TMP/body.json" 'j["errorMessage"]')" "boom from handler"
check "thrower: trace is an array" "$(json "$TMP/body.json" 'isinstance(j["trace"], list)')" true
record "$REQUEST_ID"
check "thrower: recorded error_type" "$(json "$TMP/record.json" 'j and j["error_type"]')" MyAppError
# The client goes back to /next after /error: the same process answers the next call.
invoke thrower '{}'
check "thrower again: errorType" "$(json "$TMP/body.json" 'j["errorType"]')" MyAppError
record "$REQUEST_ID"
check "thrower again: warm after an error" "$(json "$TMP/record.json" 'j and j["cold"]')" false

# 4. An init error: late.js is missing. The client posts /init/error and exits 129.
invoke late '{}'
check "late (missing module): status" "$STATUS" 200
check "late (missing module): X-Amz-Function-Error" "$FUNCTION_ERROR" Unhandled
check "late (missing module): errorType" "$(json "$TMP/body.json" 'j["errorType"]')" Runtime.ImportModuleError
check_has "late (missing module): errorMessage" "$(json "$TMP/body.json" 'j["errorMessage"]')" "Cannot find module 'late'"
# stratus starts a fresh process for the next call, which now finds the module.
cat >"$TMP/fn/late.js" <<'JS'
exports.handler = async (event) => ({ late: true, pid: process.pid, event });
JS
invoke late '{"again":1}'
check "late (module added): status" "$STATUS" 200
check "late (module added): no X-Amz-Function-Error" "$FUNCTION_ERROR" ""
check "late (module added): result" "$(json "$TMP/body.json" 'j.get("late") is True and j["event"]["again"]')" 1
record "$REQUEST_ID"
check "late (module added): a fresh (cold) process" "$(json "$TMP/record.json" 'j and j["cold"]')" true

# 5. An uncaught exception in a timer while the invocation is open: the client posts /error
#    (errorType in the body) and exits 129. The invoke fails; the next call works, in a fresh
#    process.
invoke uncaught '{"ok":true}'
check "uncaught warm-up: status" "$STATUS" 200
uncaught_pid=$(json "$TMP/body.json" 'j["pid"]')
invoke uncaught '{}'
check "uncaught: status" "$STATUS" 200
check "uncaught: X-Amz-Function-Error" "$FUNCTION_ERROR" Unhandled
check "uncaught: errorType" "$(json "$TMP/body.json" 'j["errorType"]')" Error
check "uncaught: errorMessage" "$(json "$TMP/body.json" 'j["errorMessage"]')" "async boom"
invoke uncaught '{"ok":true}'
check "uncaught, next call: status" "$STATUS" 200
check "uncaught, next call: no X-Amz-Function-Error" "$FUNCTION_ERROR" ""
check "uncaught, next call: result" "$(json "$TMP/body.json" 'j.get("ok") is True')" true
next_pid=$(json "$TMP/body.json" 'j.get("pid", 0)')
if [ "$next_pid" != "$uncaught_pid" ]; then pass "uncaught, next call: a new process"; else
  fail "uncaught, next call: answered by the process that crashed ($uncaught_pid)"; fi
if kill -0 "$uncaught_pid" 2>/dev/null; then fail "uncaught: the crashed runtime $uncaught_pid still runs"; fi

# 5b. The same, with the next call sent the moment the failed one is answered (one curl, one
#     kept-alive connection, as an SDK's connection pool does). The runtime exits just after
#     its /error was answered; the next event must not be handed to it, since it never asks
#     for one again (it never calls /next).
for round in 1 2 3; do
  curl -sS -m 60 -X POST --data-binary '{}' -o "$TMP/crash.json" -D "$TMP/crash.h" \
    "$ENDPOINT/2015-03-31/functions/uncaught/invocations" \
    --next -sS -m 60 -X POST --data-binary '{"ok":true}' -o "$TMP/body.json" -D "$TMP/headers.txt" \
    "$ENDPOINT/2015-03-31/functions/uncaught/invocations"
  check "uncaught back to back #$round: the crash fails" "$(json "$TMP/crash.json" 'j["errorType"]')" Error
  FUNCTION_ERROR=$(header X-Amz-Function-Error)
  if [ -z "$FUNCTION_ERROR" ] && [ "$(json "$TMP/body.json" 'j.get("ok") is True')" = true ]; then
    pass "uncaught back to back #$round: the next call works"
  else
    fail "uncaught back to back #$round: the next call failed: $(head -c 300 "$TMP/body.json")"
  fi
done

# The echo function is still warm through all of this.
invoke echo '{"n":3}'
check "echo 3: same process still" "$(json "$TMP/body.json" 'j["pid"]')" "$first_pid"

# The client's log lines (ISO-time, request id, level, message) reached stratus's log.
check_has "logs: the client's console.log line" "$(cat "$TMP/stratus.out" "$TMP/stratus.err")" "echo handler called"

# --- stop ---------------------------------------------------------------------------------
running=$(runtime_pids | tr '\n' ' ')
if [ -n "$running" ]; then pass "runtimes running before stop: $running"; else
  fail "no runtime processes found before stop"; fi
kill -TERM "$STRATUS_PID"
rc=0
wait "$STRATUS_PID" || rc=$?
STRATUS_PID=""
check "stratus exits 0 on SIGTERM" "$rc" 0
left=""
for _ in $(seq 1 100); do  # the runtimes were killed by then; give /proc a moment
  left=$(runtime_pids | tr '\n' ' ')
  [ -z "$left" ] && break
  sleep 0.05
done
if [ -z "$left" ]; then
  pass "no runtime process left after stop"
else
  fail "runtime processes left after stop: $left ($(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null; echo; done))"
fi

if [ "$FAILURES" -ne 0 ]; then
  echo "--- stratus stdout:" >&2
  cat "$TMP/stratus.out" >&2
  echo "--- stratus stderr:" >&2
  cat "$TMP/stratus.err" >&2
  echo "$FAILURES check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
