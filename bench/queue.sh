#!/usr/bin/env bash
# Queue throughput and idle cost, stratus side by side with SQSLite (npm `sqslite`, a local
# SQS server in Node.js; query protocol only) in one run:
#  (a) ingest: SendMessageBatch of 10 x 100-byte messages, wrk -t1 -c16 for DURATION s, in the
#      JSON protocol (stratus) and the query protocol (both); messages/s acknowledged (stratus
#      answers after the group commit). Goal: >= 20,000 messages/s.
#  (b) end to end: MSGS messages preloaded, then an event source mapping (batch size 10) to a
#      C++ function (emulator/runtimes/cpp/examples/echo.cc); messages/s from the mapping's
#      creation until the queue is empty (every message invoked and deleted). Goal: >= 5,000/s.
#      SQSLite has no event source mappings: stratus only.
#  (c) idle: POLLERS clients long-polling (WaitTimeSeconds=20) an empty queue for IDLE s; CPU
#      of the server process over that time. Goal: ~0%.
# Tunables: DURATION (10), MSGS (50000), E2E_CONCURRENCY (unset: the default 5), POLLERS (100),
# IDLE (20), PEERS_DIR (/tmp/peers), SQSLITE_VER (2.1.1; NO_PEER=1 skips it).
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10} MSGS=${MSGS:-50000} POLLERS=${POLLERS:-100} IDLE=${IDLE:-20}
PEERS_DIR=${PEERS_DIR:-/tmp/peers} SQSLITE_VER=${SQSLITE_VER:-2.1.1}
need_tools wrk g++ curl
ensure_stratus
PY=/usr/bin/python3  # the standard library only
AUTH='AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0'

P=$WORK/queue
mkdir -p "$P/echo"
g++ -std=c++17 -O2 -I "$BENCH_ROOT/emulator/runtimes/cpp" \
  "$BENCH_ROOT/emulator/runtimes/cpp/examples/echo.cc" -o "$P/echo/bootstrap"
# 1,769 MB is one full vCPU: the function's simulated CPU share (0.072 vCPU at 128 MB) would
# otherwise be what the end-to-end figure measures, not the queue and its mapping.
cat >"$P/stratus.yaml" <<'YAML'
functions:
  echo: { runtime: provided.al2023, handler: bootstrap, code: echo, memory: 1769 }
queues:
  ingest: {}
  e2e: { visibility_timeout: 60 }
  idle: {}
YAML

# sqs.py ENDPOINT ACTION JSON -> the JSON answer (exit 1 on an error status)
cat >"$WORK/sqs.py" <<'PY'
import http.client, json, sys, urllib.parse
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"
def call(endpoint, action, body, conn=None):
    u = urllib.parse.urlparse(endpoint)
    conn = conn or http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", "/", body=json.dumps(body), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + action,
        "Authorization": AUTH})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"{action}: HTTP {r.status}: {data[:300]!r}")
    return json.loads(data or b"{}")
if __name__ == "__main__":
    print(json.dumps(call(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))))
PY
# The SendMessageBatch bodies (JSON and query form) and the wrk script that posts them.
$PY - "$WORK" <<'PY'
import json, sys, urllib.parse
entries = [{"Id": f"e{i}", "MessageBody": ("m%02d" % i) + "x" * 97} for i in range(10)]
json.dump({"QueueUrl": "QUEUE_URL", "Entries": entries}, open(sys.argv[1] + "/batch.json", "w"))
form = [("Action", "SendMessageBatch"), ("QueueUrl", "QUEUE_URL")]
for n, e in enumerate(entries, 1):
    form += [(f"SendMessageBatchRequestEntry.{n}.Id", e["Id"]),
             (f"SendMessageBatchRequestEntry.{n}.MessageBody", e["MessageBody"])]
open(sys.argv[1] + "/batch.form", "w").write(urllib.parse.urlencode(form).replace("QUEUE_URL", "QUEUE_URL"))
PY
cat >"$WORK/batch.lua" <<'LUA'
local f = assert(io.open(os.getenv("BATCH_FILE")))
local url = os.getenv("QUEUE_URL")
local body = f:read("*a"):gsub("QUEUE_URL", function() return url end)
f:close()
wrk.method = "POST"
wrk.body = body
if os.getenv("PROTOCOL") == "json" then
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "AmazonSQS.SendMessageBatch"
else
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
wrk.headers["Authorization"] = os.getenv("AUTH")
LUA

