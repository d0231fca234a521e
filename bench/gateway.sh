#!/usr/bin/env bash
# GET /hello through an API gateway emulation under the same wrk load, side by side in one run:
#   stratus-node     stratus's `http:` route (HTTP API, payload 2.0) -> a Node.js handler, the
#                    function's concurrency left to its default (instances start on demand)
#   stratus-node-cN  the same with `concurrency: N` (CONCURRENCY): at most N instances; the
#                    requests above that are throttled (429), as Lambda throttles them
#   slso-default     serverless-offline 13 (Serverless Framework 3) in its default worker-thread
#                    mode, `http` event (REST API, payload 1.0) -> the same handler file
#   slso-inprocess   the same with --useInProcess
#   stratus-health   stratus's own GET /_stratus/health (no function): its HTTP server alone,
#                    for what the function path adds
#   stratus-cpp      stratus's `http:` route -> the C++ echo (emulator/runtimes/cpp/examples)
#   node-floor       a bare Node.js `http` server answering {"ok":true}: the machine's floor
# Each row: a fresh server, WARMUP of wrk (discarded; starts the function instances), then
# wrk -tTHREADS -cCONNECTIONS -dDURATION --latency. Memory is the peak RSS of the server's whole
# process tree (stratus and its function processes, serverless-offline and its workers),
# sampled every 0.5 s through warm-up and run; CPU is the tree's user+system time per request,
# and the root process's alone (stratus without its functions).
# Goals (issue 4), on the same Node handler: >= 8x serverless-offline's default mode and >= 2x
# its in-process mode in req/s, p99 < 5 ms at 32 connections, <= 1/10 of its peak memory; the
# C++ echo >= 25,000 req/s. Only 2xx responses count towards req/s.
# Tunables: DURATION (10s), WARMUP (2s), THREADS (2), CONNECTIONS (32), CONCURRENCY (2),
# PEERS_DIR (/tmp/peers), SLS_VER (3.40.0), SLSO_VER (13.10.1) as in ../shared/bench/slso.sh,
# ROWS (all): a space-separated subset of stratus-node, stratus-node-c, slso-default,
# slso-inprocess, stratus-cpp (with stratus-health), node-floor.
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s} WARMUP=${WARMUP:-2s} THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-32}
CONCURRENCY=${CONCURRENCY:-2} PEERS_DIR=${PEERS_DIR:-/tmp/peers}
SLS_VER=${SLS_VER:-3.40.0} SLSO_VER=${SLSO_VER:-13.10.1}
need_tools wrk node npm g++ curl
ensure_stratus

# --- the functions: the Node handler serverless-offline's peer script uses, and the C++ echo --
P=$WORK/gateway
mkdir -p "$P/node" "$P/echo" "$P/slso"
HANDLER_JS="'use strict';
module.exports.hello = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true }),
});"
echo "$HANDLER_JS" >"$P/node/handler.js"
echo "$HANDLER_JS" >"$P/slso/handler.js"
g++ -std=c++17 -O2 -I "$BENCH_ROOT/emulator/runtimes/cpp" \
  "$BENCH_ROOT/emulator/runtimes/cpp/examples/echo.cc" -o "$P/echo/bootstrap" || exit 1
# 1,769 MB is one full vCPU per instance: at the 128 MB default each instance would run at its
# simulated 0.072 vCPU share, which serverless-offline does not simulate, and the figures would
# measure that share rather than the gateway.
node_yaml() {  # [CONCURRENCY]
  printf 'functions:\n  hello:\n    runtime: nodejs20.x\n    handler: handler.hello\n    code: node\n'
  printf '    memory: 1769\n'
  [ -n "${1:-}" ] && printf '    concurrency: %s\n' "$1"
  printf '    events:\n      - http: { method: GET, path: /hello }\n'
}
node_yaml >"$P/node.yaml"
node_yaml "$CONCURRENCY" >"$P/node-c.yaml"
cat >"$P/cpp.yaml" <<'YAML'
functions:
  echo:
    runtime: provided.al2023
    handler: bootstrap
    code: echo
    memory: 1769
    events:
      - http: { method: GET, path: /hello }
