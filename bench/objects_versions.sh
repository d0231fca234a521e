#!/usr/bin/env bash
# What bucket versioning costs, side by side in one run on one stratus: 4 KiB PUT req/s with
# distinct keys, 4 KiB PUT req/s overwriting 64 keys (an unversioned bucket replaces each
# object, a versioned one piles up versions), and 4 KiB GET req/s of those keys' latest
# versions afterwards, each in an unversioned and a versioning-enabled bucket, with the
# ratios; plus the versions each key ended with. BASELINE=path/to/stratus adds the
# unversioned figures of another build (say, one from before versioning) in the same run.
# Tunables: DURATION (5 s per wrk phase), SHARED_BENCH (/work/shared/bench).
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-5} SHARED_BENCH=${SHARED_BENCH:-/work/shared/bench} BASELINE=${BASELINE:-}
need_tools wrk curl
ensure_stratus
HERE=$(cd "$(dirname "$0")" && pwd)
printf 'buckets: [plain, versioned]\n' >"$WORK/versions.yaml"

wrk_rps() {  # wrk_rps SCRIPT ARGS... -> requests/s answered 2xx
  local script=$1
  shift
  wrk -t2 -c16 -d"${DURATION}s" -s "$script" "http://127.0.0.1:$SERVICE_PORT" -- "$@" |
    sed -n 's/^RESULT //p' | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["rps_ok"] if r.get("non2xx", 0) == 0 else "errors")'
}

# measure BINARY BUCKET -> "distinct_put overwrite_put get versions_of_one_key" on a fresh
# stratus, stopped before it returns
measure() {
  STRATUS=$1 start_stratus "$WORK/versions.yaml"
  curl -s -o /dev/null -X PUT "127.0.0.1:$SERVICE_PORT/versioned?versioning" \
    -d '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'
  local put over get versions
  put=$(wrk_rps "$SHARED_BENCH/s3-put.lua" "$2" "run$$" 4096)
  over=$(wrk_rps "$HERE/objects_overwrite.lua" "$2" 64 ow/k- 4096)
  get=$(wrk_rps "$SHARED_BENCH/s3-get.lua" "$2" 64 ow/k-)
  # One page holds at most 1,000: enough to show the versions piled up.
  versions=$(curl -s "127.0.0.1:$SERVICE_PORT/$2?versions&prefix=ow/k-0" | grep -o '<VersionId>' | wc -l)
  stop_pid "$STRATUS_PID"
  echo "$put $over $get $versions"
}

echo "# $(nproc) cores; wrk -t2 -c16 -d${DURATION}s per phase, 4 KiB bodies (kept inline in SQLite)"
read -r p_put p_over p_get _ <<<"$(measure "$STRATUS" plain)"
read -r v_put v_over v_get v_versions <<<"$(measure "$STRATUS" versioned)"
b_row=""
if [ -n "$BASELINE" ]; then
  read -r b_put b_over b_get _ <<<"$(measure "$BASELINE" plain)"
  b_row="$b_put $b_over $b_get"
fi
python3 - "$p_put $p_over $p_get" "$v_put $v_over $v_get" "$b_row" "$v_versions" <<'PY'
import sys
plain, versioned = ([float(x) for x in a.split()] for a in sys.argv[1:3])
base = [float(x) for x in sys.argv[3].split()] if sys.argv[3] else None
names = ["4 KiB PUT, distinct keys", "4 KiB PUT, 64 keys overwritten", "4 KiB GET, latest of 64 keys"]
print("%-32s %12s %12s %9s%s" % ("req/s", "unversioned", "versioned", "ratio", "   baseline unversioned" if base else ""))
for i, name in enumerate(names):
    extra = "   %12.0f (this build %.2fx)" % (base[i], plain[i] / base[i]) if base else ""
    print("%-32s %12.0f %12.0f %8.2fx%s" % (name, plain[i], versioned[i], versioned[i] / plain[i], extra))
    metric = name.replace(" ", "_").replace(",", "")
    print("RESULT|stratus|objects_versions|%s_unversioned|%.0f" % (metric, plain[i]))
    print("RESULT|stratus|objects_versions|%s_versioned|%.0f" % (metric, versioned[i]))
print("versions of one overwritten key at the end (versioned bucket; a page shows 1,000 at most): %s" % sys.argv[4])
PY
