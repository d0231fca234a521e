#!/usr/bin/env bash
# Browser-form uploads (POST Object) from real clients: boto3's generate_presigned_post sent
# with `curl -F` as a browser would, the object checked with `aws s3api head-object`, the
# policy's content-length-range and key prefix enforced, and s3:ObjectCreated:Post delivered to
# a function. Usage: objects_post.sh PATH_TO_STRATUS. Exits 77 without boto3, curl or aws.
. "$(dirname "$0")/lib.sh" "$1"

need_boto3
need_commands curl aws
recorder_project "{ bucket: forms, on: [\"s3:ObjectCreated:Post\"] }" "[forms]"
start_stratus

# presign KEY CONDITIONS_JSON FIELDS_JSON: prints the URL, then one NAME=VALUE per line.
presign() {
  "$PY" - "$ENDPOINT" "$1" "$2" "$3" <<'PY'
import json, sys
import boto3
from botocore.config import Config
endpoint, key, conditions, fields = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
post = s3.generate_presigned_post("forms", key, Fields=json.loads(fields),
                                  Conditions=json.loads(conditions), ExpiresIn=600)
print(post["url"])
for name, value in post["fields"].items():
    print(name + "=" + value)
PY
}

# post_form OUT_HEADERS FILE KEY CONDITIONS FIELDS [EXTRA_CURL_ARGS...]: prints the status.
post_form() {
  local out=$1 file=$2 key=$3 conditions=$4 fields=$5
  shift 5
  local lines url args=()
  mapfile -t lines < <(presign "$key" "$conditions" "$fields")
  url=${lines[0]}
  for line in "${lines[@]:1}"; do args+=(-F "$line"); done
  curl -s -o "$out.body" -D "$out" -w '%{http_code}' "${args[@]}" "$@" -F "file=@$file" "$url"
}

head -c 3000000 /dev/urandom >"$TMP/photo.bin"
printf 'hello form' >"$TMP/small.txt"

status=$(post_form "$TMP/h1" "$TMP/photo.bin" 'uploads/${filename}' \
  '[["starts-with", "$key", "uploads/"], ["content-length-range", 1, 10000000], {"Content-Type": "image/png"}, {"x-amz-meta-owner": "ada"}]' \
  '{"Content-Type": "image/png", "x-amz-meta-owner": "ada"}')
check "presigned POST of 3 MB: 204" "$status" 204
head=$(aws --endpoint-url "$ENDPOINT" s3api head-object --bucket forms --key uploads/photo.bin --output json)
size=$(printf '%s' "$head" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ContentLength"])')
check "head-object sees the whole file" "$size" 3000000
check_has "content type from the form" "$head" '"ContentType": "image/png"'
check_has "metadata from the form" "$head" '"owner": "ada"'
etag=$(printf '%s' "$head" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ETag"])')
check "ETag is the MD5" "$etag" "\"$(md5sum "$TMP/photo.bin" | cut -d' ' -f1)\""
check_has "204 carries the ETag" "$(cat "$TMP/h1")" "$etag"

status=$(post_form "$TMP/h2" "$TMP/small.txt" 'notes/n.txt' '[["eq", "$success_action_status", "201"]]' \
  '{"success_action_status": "201"}')
check "success_action_status 201" "$status" 201
check_has "PostResponse names the key" "$(cat "$TMP/h2.body")" "<Key>notes/n.txt</Key>"

status=$(post_form "$TMP/h3" "$TMP/photo.bin" 'uploads/too-big' '[["content-length-range", 1, 1000]]' '{}')
check "content-length-range refuses a large file" "$status" 400
check_has "EntityTooLarge" "$(cat "$TMP/h3.body")" "<Code>EntityTooLarge</Code>"
if aws --endpoint-url "$ENDPOINT" s3api head-object --bucket forms --key uploads/too-big >/dev/null 2>&1; then
  fail "a refused upload is not stored"
else
  pass "a refused upload is not stored"
fi

status=$(post_form "$TMP/h4" "$TMP/small.txt" 'uploads/x' '[]' '{}' -F "x-amz-meta-sneaky=1")
check "a field the policy does not cover: 403" "$status" 403
check_has "Extra input fields" "$(cat "$TMP/h4.body")" "Extra input fields: x-amz-meta-sneaky"

status=$(curl -s -o /dev/null -w '%{http_code}' -F key=plain.txt -F "file=@$TMP/small.txt" "$ENDPOINT/forms")
check "a form without a policy (anonymous) is accepted" "$status" 204
check "curl's plain form stored" "$(aws --endpoint-url "$ENDPOINT" s3 cp s3://forms/plain.txt -)" "hello form"

# Three successful POSTs: three s3:ObjectCreated:Post events reach the function.
for _ in $(seq 1 100); do
  [ "$(find "$TMP/events" -name '*.json' | wc -l)" -ge 3 ] && break
  sleep 0.1
done
events=$(cat "$TMP/events"/*.json 2>/dev/null || true)
check "three Post events delivered" "$(find "$TMP/events" -name '*.json' | wc -l)" 3
check_has "event name" "$events" '"eventName": "ObjectCreated:Post"'
check_has "event key" "$events" '"key": "uploads/photo.bin"'
stop_stratus_and_finish
