#!/usr/bin/env bash
# @aws-sdk/client-s3 (v3, npm) with its default checksums (CRC32, sent as an aws-chunked
# trailer) against stratus: put/get with checksum validation, multipart, list, copy, delete,
# and an S3 error. Usage: objects_sdkjs.sh PATH_TO_STRATUS. Exits 77 when node or the SDK
# cannot be had.
. "$(dirname "$0")/lib.sh" "$1"

command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODULES=$("$ROOT/scripts/install-npm-clients.sh" "$ROOT/build/npm" 2>/dev/null | tail -1) ||
  { echo "SKIP: @aws-sdk/client-s3 could not be installed"; exit 77; }
printf 'buckets: [js-bucket]\n' >"$TMP/stratus.yaml"
start_stratus
NODE_PATH="$MODULES" node "$(dirname "$0")/objects_sdkjs.mjs" "$ENDPOINT" || FAILURES=$((FAILURES + 1))
stop_stratus_and_finish
