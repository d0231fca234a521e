#!/usr/bin/env bash
# kill -9 during uploads, then restart on the same data directory: every object whose PUT
# was answered 200 is intact, uploads cut short left no object, and no body file is left
# without its metadata (no orphans, no temp files).
# Usage: objects_crash.sh PATH_TO_STRATUS. Needs curl (exit 77 without it).
. "$(dirname "$0")/lib.sh" "$1"

command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
DATA="$TMP/data"
printf 'buckets: [crash]\n' >"$TMP/stratus.yaml"

start_on_data 1
make_crash_files

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
kill_after_acks 12
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
files=$(body_files_when "$big")
check "one body file per large object, no orphans" "$files" "$big"
check "no temp files" "$(find "$DATA/blobs/tmp" -type f | wc -l)" 0
stop_stratus_and_finish
