#!/usr/bin/env bash
# kill -9 while versions of one key are being written to a versioned bucket, then restart on
# the same data directory: every version whose PUT was answered is listed with its body
# intact, exactly one version is the latest, uploads cut short left no version, and every
# body file on disk belongs to a listed version (no orphans, no temp files).
# Usage: objects_versions_crash.sh PATH_TO_STRATUS. Needs curl and python3 (77 without).
. "$(dirname "$0")/lib.sh" "$1"

command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
DATA="$TMP/data"
printf 'buckets: [crash]\n' >"$TMP/stratus.yaml"

start_on_data 1
curl -s -o /dev/null -X PUT "$ENDPOINT/crash?versioning" \
  -d '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'
make_crash_files
for s in 1 2; do
  curl -s -o /dev/null -H 'Expect:' --limit-rate 1M -T "$TMP/files/slow" "$ENDPOINT/crash/k" &
done
# Each answered PUT leaves a marker file named by its version id, holding the file's number.
upload_all() {
  local i version
  for i in $(seq 1 40); do
    version=$(curl -s -o /dev/null -D - -H 'Expect:' -T "$TMP/files/$i" "$ENDPOINT/crash/k" |
      tr -d '\r' | sed -n 's/^x-amz-version-id: //Ip')
    [ -n "$version" ] && echo "$i" >"$TMP/acks/$version"
  done
}
kill_after_acks 12
check "versions were acknowledged before the kill" "$([ "$ACKED" -ge 12 ] && echo yes)" yes

start_on_data 2
curl -s "$ENDPOINT/crash?versions" >"$TMP/versions.xml"
# Prints: versions listed, latest count, acked versions missing, listed versions not whole,
# listed versions above the inline limit (each must own one body file).
summary=$(python3 - "$TMP/versions.xml" "$TMP/acks" "$TMP/files" "$ENDPOINT" <<'PY'
import hashlib, os, sys, urllib.request, xml.etree.ElementTree as ET
doc, acks, files, endpoint = sys.argv[1:5]
ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
versions = ET.parse(doc).getroot().findall("s3:Version", ns)
md5 = lambda b: hashlib.md5(b).hexdigest()
whole = {md5(open(os.path.join(files, f), "rb").read()) for f in os.listdir(files) if f != "slow"}
listed, latest, broken, big = set(), 0, 0, 0
for v in versions:
    vid = v.find("s3:VersionId", ns).text
    listed.add(vid)
    latest += v.find("s3:IsLatest", ns).text == "true"
    big += int(v.find("s3:Size", ns).text) > 65536
    body = urllib.request.urlopen(f"{endpoint}/crash/k?versionId={vid}").read()
    if md5(body) not in whole:
        broken += 1
missing = 0
for vid in os.listdir(acks):
    expected = open(os.path.join(files, open(os.path.join(acks, vid)).read().strip()), "rb").read()
    if vid not in listed:
        missing += 1
    elif md5(urllib.request.urlopen(f"{endpoint}/crash/k?versionId={vid}").read()) != md5(expected):
        missing += 1
print(len(listed), latest, missing, broken, big)
PY
)
echo "# listed, latest, missing, broken, large: $summary"
read -r listed latest missing broken big <<<"$summary"
check "every acknowledged version listed and intact after kill -9" "$missing" 0
check "listed at least the acknowledged versions" "$([ "$listed" -ge "$ACKED" ] && echo yes)" yes
check "exactly one latest version" "$latest" 1
check "every listed version is whole (no upload cut short became one)" "$broken" 0
files=$(body_files_when "$big")
check "one body file per large version, no orphans" "$files" "$big"
check "no temp files" "$(find "$DATA/blobs/tmp" -type f | wc -l)" 0
stop_stratus_and_finish
