#!/usr/bin/env bash
# The object store against s3rver (npm), side by side in one run: 4 KiB PUT and GET
# requests/s (wrk, 16 connections), 256 MiB PUT and GET MB/s (curl), the ratios, stratus's
# peak RSS, and its RSS during a 1 GiB PUT and GET. Both are driven by the same load script
# (/work/shared/bench/objstore-load.sh). Goals: >= 10x s3rver on 4 KiB PUT and GET, large
# PUT >= 2x, large GET >= 2 GB/s, peak RSS during a 1 GiB PUT < 64 MiB. A large PUT is bound
# by MD5 (one pass, one core): the script prints MD5's own speed in the same run.
# Tunables: DURATION (10 s per wrk phase), BIG_MIB (256), HUGE_MIB (1024; 0 skips),
# PEERS_DIR (/tmp/peers), SHARED_BENCH (/work/shared/bench).
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10} BIG_MIB=${BIG_MIB:-256} HUGE_MIB=${HUGE_MIB:-1024}
PEERS_DIR=${PEERS_DIR:-/tmp/peers} SHARED_BENCH=${SHARED_BENCH:-/work/shared/bench}
need_tools wrk curl node
ensure_stratus
LOAD="$SHARED_BENCH/objstore-load.sh"
[ -x "$LOAD" ] || { echo "missing $LOAD" >&2; exit 1; }

printf 'buckets: []\n' >"$WORK/objects.yaml"
S3RVER_PORT=$(( 20000 + RANDOM % 20000 ))
"$SHARED_BENCH/start-s3rver.sh" "$S3RVER_PORT" "$PEERS_DIR" >"$WORK/s3rver.start" 2>&1 ||
  { cat "$WORK/s3rver.start"; exit 1; }
S3RVER_PID=$(cat "$PEERS_DIR/s3rver.pid")
STRATUS_PID=""
trap '[ -n "$STRATUS_PID" ] && stop_pid $STRATUS_PID; "$SHARED_BENCH/stop-s3rver.sh" "$PEERS_DIR" >/dev/null' EXIT

echo "# $(nproc) cores; wrk -t2 -c16 -d${DURATION}s, 4 KiB objects; ${BIG_MIB} MiB with curl"
# Each store starts with no dirty pages left by the one before (s3rver leaves thousands of
# small files and a large one to write back), so neither pays for the other's writeback.
sync
"$LOAD" "127.0.0.1:$S3RVER_PORT" --pid "$S3RVER_PID" --duration "$DURATION" --big-mib "$BIG_MIB" \
  --out "$WORK/load-s3rver" >"$WORK/load-s3rver.txt" 2>&1 || { cat "$WORK/load-s3rver.txt"; exit 1; }
sync
start_stratus "$WORK/objects.yaml"
"$LOAD" "127.0.0.1:$SERVICE_PORT" --pid "$STRATUS_PID" --duration "$DURATION" --big-mib "$BIG_MIB" \
  --out "$WORK/load-stratus" >"$WORK/load-stratus.txt" 2>&1 || { cat "$WORK/load-stratus.txt"; exit 1; }
stop_pid "$STRATUS_PID"
STRATUS_PID=""

# A fresh process for the 1 GiB run, so its peak RSS is this transfer's (and start-up's).
huge_put_mib=NA huge_get_mbps=NA huge_put_mbps=NA huge_hwm_mib=NA
if [ "$HUGE_MIB" -gt 0 ]; then
  start_stratus "$WORK/objects.yaml"
  curl -s -o /dev/null -X PUT "127.0.0.1:$SERVICE_PORT/huge"
  bytes=$((HUGE_MIB * 1048576))
  # A sparse file: read at memory speed, no disk space taken by the source.
  truncate -s "$bytes" "$WORK/huge.bin"
  put_s=$(curl -s -o /dev/null -w '%{time_total}' -H 'Expect:' -T "$WORK/huge.bin" \
    "127.0.0.1:$SERVICE_PORT/huge/object")
  rm -f "$WORK/huge.bin"
  huge_put_mib=$(awk '/^VmHWM:/{printf "%.1f", $2/1024}' "/proc/$STRATUS_PID/status")
  get_s=$(curl -s -o /dev/null -w '%{time_total}' "127.0.0.1:$SERVICE_PORT/huge/object")
  huge_hwm_mib=$(awk '/^VmHWM:/{printf "%.1f", $2/1024}' "/proc/$STRATUS_PID/status")
  huge_put_mbps=$(awk -v b="$bytes" -v t="$put_s" 'BEGIN{printf "%.0f", b/1e6/t}')
  huge_get_mbps=$(awk -v b="$bytes" -v t="$get_s" 'BEGIN{printf "%.0f", b/1e6/t}')
  stop_pid "$STRATUS_PID"
  STRATUS_PID=""
