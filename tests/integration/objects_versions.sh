#!/usr/bin/env bash
# Bucket versioning with real clients: `aws s3api` (put-bucket-versioning, put-object,
# list-object-versions, get-object --version-id, delete-object with and without
# --version-id), then boto3 (copies from versions, paging, DeleteObjects with version ids,
# suspended buckets, errors) and the s3:ObjectRemoved:DeleteMarkerCreated notification
# reaching a function (stratus.yaml) and a queue (set by API, read back over SQS).
# Usage: objects_versions.sh PATH_TO_STRATUS. Exits 77 without aws or boto3.
. "$(dirname "$0")/lib.sh" "$1"

need_boto3
need_commands aws
recorder_project "{ bucket: watched, on: [s3:ObjectRemoved:DeleteMarkerCreated] }" "[cli-versions, watched]"
start_stratus
s3api() { aws --endpoint-url "$ENDPOINT" s3api "$@"; }

check "a new bucket has no versioning state" \
  "$(s3api get-bucket-versioning --bucket cli-versions --output text)" ""
s3api put-bucket-versioning --bucket cli-versions --versioning-configuration Status=Enabled
check "get-bucket-versioning" \
  "$(s3api get-bucket-versioning --bucket cli-versions --query Status --output text)" Enabled
echo first >"$TMP/first"; echo second >"$TMP/second"
v1=$(s3api put-object --bucket cli-versions --key doc.txt --body "$TMP/first" --query VersionId --output text)
v2=$(s3api put-object --bucket cli-versions --key doc.txt --body "$TMP/second" --query VersionId --output text)
check "put-object returns a version id" "$([ -n "$v1" ] && [ "$v1" != None ] && [ "$v1" != "$v2" ] && echo yes)" yes
s3api get-object --bucket cli-versions --key doc.txt --version-id "$v1" "$TMP/got1" >/dev/null
check "get-object --version-id: the older body" "$(cat "$TMP/got1")" first
s3api get-object --bucket cli-versions --key doc.txt "$TMP/got2" >/dev/null
check "get-object: the latest body" "$(cat "$TMP/got2")" second
check "list-object-versions: newest first" \
  "$(s3api list-object-versions --bucket cli-versions --query 'Versions[].[VersionId,IsLatest]' --output text | tr '\t\n' ' |')" \
  "$v2 True|$v1 False|"

marker=$(s3api delete-object --bucket cli-versions --key doc.txt --output json)
check_has "delete-object without --version-id adds a delete marker" "$marker" '"DeleteMarker": true'
marker_id=$(sed -nE 's/.*"VersionId": "([^"]+)".*/\1/p' <<<"$marker")
err=$(s3api get-object --bucket cli-versions --key doc.txt "$TMP/x" 2>&1 || true)
check_has "get-object behind a delete marker: NoSuchKey" "$err" "NoSuchKey"
check "list-object-versions shows the marker as latest" \
  "$(s3api list-object-versions --bucket cli-versions --query 'DeleteMarkers[].[VersionId,IsLatest]' --output text)" \
  "$marker_id	True"
check "list-objects-v2 hides the key" \
  "$(s3api list-objects-v2 --bucket cli-versions --query 'length(Contents || `[]`)' --output text)" 0
removed=$(s3api delete-object --bucket cli-versions --key doc.txt --version-id "$marker_id" --output json)
check_has "delete-object --version-id of the marker" "$removed" '"DeleteMarker": true'
s3api get-object --bucket cli-versions --key doc.txt "$TMP/got3" >/dev/null
check "the marker's removal brings the object back" "$(cat "$TMP/got3")" second
s3api delete-object --bucket cli-versions --key doc.txt --version-id "$v2" >/dev/null
s3api get-object --bucket cli-versions --key doc.txt "$TMP/got4" >/dev/null
check "deleting the latest version for good uncovers the one before" "$(cat "$TMP/got4")" first
err=$(s3api get-object --bucket cli-versions --key doc.txt --version-id bogus "$TMP/x" 2>&1 || true)
check_has "a malformed version id: InvalidArgument" "$err" "InvalidArgument"
err=$(s3api delete-bucket --bucket cli-versions 2>&1 || true)
check_has "delete-bucket while a version remains: BucketNotEmpty" "$err" "BucketNotEmpty"
s3api delete-object --bucket cli-versions --key doc.txt --version-id "$v1" >/dev/null
s3api delete-bucket --bucket cli-versions
check "delete-bucket once every version is gone" "$(s3api list-buckets --query 'Buckets[].Name' --output text)" watched

"$PY" "$(dirname "$0")/objects_versions.py" "$ENDPOINT" "$TMP/events" || FAILURES=$((FAILURES + 1))
stop_stratus_and_finish
