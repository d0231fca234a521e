#!/usr/bin/env bash
# Function invocation costs, each measured against a baseline in the same run:
#  (a) warm sync invoke latency of a C++ echo function (emulator/runtimes/cpp/examples/echo.cc
#      as the bootstrap of a `provided` function) through the Invoke API, from a keep-alive
#      client making CALLS sequential calls; the baseline is the same client's round trip to
#      stratus's own /_stratus/health (same server, no function) and to a bare Node server.
#      Goal: < 200 us added to a warm call.
#  (b) cold start: stratus's Init Duration for the C++ echo (from `stratus invoke --json`)
#      against the bootstrap's own start: spawned by a bare harness that listens like the
#      Runtime API and times spawn -> the first GET /next. Goal: < 2 ms added.
#  (c) one-shot `stratus invoke` of a Node handler against lambda-local (npm), side by side
#      with hyperfine. Goal: stratus >= 1.5x faster. The functions have 1,769 MB (one vCPU,
#      the peers are not capped either); the Node handler at 128 MB is shown too.
# Tunables: CALLS (2000), COLD_RUNS (30), RUNS (20), LL_VER (2.2.0), PEERS_DIR (/tmp/peers).
. "$(dirname "$0")/lib.sh"
CALLS=${CALLS:-2000} COLD_RUNS=${COLD_RUNS:-30} RUNS=${RUNS:-20} LL_VER=${LL_VER:-2.2.0}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
need_tools hyperfine node npm g++
ensure_stratus
PY=python3  # the standard library only

# --- the project: a C++ echo and a Node handler ------------------------------------------
P=$WORK/invoke
mkdir -p "$P/echo" "$P/node"
g++ -std=c++17 -O2 -I "$BENCH_ROOT/emulator/runtimes/cpp" \
  "$BENCH_ROOT/emulator/runtimes/cpp/examples/echo.cc" -o "$P/echo/bootstrap"
cat >"$P/node/handler.js" <<'JS'
'use strict';
module.exports.hello = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true }),
});
JS
# 1,769 MB is one full vCPU: the CPU cap, stratus's simulation of Lambda's CPU share, which
# lambda-local and a bare process do not have, stays out of the overhead measured. hello128
# is the same handler at 128 MB (0.072 vCPU once INIT is over), shown beside it.
cat >"$P/stratus.yaml" <<'YAML'
functions:
  echo:
    runtime: provided.al2023
    handler: bootstrap
    code: echo
    memory: 1769
  hello:
    runtime: nodejs20.x
    handler: handler.hello
    code: node
    memory: 1769
  hello128:
    runtime: nodejs20.x
    handler: handler.hello
    code: node
    memory: 128
YAML
EVENT='{"hello":"world","n":12345}'
echo "$EVENT" >"$P/event.json"
echo "# $(nproc) cores; $("$STRATUS" --version); node $(node --version); $CALLS sequential calls"

# --- (a) warm invoke latency ---------------------------------------------------------------
cat >"$WORK/latency.py" <<'PY'
# latency.py PORT METHOD PATH BODY CALLS -> "p50_us p99_us calls_per_s" over CALLS calls on
# one keep-alive connection, after 50 warm-up calls.
import http.client, sys, time
port, method, path, body, calls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].encode(), int(sys.argv[5])
conn = http.client.HTTPConnection("127.0.0.1", int(port))
headers = {"Content-Type": "application/json"}
def call():
    conn.request(method, path, body=body if method == "POST" else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"HTTP {r.status}: {data[:200]!r}")
for _ in range(50):
    call()
times = []
start = time.perf_counter()
for _ in range(calls):
    t = time.perf_counter_ns()
    call()
    times.append(time.perf_counter_ns() - t)
elapsed = time.perf_counter() - start
times.sort()
print(f"{times[len(times) // 2] / 1000:.1f} {times[int(len(times) * 0.99)] / 1000:.1f} {calls / elapsed:.0f}")
PY
cat >"$WORK/bare-echo.js" <<'JS'
'use strict';
require('http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
}).listen(+process.argv[2], '127.0.0.1', () => console.log('listening'));
JS
NODE_PORT=$(( 20000 + RANDOM % 20000 ))
node "$WORK/bare-echo.js" "$NODE_PORT" >"$WORK/bare-echo.log" 2>&1 &
NODE_PID=$!
start_stratus "$P/stratus.yaml"
trap 'stop_pid $STRATUS_PID; stop_pid $NODE_PID' EXIT
for _ in $(seq 1 500); do grep -q listening "$WORK/bare-echo.log" 2>/dev/null && break; sleep 0.01; done
curl -sf -X POST -d "$EVENT" "127.0.0.1:$SERVICE_PORT/2015-03-31/functions/echo/invocations" >/dev/null \
  || { echo "echo function does not answer"; cat "$WORK/stratus.log"; exit 1; }

