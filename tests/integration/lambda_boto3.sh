#!/usr/bin/env bash
# boto3 (Debian's python3-boto3) against stratus's Lambda API: invoke RequestResponse
# (Payload, FunctionError, LogResult with LogType='Tail'), Event (202), DryRun (204),
# list_functions, get_function, and the ResourceNotFoundException of an unknown function.
# Usage: lambda_boto3.sh PATH_TO_STRATUS. Exits 77 (skipped) when boto3 is missing.
. "$(dirname "$0")/lib.sh" "$1"

need_boto3
make_project
start_stratus
"$PY" "$(dirname "$0")/lambda_boto3.py" "$ENDPOINT" || FAILURES=$((FAILURES + 1))
stop_stratus_and_finish
