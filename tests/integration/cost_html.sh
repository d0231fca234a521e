#!/usr/bin/env bash
# `stratus cost --html` renders in a real browser: headless Chromium (Debian's `chromium`)
# loads the page offline and the DOM it builds holds both SVG charts. 77 = no chromium.
set -euo pipefail
stratus=$(realpath "$1")
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not installed: skipped" >&2; exit 77; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/stratus.yaml" <<'YAML'
functions:
  api:
    runtime: python3.11
    handler: app.handler
    memory: 256
YAML
cat > "$dir/app.py" <<'PY'
import time
def handler(event, context):
    end = time.process_time() + 0.01
    while time.process_time() < end:
        pass
    return "ok"
PY
cd "$dir"
for _ in 1 2; do "$stratus" invoke api > /dev/null 2>&1; done
"$stratus" cost --html "$dir/report.html" --memory 128,256,512,1024,2048 2> /dev/null

# --no-sandbox: test machines often run as root, where Chromium refuses its sandbox.
dom=$(timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir="$dir/profile" --dump-dom "file://$dir/report.html" 2> /dev/null)
for chart in cost-vs-memory duration-vs-memory; do
  grep -q "<svg class=\"chart $chart\"" <<< "$dom" || { echo "no $chart chart in the DOM" >&2; exit 1; }
done
# The charts drew their points and lines: one circle per memory size in each.
circles=$(grep -o '<circle ' <<< "$dom" | wc -l)
[ "$circles" -eq 10 ] || { echo "expected 10 chart points, got $circles" >&2; exit 1; }
grep -q "Cheapest: <b>" <<< "$dom" || { echo "no cheapest size named" >&2; exit 1; }
echo "cost report renders in $("$browser" --version 2> /dev/null)"