fi

# The ceiling of a large PUT on this machine, in the same run: MD5 alone on one core
# (OpenSSL, through Python's hashlib), over 256 MiB in 1 MiB updates.
md5_mbps=$(/usr/bin/python3 -c '
import hashlib, os, time
block = os.urandom(1 << 20)
h = hashlib.md5()
start = time.perf_counter()
for _ in range(256):
    h.update(block)
print("%.0f" % (256 * 1.048576 / (time.perf_counter() - start)))')

/usr/bin/python3 - "$WORK/load-s3rver/results.json" "$WORK/load-stratus/results.json" \
  "$huge_put_mib" "$huge_hwm_mib" "$huge_put_mbps" "$huge_get_mbps" "$HUGE_MIB" "$md5_mbps" <<'PY'
import json, sys
peer, ours = (json.load(open(p)) for p in sys.argv[1:3])
huge_put_rss, huge_hwm, huge_put, huge_get, huge_mib = sys.argv[3:8]
md5 = float(sys.argv[8])
rows = [("4 KiB PUT req/s", peer["put"]["rps_ok"], ours["put"]["rps_ok"], 10),
        ("4 KiB GET req/s", peer["get"]["rps_ok"], ours["get"]["rps_ok"], 10),
        ("%d MiB PUT MB/s" % (peer["big"]["bytes"] >> 20), peer["big"]["put_MBps"], ours["big"]["put_MBps"], 2),
        ("%d MiB GET MB/s" % (peer["big"]["bytes"] >> 20), peer["big"]["get_MBps"], ours["big"]["get_MBps"], None)]
print("%-18s %12s %12s %8s  %s" % ("", "s3rver", "stratus", "ratio", "goal"))
for name, p, s, goal in rows:
    ratio = s / p if p else float("nan")
    print("%-18s %12.1f %12.1f %7.2fx  %s" % (name, p, s, ratio, (">= %dx" % goal) if goal else ">= 2000 MB/s"))
    key = name.split()[0] + "_" + name.split()[-2].lower()
    print("RESULT|stratus|objects|%s|%.1f" % (name.replace(" ", "_"), s))
    print("RESULT|s3rver|objects|%s|%.1f" % (name.replace(" ", "_"), p))
print("MD5 alone, one core: %.0f MB/s; stratus's large PUT runs at %.0f%% of it, s3rver's at %.0f%%"
      " (2x s3rver would be %.0f%%)" % (md5, 100 * ours["big"]["put_MBps"] / md5,
                                       100 * peer["big"]["put_MBps"] / md5,
                                       200 * peer["big"]["put_MBps"] / md5))
print("RESULT|machine|objects|md5_MBps|%.0f" % md5)
ok = ours["big"]["md5_roundtrip_ok"] and ours["big"]["etag_is_md5"]
print("stratus big object md5 round-trip and ETag=MD5: %s" % ok)
for who, r in (("s3rver", peer), ("stratus", ours)):
    print("%s peak RSS (VmHWM) over the run: %.0f MiB" % (who, r["rss_kb"]["peak_vmhwm"] / 1024))
    print("RESULT|%s|objects|peak_rss_mib|%.0f" % (who, r["rss_kb"]["peak_vmhwm"] / 1024))
if huge_mib != "0":
    print("stratus %s MiB PUT: %s MB/s, peak RSS after it %s MiB (goal < 64); GET %s MB/s, peak RSS after both %s MiB"
          % (huge_mib, huge_put, huge_put_rss, huge_get, huge_hwm))
    print("RESULT|stratus|objects|huge_put_peak_rss_mib|%s" % huge_put_rss)
PY