YAML

# --- serverless-offline, installed where ../shared/bench/slso.sh installs it ----------------
SLSO_MODULES=$PEERS_DIR/slso/node_modules
if [ ! -x "$SLSO_MODULES/.bin/serverless" ] || [ ! -d "$SLSO_MODULES/serverless-offline" ]; then
  mkdir -p "$PEERS_DIR/slso"
  (cd "$PEERS_DIR/slso" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund "serverless@$SLS_VER" "serverless-offline@$SLSO_VER" >/dev/null 2>&1) ||
    { echo "npm install serverless serverless-offline failed"; exit 1; }
fi
ln -sfn "$SLSO_MODULES" "$P/slso/node_modules"
cat >"$P/slso/serverless.yml" <<'YAML'
service: peerbench
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs20.x
  region: us-east-1
  stage: dev
plugins:
  - serverless-offline
functions:
  hello:
    handler: handler.hello
    events:
      - http:
          path: hello
          method: get
custom:
  serverless-offline:
    noPrependStageInUrl: true
YAML
export SLS_TELEMETRY_DISABLED=1 SLS_TRACKING_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
  SLS_DEPRECATION_DISABLE='*' SLS_INTERACTIVE_SETUP_DISABLE=1 CI=1

cat >"$P/floor.js" <<'JS'
'use strict';
const http = require('http');
const body = JSON.stringify({ ok: true });
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(+process.argv[2], '127.0.0.1');
JS

# --- the process tree of a server: PID and every descendant --------------------------------
# (stratus starts each function in a session of its own, so a session does not cover them.)
tree_pids() {
  ps -eo pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
    END { for (p in parent) { q = p
            for (d = 0; d < 64 && q + 0 > 1; d++) { if (q + 0 == root + 0) { print p; break }; q = parent[q] } } }'
}
tree_sample() {  # PID -> "rss_kib processes"
  local pids; pids=$(tree_pids "$1" | paste -sd,)
  [ -n "$pids" ] && ps -o rss= -p "$pids" | awk '{ t += $1; n++ } END { print t + 0, n + 0 }'
}
tree_cpu_s() {  # user+system seconds of the tree, with its reaped children
  local p
  for p in $(tree_pids "$1"); do cat "/proc/$p/stat" 2>/dev/null; done |
    awk -v h="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%.2f\n", t / h }'
}
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
  echo "no free port" >&2; exit 1
}
wait_200() {  # URL SECONDS: polls until the URL answers 200
  for _ in $(seq 1 $(( $2 * 20 ))); do
    [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.05
  done
  return 1
}
# stop_tree PID: stops a server (and its process group when it leads one), then kills what is
# left of its tree.
stop_tree() {
  local pids; pids=$(tree_pids "$1")
  kill -TERM -- "-$1" 2>/dev/null; kill -TERM "$1" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  wait "$1" 2>/dev/null
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  return 0
}
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0
  if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; else if (v ~ /m$/) n *= 60000
  printf "%.2f", n }'; }

# measure ROW URL PID: warm-up, then the measured run; prints a row and RESULT lines and
# records RPS[row], P99[row], MIB[row].
declare -A RPS P99 MIB
TABLE_FORMAT='%-16s %9s %8s %8s %7s %9s %6s %10s %10s %5s\n'
# shellcheck disable=SC2059  # the format is the constant above
printf "$TABLE_FORMAT" row "2xx req/s" "p50 ms" "p99 ms" "non-2xx" "peak MiB" procs "CPU us/req" "root us/req" load \
  >"$WORK/gateway.table"
