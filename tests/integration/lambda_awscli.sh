#!/usr/bin/env bash
# The AWS CLI (Debian's awscli package, v2) against stratus's Lambda API, unchanged but for
# --endpoint-url: invoke (sync with a log tail, a function error, async), list-functions,
# get-function, get-function-configuration, and an unknown function.
# Usage: lambda_awscli.sh PATH_TO_STRATUS. Exits 77 (skipped) when the AWS CLI is missing.
. "$(dirname "$0")/lib.sh" "$1"

AWS=${AWS_CLI:-/usr/bin/aws}
[ -x "$AWS" ] || { echo "SKIP: $AWS not found (apt-get install awscli)"; exit 77; }
echo "# $("$AWS" --version 2>&1)"
make_project
start_stratus
lambda() { "$AWS" --endpoint-url "$ENDPOINT" --output json lambda "$@"; }
# The CLI v2 reads --payload as base64 unless told otherwise; v1 has no such option.
raw=()
"$AWS" --version 2>&1 | grep -q '^aws-cli/2' && raw=(--cli-binary-format raw-in-base64-out)

# Synchronous invoke with the log tail.
meta=$(lambda invoke --function-name hello "${raw[@]}" --payload '{"name":"cli"}' \
  --log-type Tail "$TMP/out.json")
check "invoke: StatusCode" "$(jq -r .StatusCode <<<"$meta")" 200
check "invoke: ExecutedVersion" "$(jq -r .ExecutedVersion <<<"$meta")" '$LATEST'
check "invoke: no FunctionError" "$(jq -r '.FunctionError // "none"' <<<"$meta")" none
check "invoke: payload" "$(jq -r .message "$TMP/out.json")" "hello, cli"
tail=$(jq -r .LogResult <<<"$meta" | base64 -d)
check_has "invoke: LogResult has the function's line" "$tail" "hello called with {'name': 'cli'}"
check_has "invoke: LogResult has REPORT" "$tail" "REPORT RequestId: $(jq -r .requestId "$TMP/out.json")"

# The function-name may be an ARN, as SDKs and CLIs pass it.
meta=$(lambda invoke --function-name arn:aws:lambda:us-east-1:000000000000:function:hello \
  "${raw[@]}" --payload '{}' "$TMP/arn.json")
check "invoke by ARN: StatusCode" "$(jq -r .StatusCode <<<"$meta")" 200
check "invoke by ARN: payload" "$(jq -r .message "$TMP/arn.json")" "hello, world"

# A function error is a 200 with FunctionError; the payload carries errorType.
meta=$(lambda invoke --function-name boom "${raw[@]}" --payload '{}' "$TMP/err.json")
check "error: StatusCode" "$(jq -r .StatusCode <<<"$meta")" 200
check "error: FunctionError" "$(jq -r .FunctionError <<<"$meta")" Unhandled
check "error: errorType" "$(jq -r .errorType "$TMP/err.json")" Boom
check "error: errorMessage" "$(jq -r .errorMessage "$TMP/err.json")" "it broke"

# Asynchronous invoke: accepted with 202.
meta=$(lambda invoke --function-name nodehello --invocation-type Event "${raw[@]}" \
  --payload '{"async":true}' "$TMP/event.json")
check "Event invoke: StatusCode" "$(jq -r .StatusCode <<<"$meta")" 202

# Node function, synchronously.
lambda invoke --function-name nodehello "${raw[@]}" --payload '{"x":1}' "$TMP/node.json" >/dev/null
check "node invoke: payload" "$(jq -c . "$TMP/node.json")" '{"node":true,"event":{"x":1}}'

# list-functions, get-function, get-function-configuration.
names=$(lambda list-functions --query 'Functions[].FunctionName' --output text | tr '\t' '\n' | sort | tr '\n' ' ')
check "list-functions" "$names" "boom hello nodehello "
conf=$(lambda get-function --function-name hello)
check "get-function: Runtime" "$(jq -r .Configuration.Runtime <<<"$conf")" python3.11
check "get-function: MemorySize" "$(jq -r .Configuration.MemorySize <<<"$conf")" 256
check "get-function: Handler" "$(jq -r .Configuration.Handler <<<"$conf")" handler.hello
check "get-function: FunctionArn" "$(jq -r .Configuration.FunctionArn <<<"$conf")" \
  arn:aws:lambda:us-east-1:000000000000:function:hello
check "get-function: environment" "$(jq -r .Configuration.Environment.Variables.GREETING <<<"$conf")" hello
conf=$(lambda get-function-configuration --function-name boom)
check "get-function-configuration: Timeout" "$(jq -r .Timeout <<<"$conf")" 10

# An unknown function: the CLI reports ResourceNotFoundException and exits non-zero.
rc=0
err=$(lambda get-function --function-name nope 2>&1 >/dev/null) || rc=$?
check "unknown function: CLI fails" "$([ "$rc" -ne 0 ] && echo yes)" yes
check_has "unknown function: error code" "$err" ResourceNotFoundException
rc=0
err=$(lambda invoke --function-name nope "${raw[@]}" --payload '{}' "$TMP/nope.json" 2>&1 >/dev/null) || rc=$?
check "unknown function invoke: CLI fails" "$([ "$rc" -ne 0 ] && echo yes)" yes
check_has "unknown function invoke: error code" "$err" ResourceNotFoundException

stop_stratus_and_finish