echo "== (a) warm sync invoke, C++ echo, one keep-alive connection, $CALLS sequential calls"
read -r inv_p50 inv_p99 inv_rate < <($PY "$WORK/latency.py" "$SERVICE_PORT" POST \
  /2015-03-31/functions/echo/invocations "$EVENT" "$CALLS")
read -r hl_p50 hl_p99 hl_rate < <($PY "$WORK/latency.py" "$SERVICE_PORT" GET /_stratus/health "" "$CALLS")
read -r nd_p50 nd_p99 nd_rate < <($PY "$WORK/latency.py" "$NODE_PORT" POST / "$EVENT" "$CALLS")
printf '  %-34s p50 %7s us  p99 %7s us  %6s calls/s\n' \
  "stratus Invoke API -> C++ echo" "$inv_p50" "$inv_p99" "$inv_rate" \
  "stratus GET /_stratus/health" "$hl_p50" "$hl_p99" "$hl_rate" \
  "bare Node echo server" "$nd_p50" "$nd_p99" "$nd_rate"
added_health=$(awk -v a="$inv_p50" -v b="$hl_p50" 'BEGIN{printf "%.1f", a-b}')
added_node=$(awk -v a="$inv_p50" -v b="$nd_p50" 'BEGIN{printf "%.1f", a-b}')
echo "  added by the function path (p50): ${added_health} us over stratus's bare round trip," \
  "${added_node} us over a bare Node echo (goal < 200 us)"
result stratus invoke-warm p50_us "$inv_p50"
result stratus invoke-warm p99_us "$inv_p99"
result stratus invoke-warm calls_per_s "$inv_rate"
result stratus health-roundtrip p50_us "$hl_p50"
result node bare-echo p50_us "$nd_p50"
result stratus invoke-warm added_p50_us_vs_health "$added_health"
result stratus invoke-warm added_p50_us_vs_node "$added_node"
stop_pid "$STRATUS_PID"; stop_pid "$NODE_PID"