measure() {
  local row=$1 url=$2 pid=$3 samples=$WORK/gateway.samples sampler out cpu0 cpu1 own0 own1
  ( for _ in $(seq 1 2000); do tree_sample "$pid"; sleep 0.5; done ) >"$samples" 2>/dev/null &
  sampler=$!
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null 2>&1
  cpu0=$(tree_cpu_s "$pid"); own0=$(cpu_s "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "$url" 2>&1)
  cpu1=$(tree_cpu_s "$pid"); own1=$(cpu_s "$pid")
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  local total secs non2xx errors rps p50 p99 peak procs cpu_us own_us
  total=$(echo "$out" | awk '/requests in/ { print $1 }')
  secs=$(echo "$out" | awk '/requests in/ { sub(/s,$/, "", $4); print $4 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }'); non2xx=${non2xx:-0}
  errors=$(echo "$out" | awk '/Socket errors/ { sub(/^ */, ""); print }')
  rps=$(awk -v t="${total:-0}" -v n="$non2xx" -v s="${secs:-1}" 'BEGIN { printf "%.0f", (t - n) / s }')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  read -r peak procs < <(sort -k1,1g "$samples" | tail -1 | awk '{ printf "%.0f %d\n", $1 / 1024, $2 }')
  cpu_us=$(per_request "$cpu0" "$cpu1" "${total:-0}"); own_us=$(per_request "$own0" "$own1" "${total:-0}")
  # shellcheck disable=SC2059
  printf "$TABLE_FORMAT" "$row" "$rps" "$p50" "$p99" "$non2xx" "$peak" "$procs" "$cpu_us" "$own_us" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/gateway.table"
  [ -n "$errors" ] && echo "  $row: $errors"
  for m in rps:"$rps" p50_ms:"$p50" p99_ms:"$p99" non2xx:"$non2xx" peak_rss_mib:"$peak" \
    processes:"$procs" cpu_us_per_req:"$cpu_us" root_cpu_us_per_req:"$own_us"; do
    result "$row" gateway-hello "${m%%:*}" "${m#*:}"
  done
  RPS[$row]=$rps P99[$row]=$p99 MIB[$row]=$peak
}
per_request() {  # CPU_S_BEFORE CPU_S_AFTER REQUESTS -> microseconds per request
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1e6 / n; else print "NA" }'
}

# --- the rows -----------------------------------------------------------------------------
SERVER=""
trap '[ -n "$SERVER" ] && stop_tree $SERVER' EXIT
stratus_row() {  # ROW CONFIG [health]: with "health", first a row on /_stratus/health (no function)
  start_stratus "$2"
  SERVER=$STRATUS_PID
  local url="http://127.0.0.1:$GATEWAY_PORT/hello"
  wait_200 "$url" 10 || { echo "$1: GET /hello does not answer 200"; cat "$WORK/stratus.log"; exit 1; }
  echo "  $1: $(curl -s "$url" | head -c 80) ($(curl -s "$url" | wc -c) bytes)" >&2
  [ "${3:-}" = health ] && measure stratus-health "http://127.0.0.1:$SERVICE_PORT/_stratus/health" "$STRATUS_PID"
  measure "$1" "$url" "$STRATUS_PID"
  local started; started=$(( $(tree_pids "$STRATUS_PID" | wc -l) - 1 ))
  echo "  $1: $started function processes started; the stratus process alone: $(( $(rss_kib "$STRATUS_PID") / 1024 )) MiB RSS"
  result "$1" gateway-hello function_processes_started "$started"
  stop_tree "$STRATUS_PID"; SERVER=""
}
server_row() {  # ROW DIR URL CMD...: a peer started in DIR, in a process group of its own
  local row=$1 dir=$2 url=$3; shift 3
  (cd "$dir" && exec setsid "$@") >"$WORK/$row.log" 2>&1 </dev/null &
  SERVER=$!
  wait_200 "$url" 60 || { echo "$row: GET /hello does not answer 200"; tail -20 "$WORK/$row.log"; exit 1; }
  echo "  $row: $(curl -s "$url" | head -c 80) ($(curl -s "$url" | wc -c) bytes)" >&2
  measure "$row" "$url" "$SERVER"
  stop_tree "$SERVER"; SERVER=""
}
slso_row() {  # ROW [EXTRA FLAGS]
  local row=$1 port lport; shift
  port=$(free_port) && lport=$(free_port) || exit 1
  server_row "$row" "$P/slso" "http://127.0.0.1:$port/hello" node node_modules/serverless/bin/serverless.js \
    offline start --host 127.0.0.1 --httpPort "$port" --lambdaPort "$lport" --noPrependStageInUrl "$@"
}

echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$STRATUS" --version); node $(node --version);" \
  "serverless $(node -p "require('$SLSO_MODULES/serverless/package.json').version")," \
  "serverless-offline $(node -p "require('$SLSO_MODULES/serverless-offline/package.json').version")"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency after a $WARMUP warm-up; fresh server per row; loopback"
echo "# stratus-node: concurrency left to its default; stratus-node-c$CONCURRENCY: concurrency: $CONCURRENCY" \
  "(requests above it are throttled with 429, as Lambda throttles them; only 2xx count)"
ROWS=${ROWS:-stratus-node stratus-node-c slso-default slso-inprocess stratus-cpp node-floor}
wanted() { case " $ROWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
wanted stratus-node && stratus_row stratus-node "$P/node.yaml"
wanted stratus-node-c && stratus_row "stratus-node-c$CONCURRENCY" "$P/node-c.yaml"
wanted slso-default && slso_row slso-default
wanted slso-inprocess && slso_row slso-inprocess --useInProcess
wanted stratus-cpp && stratus_row stratus-cpp "$P/cpp.yaml" health
if wanted node-floor; then
  FLOOR_PORT=$(free_port) || exit 1
  server_row node-floor "$P" "http://127.0.0.1:$FLOOR_PORT/hello" node floor.js "$FLOOR_PORT"
fi

echo "== GET /hello, wrk -c$CONNECTIONS (procs: processes in the tree at peak memory; CPU: the tree's;" \
  "root: the server process alone (stratus without its functions); load: 1-min load average after the row)"
cat "$WORK/gateway.table"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "NA") printf "%.2f", a / b; else print "NA" }'; }
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v + 0 >= g + 0 : v + 0 <= g + 0
  if (v == "NA") print "n/a"; else print (ok ? "met" : "NOT met") }'; }
goals() {  # ROW: the stratus Node row to compare
  local rps=${RPS[$1]} p99=${P99[$1]} mib=${MIB[$1]} r_def r_inp r_mem
  r_def=$(ratio "$rps" "${RPS[slso-default]}"); r_inp=$(ratio "$rps" "${RPS[slso-inprocess]}")
  r_mem=$(ratio "$mib" "${MIB[slso-default]}")
  echo "== goals, $1"
  echo "  req/s vs slso-default:   ${r_def}x (goal >= 8x: $(verdict "$r_def" 8 '>='))"
  echo "  req/s vs slso-inprocess: ${r_inp}x (goal >= 2x: $(verdict "$r_inp" 2 '>='))"
  echo "  p99 at $CONNECTIONS connections: $p99 ms (goal < 5 ms: $(verdict "$p99" 4.999 '<='))"
  echo "  peak memory vs slso-default: $mib / ${MIB[slso-default]} MiB = $r_mem (goal <= 0.10: $(verdict "$r_mem" 0.10 '<='))"
  result "$1" gateway-hello ratio_vs_slso_default "$r_def"
  result "$1" gateway-hello ratio_vs_slso_inprocess "$r_inp"
  result "$1" gateway-hello memory_ratio_vs_slso_default "$r_mem"
}
# Rows left out by ROWS read as NA.
for row in stratus-node "stratus-node-c$CONCURRENCY" slso-default slso-inprocess stratus-cpp \
  stratus-health node-floor; do
  : "${RPS[$row]:=NA}" "${P99[$row]:=NA}" "${MIB[$row]:=NA}"
done
wanted stratus-node && goals stratus-node
wanted stratus-node-c && goals "stratus-node-c$CONCURRENCY"
cpp=${RPS[stratus-cpp]} floor=${RPS[node-floor]}
echo "== C++ echo: $cpp req/s (goal >= 25,000: $(verdict "$cpp" 25000 '>='))," \
  "$(ratio "$cpp" "$floor")x the bare Node floor ($floor req/s);" \
  "stratus's HTTP server alone (GET /_stratus/health): ${RPS[stratus-health]} req/s"
result stratus-cpp gateway-hello ratio_vs_node_floor "$(ratio "$cpp" "$floor")"
