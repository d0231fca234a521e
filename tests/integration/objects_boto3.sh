#!/usr/bin/env bash
# boto3 (Debian's python3-boto3) against stratus's S3 API: buckets, objects with metadata,
# ranges, conditions, copies, listings, DeleteObjects, multipart, checksums, presigned URLs,
# awkward keys, S3's XML errors, and notifications delivered to a function.
# Usage: objects_boto3.sh PATH_TO_STRATUS. Exits 77 (skipped) when boto3 is missing.
. "$(dirname "$0")/lib.sh" "$1"

need_boto3
recorder_project "{ bucket: watched, on: [created], prefix: in/, suffix: .txt }" "[watched, plain]"
start_stratus
"$PY" "$(dirname "$0")/objects_boto3.py" "$ENDPOINT" "$TMP/events" || FAILURES=$((FAILURES + 1))
stop_stratus_and_finish
