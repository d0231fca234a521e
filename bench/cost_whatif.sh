#!/usr/bin/env bash
# The memory what-if of `stratus cost` measured against what Lambda's CPU rule predicts: a
# CPU-bound Python handler (CPU_MS of CPU per call) is invoked CALLS times at 1024 MB, then
# `stratus cost --memory` re-runs the stored events at each size under its cgroup CPU cap and
# also models them (--rerun 0). Printed per size: the re-run's average duration, the model's,
# the ideal CPU_MS x 1769 / memory (1 vCPU at most), and the re-run's ratio to the ideal; and
# the wall time of the re-run itself. Tunables: CALLS (10), CPU_MS (40), SIZES.
. "$(dirname "$0")/lib.sh"
CALLS=${CALLS:-10} CPU_MS=${CPU_MS:-40} SIZES=${SIZES:-128,256,512,1024,1769,3008}
need_tools python3
ensure_stratus
DIR="$WORK/whatif"
rm -rf "$DIR" && mkdir -p "$DIR"
cat >"$DIR/stratus.yaml" <<YAML
functions:
  burn:
    runtime: python3.11
    handler: app.handler
    memory: 1024
YAML
cat >"$DIR/app.py" <<PY
import time
def handler(event, context):
    end = time.process_time() + $CPU_MS / 1000
    while time.process_time() < end:
        pass
    return event
PY
for i in $(seq 1 "$CALLS"); do
  echo "{\"n\":$i}" | "$STRATUS" invoke burn --event - -c "$DIR/stratus.yaml" >/dev/null 2>&1 ||
    { echo "invoke failed" >&2; exit 1; }
done
start=$(date +%s.%N)
"$STRATUS" cost "$DIR" --json --memory "$SIZES" --rerun "$CALLS" >"$DIR/rerun.json" 2>"$DIR/rerun.err" ||
  { cat "$DIR/rerun.err"; exit 1; }
rerun_s=$(echo "$(date +%s.%N) - $start" | bc -l)
"$STRATUS" cost "$DIR" --json --memory "$SIZES" --rerun 0 >"$DIR/model.json" 2>/dev/null
python3 - "$DIR/rerun.json" "$DIR/model.json" "$CPU_MS" "$rerun_s" <<'PY'
import json, sys
rerun, model = (json.load(open(p))["what_if"][0] for p in sys.argv[1:3])
cpu_ms, wall = float(sys.argv[3]), float(sys.argv[4])
print("# method:", rerun["method"])
print("%8s %12s %12s %12s %14s" % ("memory", "re-run ms", "model ms", "ideal ms", "re-run/ideal"))
for r, m in zip(rerun["points"], model["points"]):
    ideal = cpu_ms / min(1.0, r["memory_mb"] / 1769)
    print("%5d MB %12.1f %12.1f %12.1f %14.2f" % (r["memory_mb"], r["avg_ms"], m["avg_ms"], ideal,
                                                  r["avg_ms"] / ideal))
    print("RESULT|whatif_rerun_vs_ideal_%dmb|%.2f|ratio|" % (r["memory_mb"], r["avg_ms"] / ideal))
print("cheapest %d MB, fastest %d MB (re-run); cheapest %d MB, fastest %d MB (model)" %
      (rerun["cheapest_mb"], rerun["fastest_mb"], model["cheapest_mb"], model["fastest_mb"]))
print("re-run wall time: %.1f s for %d sizes" % (wall, len(rerun["points"])))
PY