ingest() {  # ENDPOINT QUEUE_URL json|query -> messages/s (prints wrk's errors, if any)
  local out file=$WORK/batch.json
  [ "$3" = query ] && file=$WORK/batch.form
  out=$(BATCH_FILE="$file" QUEUE_URL="$2" PROTOCOL="$3" AUTH="$AUTH" \
    wrk -t1 -c16 -d"${DURATION}s" -s "$WORK/batch.lua" "$1/" 2>&1)
  if grep -q "Non-2xx" <<<"$out"; then echo "  wrk to $1 ($3): $(grep Non-2xx <<<"$out" | sed 's/^ *//')" >&2; fi
  awk '/Requests\/sec/{printf "%.0f\n", $2 * 10}' <<<"$out"
}

# pollers.py ENDPOINT QUEUE_URL N SECONDS: N threads long-polling (query protocol, which both
# servers speak) until SECONDS have passed.
cat >"$WORK/pollers.py" <<'PY'
import http.client, sys, threading, time, urllib.parse
endpoint, url, n, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.monotonic() + seconds
body = urllib.parse.urlencode({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": 20})
def poll():
    u = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    while time.monotonic() < end:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"HTTP {r.status}")
threads = [threading.Thread(target=poll, daemon=True) for _ in range(n)]
for t in threads: t.start()
time.sleep(seconds)
PY
idle_cpu() {  # PID ENDPOINT QUEUE_URL -> CPU % of PID while POLLERS poll for IDLE s
  $PY "$WORK/pollers.py" "$2" "$3" "$POLLERS" "$IDLE" &
  local pollers=$! before after
  sleep 2  # the pollers connect and park
  before=$(cpu_s "$1")
  sleep "$((IDLE - 4))"
  after=$(cpu_s "$1")
  wait "$pollers" 2>/dev/null
  awk -v a="$before" -v b="$after" -v s="$((IDLE - 4))" 'BEGIN{printf "%.2f\n", (b - a) * 100 / s}'
}

query_create() {  # ENDPOINT NAME -> the queue URL
  curl -sf -X POST "$1/" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "Action=CreateQueue&QueueName=$2" | sed -nE 's:.*<QueueUrl>(.*)</QueueUrl>.*:\1:p'
}

echo "# $(nproc) cores; $("$STRATUS" --version); wrk -t1 -c16 ${DURATION}s; $MSGS messages end to end; $POLLERS pollers ${IDLE}s"
start_stratus "$P/stratus.yaml"
trap 'stop_pid $STRATUS_PID; [ -n "${PEER_PID:-}" ] && stop_pid $PEER_PID' EXIT
S="http://127.0.0.1:$SERVICE_PORT"
if [ "${NO_PEER:-0}" != 1 ]; then
  if [ ! -f "$PEERS_DIR/sqslite/node_modules/sqslite/bin/cli.js" ]; then
    need_tools node npm
    mkdir -p "$PEERS_DIR/sqslite"
    [ -f "$PEERS_DIR/sqslite/package.json" ] || echo '{"private":true}' >"$PEERS_DIR/sqslite/package.json"
    (cd "$PEERS_DIR/sqslite" && npm install --no-audit --no-fund --loglevel=error "sqslite@$SQSLITE_VER" >/dev/null 2>&1)
  fi
  if [ -f "$PEERS_DIR/sqslite/node_modules/sqslite/bin/cli.js" ]; then
    PEER_PORT=$(( 20000 + RANDOM % 20000 ))
    node "$PEERS_DIR/sqslite/node_modules/sqslite/bin/cli.js" --host 127.0.0.1 --port "$PEER_PORT" >"$WORK/sqslite.log" 2>&1 &
    PEER_PID=$!
    Q="http://127.0.0.1:$PEER_PORT"
    for _ in $(seq 1 500); do [ -n "$(query_create "$Q" ingest 2>/dev/null)" ] && break; sleep 0.02; done
    query_create "$Q" idle >/dev/null
    # SQSLite finds a queue only by a URL of exactly this form (the traffic still goes to Q).
    q_url="http://localhost:$PEER_PORT/queues/ingest" q_idle_url="http://localhost:$PEER_PORT/queues/idle"
  else
    echo "# sqslite not installable here: stratus figures alone"
  fi
fi

# --- (a) ingest ------------------------------------------------------------------------------
s_json=$(ingest "$S" "$S/000000000000/ingest" json)
s_query=$(ingest "$S" "$S/000000000000/ingest" query)
q_query=NA
[ -n "${PEER_PID:-}" ] && q_query=$(ingest "$Q" "$q_url" query)
echo "== (a) ingest, SendMessageBatch x10, 100-byte messages, msgs/s"
printf '  %-22s %9s\n' "stratus, JSON" "$s_json" "stratus, query" "$s_query" "sqslite, query" "$q_query"
ratio=$(awk -v a="$s_query" -v b="$q_query" 'BEGIN{ if (b+0 > 0) printf "%.1f", a/b; else print "NA" }')
echo "  stratus/sqslite (query): ${ratio}x; goal >= 20,000 msgs/s"
result stratus queue-ingest-json msgs_per_s "$s_json"
result stratus queue-ingest-query msgs_per_s "$s_query"
result sqslite queue-ingest-query msgs_per_s "$q_query"

# --- (b) end to end ----
SCALING=""
[ -n "${E2E_CONCURRENCY:-}" ] && SCALING=",\"ScalingConfig\":{\"MaximumConcurrency\":$E2E_CONCURRENCY}"
$PY - "$S" "$MSGS" "$WORK" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
from sqs import call
import http.client, urllib.parse
endpoint, n = sys.argv[1], int(sys.argv[2])
u = urllib.parse.urlparse(endpoint)
conn = http.client.HTTPConnection(u.hostname, u.port)
url = endpoint + "/000000000000/e2e"
for b in range(n // 10):
    call(endpoint, "SendMessageBatch", {"QueueUrl": url, "Entries": [
        {"Id": str(i), "MessageBody": f"{b}-{i}"} for i in range(10)]}, conn)
PY
cpu_before=$(cpu_s "$STRATUS_PID")
t0=$(date +%s.%N)
curl -sf -X POST "$S/2015-03-31/event-source-mappings/" -H 'Content-Type: application/json' \
  -d "{\"FunctionName\":\"echo\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:e2e\",\"BatchSize\":10$SCALING}" >/dev/null
e2e_rate=NA
for _ in $(seq 1 6000); do  # at most ~10 minutes
  left=$($PY "$WORK/sqs.py" "$S" GetQueueAttributes "{\"QueueUrl\":\"$S/000000000000/e2e\",\"AttributeNames\":[\"All\"]}" |
    $PY -c 'import json,sys; a=json.load(sys.stdin)["Attributes"]; print(int(a["ApproximateNumberOfMessages"])+int(a["ApproximateNumberOfMessagesNotVisible"]))')
  if [ "$left" = 0 ]; then
    t1=$(date +%s.%N)
    e2e_rate=$(awk -v n="$MSGS" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')
    break
  fi
  sleep 0.1
done
cpu_after=$(cpu_s "$STRATUS_PID")
echo "== (b) end to end: $MSGS messages -> mapping (batch 10, ${E2E_CONCURRENCY:-5} concurrent batches) -> C++ echo"
echo "  stratus    $e2e_rate msgs/s  (stratus process CPU $(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN{printf "%.1f", b-a}') s); goal >= 5,000 msgs/s"
result stratus queue-e2e msgs_per_s "$e2e_rate"

# --- (c) idle long polls ----------------------------------------------------------------------
s_idle=$(idle_cpu "$STRATUS_PID" "$S" "$S/000000000000/idle")
q_idle=NA
[ -n "${PEER_PID:-}" ] && q_idle=$(idle_cpu "$PEER_PID" "$Q" "$q_idle_url")
echo "== (c) $POLLERS long pollers on an empty queue, CPU of the server over $((IDLE - 4)) s"
printf '  %-10s %6s %%\n' stratus "$s_idle" sqslite "$q_idle"
echo "  goal ~0%"
result stratus queue-idle cpu_percent "$s_idle"
result sqslite queue-idle cpu_percent "$q_idle"
