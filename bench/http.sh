#!/usr/bin/env bash
# Requests/s of stratus's HTTP server (GET /_stratus/health) against a minimal Node.js
# `http` server answering a JSON body of the same size, under the same wrk load, in
# alternating runs. Goal: stratus >= 1.5x Node's requests/s.
# Tunables: RUNS (3), DURATION (5s), THREADS (2), CONNECTIONS (32).
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3} DURATION=${DURATION:-5s} THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-32}
need_tools wrk node
ensure_stratus

printf 'functions: {}\n' >"$WORK/http.yaml"
start_stratus "$WORK/http.yaml"
body_size=$(curl -s "127.0.0.1:$SERVICE_PORT/_stratus/health" | wc -c)

cat >"$WORK/node-http.js" <<'JS'
'use strict';
const http = require('http');
const body = JSON.stringify({ status: 'ok', pad: 'x'.repeat(Math.max(0, +process.argv[3] - 27)) });
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(+process.argv[2], '127.0.0.1', () => console.log('listening'));
JS
NODE_PORT=$(( 20000 + RANDOM % 20000 ))
node "$WORK/node-http.js" "$NODE_PORT" "$body_size" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 500); do grep -q listening "$WORK/node.log" 2>/dev/null && break; sleep 0.01; done
trap 'stop_pid $STRATUS_PID; stop_pid $NODE_PID' EXIT

echo "# $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $RUNS alternating runs; body $body_size bytes"
run() {  # name url pid
  local cpu0 cpu1 out rps p50 p99 n
  cpu0=$(cpu_s "$3")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  cpu1=$(cpu_s "$3")
  rps=$(echo "$out" | awk '/^Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  n=$(echo "$out" | awk '/requests in/{print $1}')
  printf '  %-8s %10s req/s  p50 %-8s p99 %-8s server CPU %s us/req\n' "$1" "$rps" "$p50" "$p99" \
    "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN{printf "%.1f", (b-a)*1e6/n}')"
  echo "$rps" >>"$WORK/rps.$1"
}
rm -f "$WORK/rps.stratus" "$WORK/rps.node"
for _ in $(seq 1 "$RUNS"); do
  run node "http://127.0.0.1:$NODE_PORT/" "$NODE_PID"
  run stratus "http://127.0.0.1:$SERVICE_PORT/_stratus/health" "$STRATUS_PID"
done
s=$(median <"$WORK/rps.stratus"); n=$(median <"$WORK/rps.node")
ratio=$(awk -v s="$s" -v n="$n" 'BEGIN{printf "%.2f", s/n}')
echo "median: stratus $s req/s, node $n req/s, ratio ${ratio}x (goal >= 1.5x)"
echo "stratus RSS after load: $(( $(rss_kib "$STRATUS_PID") / 1024 )) MiB"
result stratus http rps_median "$s"
result node http rps_median "$n"
result stratus http ratio_vs_node "$ratio"
