#!/usr/bin/env bash
# kill -9 during uploads, then restart on the same data directory: every object whose PUT
# was answered 200 is intact, uploads cut short left no object, and no body file is left
# without its metadata (no orphans, no temp files).
# Usage: objects_crash.sh PATH_TO_STRATUS. Needs curl (exit 77 without it).
. "$(dirname "$0")/lib.sh" "$1"

command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
DATA="$TMP/data"
printf 'buckets: [crash]\n' >"$TMP/stratus.yaml"

start_on_data() {  # sets STRATUS_PID and ENDPOINT
  local ready="$TMP/ready.$1"
  "$STRATUS" start -c "$TMP/stratus.yaml" --port 0 --gateway-port 0 --data-dir "$DATA" \
    --ready-file "$ready" >"$TMP/stratus.$1.out" 2>"$TMP/stratus.$1.err" &
  STRATUS_PID=$!
  for _ in $(seq 1 2000); do
    [ -s "$ready" ] && break
    kill -0 "$STRATUS_PID" 2>/dev/null || { cat "$TMP/stratus.$1.err" >&2; exit 1; }
    sleep 0.01
  done
  ENDPOINT="http://127.0.0.1:$(sed -E 's/.*"service_port":([0-9]+).*/\1/' "$ready")"
}

start_on_data 1
mkdir -p "$TMP/files" "$TMP/acks"
for i in $(seq 1 40); do
  if [ $((i % 4)) -eq 0 ]; then head -c $((1024 * 1024 + i)) /dev/urandom; else head -c $((4096 + i)) /dev/urandom; fi >"$TMP/files/$i"
done
head -c $((16 * 1024 * 1024)) /dev/urandom >"$TMP/files/slow"

# Uploads that cannot finish before the kill: 16 MiB at 1 MB/s.
for s in 1 2 3; do
  curl -s -o /dev/null -H 'Expect:' --limit-rate 1M -T "$TMP/files/slow" "$ENDPOINT/crash/slow-$s" &
done
# Acknowledged uploads: a marker file per 200 answer, written only after curl returns.
upload_all() {
  local i code
  for i in $(seq 1 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' -T "$TMP/files/$i" "$ENDPOINT/crash/obj-$i" || true)
    [ "$code" = 200 ] && : >"$TMP/acks/obj-$i"
  done
}
upload_all &
UPLOADER=$!
for _ in $(seq 1 1000); do
  [ "$(ls "$TMP/acks" | wc -l)" -ge 12 ] && break
  sleep 0.01
done
kill -KILL "$STRATUS_PID"
wait "$STRATUS_PID" 2>/dev/null || true
wait "$UPLOADER" 2>/dev/null || true
wait 2>/dev/null || true
ACKED=$(ls "$TMP/acks" | wc -l)
check "uploads were acknowledged before the kill" "$([ "$ACKED" -ge 12 ] && echo yes)" yes

start_on_data 2
intact=0
for key in $(ls "$TMP/acks"); do
  i=${key#obj-}
  got=$(curl -s "$ENDPOINT/crash/$key" | md5sum)
  [ "$got" = "$(md5sum <"$TMP/files/$i")" ] && intact=$((intact + 1))
done
check "every acknowledged object intact after kill -9" "$intact" "$ACKED"

listing=$(curl -s "$ENDPOINT/crash?list-type=2")
keys=$(grep -o '<Key>[^<]*</Key>' <<<"$listing" | sed 's/<[^>]*>//g')
check "no upload cut short became an object" "$(grep -c '^slow-' <<<"$keys" || true)" 0
stray=0
big=0
for key in $keys; do
  i=${key#obj-}
  # An upload committed in the instant before the kill may lack its marker: it must be whole.
  if [ ! -e "$TMP/acks/$key" ] && [ "$(curl -s "$ENDPOINT/crash/$key" | md5sum)" != "$(md5sum <"$TMP/files/$i")" ]; then
    stray=$((stray + 1))
  fi
  [ "$(stat -c %s "$TMP/files/$i")" -gt 65536 ] && big=$((big + 1))
done
check "every listed object is whole" "$stray" 0
# Start-up removed bodies that never got their metadata; deletions of blobs are
# asynchronous, so give the clean-up a moment by polling.
files=-1
for _ in $(seq 1 500); do
  files=$(find "$DATA/blobs" -path "$DATA/blobs/tmp" -prune -o -type f -print | wc -l)
  [ "$files" -eq "$big" ] && break
  sleep 0.01
done
check "one body file per large object, no orphans" "$files" "$big"
check "no temp files" "$(find "$DATA/blobs/tmp" -type f | wc -l)" 0
stop_stratus_and_finish
