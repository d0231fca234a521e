#!/usr/bin/env bash
# The AWS CLI's high-level S3 commands against stratus: mb, cp (a 20 MiB file, so the CLI
# uploads it in parts, and back, and copies it between buckets in parts), ls, sync, rm, rb, plus s3api error answers.
# Usage: objects_awscli.sh PATH_TO_STRATUS. Exits 77 (skipped) without the aws command.
. "$(dirname "$0")/lib.sh" "$1"

command -v aws >/dev/null || { echo "SKIP: aws not installed"; exit 77; }
printf 'buckets: [from-config]\n' >"$TMP/stratus.yaml"
start_stratus
s3() { aws --endpoint-url "$ENDPOINT" s3 "$@"; }
s3api() { aws --endpoint-url "$ENDPOINT" s3api "$@"; }

check "config bucket listed" "$(s3 ls | awk '{print $3}')" "from-config"
s3 mb s3://cli-bucket >/dev/null
head -c $((20 * 1024 * 1024)) /dev/urandom >"$TMP/big.bin"
s3 cp "$TMP/big.bin" s3://cli-bucket/dir/big.bin >/dev/null
etag=$(s3api head-object --bucket cli-bucket --key dir/big.bin --query ETag --output text)
check_has "20 MiB upload went multipart (ETag -N)" "$etag" "-"
s3 cp s3://cli-bucket/dir/big.bin "$TMP/back.bin" >/dev/null
check "20 MiB round-trip" "$(md5sum <"$TMP/back.bin")" "$(md5sum <"$TMP/big.bin")"
# Bucket to bucket: the CLI copies a 20 MiB object in parts with UploadPartCopy.
s3 cp s3://cli-bucket/dir/big.bin s3://from-config/copy.bin >/dev/null
s3 cp s3://from-config/copy.bin "$TMP/copy.bin" >/dev/null
check "20 MiB copied between buckets in parts" "$(md5sum <"$TMP/copy.bin")" "$(md5sum <"$TMP/big.bin")"
check_has "the copy went multipart (ETag -N)" \
  "$(s3api head-object --bucket from-config --key copy.bin --query ETag --output text)" "-"

mkdir -p "$TMP/tree/a/b" "$TMP/tree/c d"
echo one >"$TMP/tree/a/1.txt"; echo two >"$TMP/tree/a/b/2.txt"; echo three >"$TMP/tree/c d/3 + 3%.txt"
s3 sync "$TMP/tree" s3://cli-bucket/tree >/dev/null
check "sync uploads every file" "$(s3 ls --recursive s3://cli-bucket/tree/ | wc -l)" 3
check "second sync has nothing to do" "$(s3 sync "$TMP/tree" s3://cli-bucket/tree | wc -l)" 0
mkdir -p "$TMP/down"
s3 sync s3://cli-bucket/tree "$TMP/down" >/dev/null
check "sync down: awkward names intact" "$(cat "$TMP/down/c d/3 + 3%.txt")" three
check "ls with delimiter" "$(s3 ls s3://cli-bucket/tree/ | sed 's/^ *PRE //' | tr '\n' '|')" "a/|c d/|"

err=$(s3api get-object --bucket cli-bucket --key nope "$TMP/x" 2>&1 || true)
check_has "NoSuchKey from s3api" "$err" "NoSuchKey"
err=$(s3 rb s3://cli-bucket 2>&1 || true)
check_has "rb of a non-empty bucket: BucketNotEmpty" "$err" "BucketNotEmpty"
err=$(s3 ls s3://no-such-bucket 2>&1 || true)
check_has "ls of a missing bucket: NoSuchBucket" "$err" "NoSuchBucket"

s3 rm --recursive s3://cli-bucket >/dev/null
check "rm --recursive empties the bucket" "$(s3 ls --recursive s3://cli-bucket | wc -l)" 0
s3 rb s3://cli-bucket >/dev/null
check "rb removes the bucket" "$(s3 ls | awk '{print $3}' | tr '\n' ' ')" "from-config "
s3 mb s3://gone-bucket >/dev/null
s3 cp "$TMP/tree/a/1.txt" s3://gone-bucket/x >/dev/null
s3 rb --force s3://gone-bucket >/dev/null
check "rb --force" "$(s3 ls | grep -c gone-bucket || true)" 0
stop_stratus_and_finish
