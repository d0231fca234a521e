#!/usr/bin/env bash
# The AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, JSON 1.0 protocol) against stratus's SQS
# API, plus @aws-sdk/client-lambda's event source mappings. The clients are installed once into
# build/npm of the source tree (scripts/install-npm-clients.sh); 77 = skipped without node or
# the clients. Usage: queue_sdk_js.sh PATH_TO_STRATUS.
. "$(dirname "$0")/lib.sh" "$1"

command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MODULES=$(bash "$SRC/scripts/install-npm-clients.sh" "$SRC/build/npm") || { echo "SKIP: cannot install the npm clients"; exit 77; }
cat >"$TMP/stratus.yaml" <<'YAML'
functions:
  consumer: { runtime: python3.11, handler: consumer.handler, timeout: 10 }
queues:
  jobs: {}
YAML
printf 'def handler(event, context):\n    return None\n' >"$TMP/consumer.py"
start_stratus
NODE_PATH="$MODULES" node "$(dirname "$0")/queue_sdk_js.js" "$ENDPOINT" || FAILURES=$((FAILURES + 1))
stop_stratus_and_finish
