#!/usr/bin/env bash
# Start-to-ready time and idle memory of `stratus start` (empty project, ephemeral data
# directory), next to a bare Node.js http server's start-to-listening, measured the same way.
# Goals: under 10 ms and under 8 MiB RSS. Tunables: STARTS (20).
. "$(dirname "$0")/lib.sh"
STARTS=${STARTS:-20}
need_tools node
ensure_stratus
printf 'functions: {}\n' >"$WORK/startup.yaml"
cat >"$WORK/node-listen.js" <<'JS'
require('http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => console.log('ready'));
JS
# Times from spawn to the first line on stdout (the ready line), then reads idle RSS after a
# short settle, then stops the process with SIGTERM.
/usr/bin/python3 - "$STARTS" "$STRATUS" "$WORK" <<'PY'
import os, signal, statistics, subprocess, sys, time
starts, stratus, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {
    "stratus": [stratus, "start", "-c", f"{work}/startup.yaml", "--port", "0",
                "--gateway-port", "0", "--ephemeral"],
    "node-http": ["node", f"{work}/node-listen.js"],
}
def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
results = {}
for i in range(starts):
    for name, cmd in cmds.items():  # alternate, so drift on a noisy machine hits both
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        p.stdout.readline()
        ready_ms = (time.perf_counter() - t0) * 1000
        time.sleep(0.2)
        rss = rss_kib(p.pid)
        p.send_signal(signal.SIGTERM)
        p.wait()
        results.setdefault(name, []).append((ready_ms, rss))
for name, runs in results.items():
    ready = statistics.median(r for r, _ in runs)
    rss = statistics.median(m for _, m in runs) / 1024
    print(f"  {name:10s} start-to-ready median {ready:7.2f} ms (min {min(r for r,_ in runs):.2f})"
          f"   idle RSS {rss:6.1f} MiB")
    print(f"RESULT|{name}|startup|ready_ms_median|{ready:.2f}")
    print(f"RESULT|{name}|startup|idle_rss_MiB|{rss:.1f}")
s = statistics.median(r for r, _ in results["stratus"])
n = statistics.median(r for r, _ in results["node-http"])
print(f"stratus is ready {n / s:.1f}x sooner than a bare node http server (goals: < 10 ms, < 8 MiB)")
PY