# --- (b) cold start: Init Duration vs the bootstrap's own start ----------------------------
echo "== (b) cold start of the C++ echo, $COLD_RUNS runs each"
cat >"$WORK/spawn-to-next.py" <<'PY'
# spawn-to-next.py BOOTSTRAP RUNS -> one line per run: ms from spawn to the first GET /next,
# with a bare listener standing in for the Runtime API.
import os, socket, subprocess, sys, time
boot, runs = sys.argv[1], int(sys.argv[2])
for _ in range(runs):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    env = {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{s.getsockname()[1]}", "PATH": "/usr/bin:/bin"}
    t = time.perf_counter_ns()
    p = subprocess.Popen([boot], env=env, cwd=os.path.dirname(boot), start_new_session=True)
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(4096)
    print(f"{(time.perf_counter_ns() - t) / 1e6:.3f}")
    assert b"/runtime/invocation/next" in data, data
    p.kill(); p.wait(); c.close(); s.close()
PY
$PY "$WORK/spawn-to-next.py" "$P/echo/bootstrap" "$COLD_RUNS" >"$WORK/cold.bare"
# Init Duration as `stratus invoke --json` reports it, with the memory limit stratus picks
# (a cgroup where it may create one) and with the RSS watch (STRATUS_MEMORY_LIMITS=rss).
cold_inits() {  # OUTFILE [ENV...]
  local out=$1; shift
  : >"$out"
  for _ in $(seq 1 "$COLD_RUNS"); do
    env "$@" "$STRATUS" invoke echo -c "$P/stratus.yaml" --event "$P/event.json" --json 2>/dev/null |
      sed -E 's/.*"init_ms":([0-9.]+).*/\1/' >>"$out"
  done
}
cold_inits "$WORK/cold.stratus"
cold_inits "$WORK/cold.rss" STRATUS_MEMORY_LIMITS=rss
bare=$(median <"$WORK/cold.bare"); init=$(median <"$WORK/cold.stratus"); rss=$(median <"$WORK/cold.rss")
added_cold=$(awk -v a="$init" -v b="$bare" 'BEGIN{printf "%.3f", a-b}')
added_rss=$(awk -v a="$rss" -v b="$bare" 'BEGIN{printf "%.3f", a-b}')
printf '  %-52s median %7.3f ms\n' "stratus Init Duration, default memory limit" "$init" \
  "stratus Init Duration, STRATUS_MEMORY_LIMITS=rss" "$rss" \
  "bare harness (spawn -> first /next)" "$bare"
echo "  added by stratus: $added_cold ms with the default memory limit, $added_rss ms with the RSS watch (goal < 2 ms)"
result stratus cold-cpp init_ms_median "$init"
result stratus cold-cpp-rss init_ms_median "$rss"
result bare cold-cpp spawn_to_next_ms_median "$bare"
result stratus cold-cpp added_ms "$added_cold"
result stratus cold-cpp-rss added_ms "$added_rss"

# --- (c) one-shot stratus invoke vs lambda-local --------------------------------------------
echo "== (c) one-shot invoke of a Node handler: stratus invoke vs lambda-local $LL_VER"
# stratus's functions get only the Lambda environment; so that lambda-local and the bare node
# start pay for the same environment, drop what would make node itself slower to start.
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
LL=$PEERS_DIR/ll
mkdir -p "$LL"
if [ ! -f "$LL/node_modules/lambda-local/build/cli.js" ]; then
  (cd "$LL" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund "lambda-local@$LL_VER" >/dev/null 2>&1) ||
    { echo "npm install lambda-local failed"; exit 1; }
fi
cp "$P/node/handler.js" "$LL/handler.js"
LLCLI="$LL/node_modules/lambda-local/build/cli.js"
"$STRATUS" invoke hello -c "$P/stratus.yaml" --event "$P/event.json" 2>/dev/null | sed 's/^/  stratus: /'
(cd "$LL" && node "$LLCLI" -l handler.js -h hello -e "$P/event.json" -v 0) | head -3 | sed 's/^/  lambda-local: /'
HF=$WORK/invoke-hf.json
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$HF" \
  -n stratus "$STRATUS invoke hello -c $P/stratus.yaml --event $P/event.json" \
  -n stratus-ephemeral "$STRATUS invoke hello -c $P/stratus.yaml --event $P/event.json --ephemeral" \
  -n stratus-128mb "$STRATUS invoke hello128 -c $P/stratus.yaml --event $P/event.json" \
  -n lambda-local "node $LLCLI -l $LL/handler.js -h hello -e $P/event.json -v 0" \
  -n node-bare "node -e 0" 2>&1 | grep -E 'Benchmark|Time' | sed 's/^/  /'
$PY - "$HF" "$WORK/oneshot.ratio" <<'PY'
import json, statistics, sys
res = {r["command"]: statistics.median(r["times"]) * 1000 for r in json.load(open(sys.argv[1]))["results"]}
for name, ms in res.items():
    print(f"RESULT|{name}|oneshot-node|median_ms|{ms:.1f}")
ratio = res["lambda-local"] / res["stratus"]
print(f"  medians: stratus {res['stratus']:.1f} ms (ephemeral {res['stratus-ephemeral']:.1f} ms, "
      f"at 128 MB with its CPU cap {res['stratus-128mb']:.1f} ms: lambda-local / that = "
      f"{res['lambda-local'] / res['stratus-128mb']:.2f}), "
      f"lambda-local {res['lambda-local']:.1f} ms, bare node start {res['node-bare']:.1f} ms")
print(f"  stratus invoke is {ratio:.2f}x faster than lambda-local (goal >= 1.5x); "
      f"{res['stratus'] - res['node-bare']:.1f} ms over a bare node start")
print(f"RESULT|stratus|oneshot-node|ratio_vs_lambda_local|{ratio:.2f}")
open(sys.argv[2], "w").write(f"{ratio:.2f}x faster (stratus {res['stratus']:.1f} ms, lambda-local {res['lambda-local']:.1f} ms)")
PY

echo "== summary"
echo "  warm invoke p50 $inv_p50 us (p99 $inv_p99 us, $inv_rate calls/s); added $added_health us vs bare stratus round trip (goal < 200)"
echo "  cold start Init Duration $init ms vs bare $bare ms: added $added_cold ms; $added_rss ms with the RSS watch (goal < 2)"
echo "  one-shot Node invoke vs lambda-local: $(cat "$WORK/oneshot.ratio") (goal >= 1.5x)"
