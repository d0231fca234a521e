# shellcheck shell=bash
# Helpers the bench scripts share. Source it; do not run it.
# Every figure is also printed as RESULT|system|job|metric|value for scripts to collect.
set -u
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STRATUS=${STRATUS:-$BENCH_ROOT/build/release/stratus}
WORK=${BENCH_WORK:-/tmp/stratus-bench}
mkdir -p "$WORK"

result() { echo "RESULT|$1|$2|$3|$4"; }

median() {
  sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "NA"; exit}
    if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'
}

need_tools() {  # installs the Debian packages named, if missing
  local missing=()
  for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_stratus() {
  [ -x "$STRATUS" ] || make -C "$BENCH_ROOT" build >/dev/null
}

# start_stratus CONFIG -> sets STRATUS_PID, SERVICE_PORT, GATEWAY_PORT (ephemeral ports)
start_stratus() {
  local ready="$WORK/ready.$$"
  rm -f "$ready"
  "$STRATUS" start -c "$1" --port 0 --gateway-port 0 --ephemeral --ready-file "$ready" \
    >"$WORK/stratus.log" 2>&1 &
  STRATUS_PID=$!
  for _ in $(seq 1 500); do [ -s "$ready" ] && break; sleep 0.01; done
  SERVICE_PORT=$(sed -E 's/.*"service_port":([0-9]+).*/\1/' "$ready")
  GATEWAY_PORT=$(sed -E 's/.*"gateway_port":([0-9]+).*/\1/' "$ready")
}

stop_pid() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# CPU seconds (user+system) a process has used so far.
cpu_s() { awk -v h="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f\n", ($12+$13)/h}' "/proc/$1/stat"; }

rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
