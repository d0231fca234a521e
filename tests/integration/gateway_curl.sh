#!/usr/bin/env bash
# The API Gateway emulation driven by plain curl, as a developer pokes at it: path
# parameters, greedy paths and precedence, multi-value query strings, cookies, a binary round
# trip, CORS preflight, authorizer allow/deny, and API Gateway's own 502/504/429 answers.
# Usage: gateway_curl.sh PATH_TO_STRATUS. Exits 77 (skipped) when curl or jq is missing.
. "$(dirname "$0")/lib.sh" "$1"

command -v curl >/dev/null || { echo "SKIP: curl not found"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not found"; exit 77; }

cat >"$TMP/stratus.yaml" <<'YAML'
gateway:
  timeout: 1s
  cors: {allow_origins: ['https://app.example'], allow_methods: [GET, POST], max_age: 60}
  authorizers:
    keys: {function: authz, simple_responses: true, identity_source: [$request.header.x-key]}
functions:
  echo:
    runtime: python3.11
    handler: handler.echo
    events:
      - http: {method: GET, path: '/pets/{id}'}
      - http: {method: GET, path: /pets/dog}
      - http: {method: ANY, path: '/files/{path+}'}
      - http: {method: GET, path: /private, authorizer: keys}
  mirror:
    runtime: python3.11
    handler: handler.mirror
    events: [{http: {method: POST, path: /mirror}}]
  broken:
    runtime: python3.11
    handler: handler.broken
    events: [{rest: {method: GET, path: /broken}}, {rest: {method: GET, path: /slow}}]
  single:
    runtime: python3.11
    handler: handler.slow
    concurrency: 1
    events: [{http: {method: GET, path: /single}}]
  authz:
    runtime: python3.11
    handler: handler.authz
YAML
cat >"$TMP/handler.py" <<'PY'
import json, time


def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "cookies": ["seen=1; Path=/"], "body": json.dumps(event)}


def mirror(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
            "body": event["body"], "isBase64Encoded": event["isBase64Encoded"]}


def broken(event, context):
    if event["path"] == "/slow":
        time.sleep(2)
    return "not a proxy answer"


def slow(event, context):
    if (event.get("queryStringParameters") or {}).get("hold"):
        time.sleep(0.8)  # under gateway.timeout
    return {"statusCode": 200, "body": "done"}


def authz(event, context):
    return {"isAuthorized": event["headers"].get("x-key") == "open-sesame",
            "context": {"user": "ali"}}
PY
start_stratus
get() { curl -s "$@"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# Path parameters, the literal beating {id}, the greedy path.
check "param" "$(get "$GATEWAY/pets/7" | jq -r .pathParameters.id)" 7
check "literal beats param" "$(get "$GATEWAY/pets/dog" | jq -r .routeKey)" "GET /pets/dog"
check "greedy" "$(get -X DELETE "$GATEWAY/files/a/b/c.txt" | jq -r .pathParameters.path)" a/b/c.txt
check "unknown route" "$(get "$GATEWAY/nothing")" '{"message":"Not Found"}'

# Multi-value query strings are comma-joined in payload 2.0; cookies arrive as a list and
# the function's cookies become Set-Cookie.
event=$(get "$GATEWAY/pets/1?tag=a&tag=b&x=1" -b "a=1; b=2")
check "multi-value query" "$(jq -r .queryStringParameters.tag <<<"$event")" "a,b"
check "cookies" "$(jq -c .cookies <<<"$event")" '["a=1","b=2"]'
check_has "Set-Cookie" "$(curl -s -D - -o /dev/null "$GATEWAY/pets/1" | tr -d '\r' | tr 'A-Z' 'a-z')" \
  "set-cookie: seen=1; path=/"

# Binary round trip: bytes out are the bytes in.
head -c 4096 /dev/urandom >"$TMP/blob"
curl -s -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/blob" \
  "$GATEWAY/mirror" -o "$TMP/blob.back"
check "binary round trip" "$(cmp -s "$TMP/blob" "$TMP/blob.back" && echo same)" same

# CORS preflight, answered by the gateway.
headers=$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: https://app.example' \
  -H 'Access-Control-Request-Method: POST' "$GATEWAY/mirror" | tr -d '\r')
check_has "preflight status" "$headers" "HTTP/1.1 204"
check_has "preflight origin" "${headers,,}" "access-control-allow-origin: https://app.example"
check_has "preflight methods" "${headers,,}" "access-control-allow-methods: get,post"

# Authorizer: allowed with the context passed on, denied, no identity.
event=$(get -H 'x-key: open-sesame' "$GATEWAY/private")
check "authorizer allow" "$(jq -r .requestContext.authorizer.lambda.user <<<"$event")" ali
check "authorizer deny" "$(status -H 'x-key: wrong' "$GATEWAY/private")" 403
check "authorizer no identity" "$(status "$GATEWAY/private")" 401

# API Gateway's own answers: a malformed answer (REST 502), the integration timeout (REST
# 504 after gateway.timeout), throttling (429 with concurrency 1 and a call in flight).
check "502" "$(get "$GATEWAY/broken")" '{"message":"Internal server error"}'
check "504" "$(status "$GATEWAY/slow")" 504
check "a warm instance first" "$(status "$GATEWAY/single")" 200
# The holding call retries should a probe hold the instance at the moment it arrives.
(for i in $(seq 1 50); do
   s=$(status "$GATEWAY/single?hold=1"); [ "$s" = 200 ] && break; sleep 0.02
 done; echo "$s" >"$TMP/first") &
first=$!
for i in $(seq 1 100); do  # until the holding call has the one instance (probes return at once)
  [ "$(status "$GATEWAY/single")" = 429 ] && break
  sleep 0.05
done
check "429 while the only instance is busy" "$(status "$GATEWAY/single")" 429
wait $first
check "the call in flight completes" "$(cat "$TMP/first")" 200
stop_stratus_and_finish
