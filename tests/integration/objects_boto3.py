"""boto3 against stratus's S3 API. Usage: objects_boto3.py ENDPOINT EVENTS_DIR."""
import base64
import datetime
import glob
import hashlib
import json
import os
import sys
import time
import urllib.request
import urllib.error
import zlib

import boto3
from botocore.config import Config

from s3_checks import check, client, error_message_of, error_of, finish

ENDPOINT, EVENTS = sys.argv[1], sys.argv[2]
s3 = client(ENDPOINT)

# Buckets
s3.create_bucket(Bucket="alpha-bucket")
names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
check("list_buckets has config and created buckets",
      {"alpha-bucket", "watched", "plain"} <= set(names), names)
code, meta = error_of(s3.create_bucket, Bucket="alpha-bucket")
check("create twice: BucketAlreadyOwnedByYou", code == "BucketAlreadyOwnedByYou", code)
check("errors carry x-amz-request-id", bool(meta and meta["HTTPHeaders"].get("x-amz-request-id")))
check("invalid bucket name", error_of(s3.create_bucket, Bucket="Bad_Name")[0] == "InvalidBucketName")
check("head_bucket", s3.head_bucket(Bucket="alpha-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 200)
check("head missing bucket: 404", error_of(s3.head_bucket, Bucket="nope-bucket")[0] == "404")
check("get_bucket_location",
      s3.get_bucket_location(Bucket="alpha-bucket").get("LocationConstraint") in (None, ""))
check("NoSuchBucket", error_of(s3.list_objects_v2, Bucket="nope-bucket")[0] == "NoSuchBucket")

# Objects with metadata and content headers
body = os.urandom(100000)
put = s3.put_object(Bucket="alpha-bucket", Key="docs/a.bin", Body=body, ContentType="application/x-test",
                    ContentDisposition="attachment", CacheControl="max-age=5", ContentEncoding="identity",
                    Metadata={"Owner": "me", "n": "1"})
check("put ETag is MD5", put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"])
got = s3.get_object(Bucket="alpha-bucket", Key="docs/a.bin")
check("get body", got["Body"].read() == body)
check("content headers round-trip",
      (got["ContentType"], got["ContentDisposition"], got["CacheControl"], got["ContentEncoding"]) ==
      ("application/x-test", "attachment", "max-age=5", "identity"), got)
check("user metadata round-trip", got["Metadata"] == {"owner": "me", "n": "1"}, got["Metadata"])
head = s3.head_object(Bucket="alpha-bucket", Key="docs/a.bin")
check("head length", head["ContentLength"] == len(body))
rng = s3.get_object(Bucket="alpha-bucket", Key="docs/a.bin", Range="bytes=10-19")
check("range 206", rng["ResponseMetadata"]["HTTPStatusCode"] == 206 and rng["Body"].read() == body[10:20])
check("suffix range", s3.get_object(Bucket="alpha-bucket", Key="docs/a.bin", Range="bytes=-5")["Body"].read() == body[-5:])
check("InvalidRange", error_of(s3.get_object, Bucket="alpha-bucket", Key="docs/a.bin", Range="bytes=200000-")[0] == "InvalidRange")
check("If-Match fails: PreconditionFailed",
      error_of(s3.get_object, Bucket="alpha-bucket", Key="docs/a.bin", IfMatch='"nope"')[0] == "PreconditionFailed")
check("If-None-Match: 304", error_of(s3.get_object, Bucket="alpha-bucket", Key="docs/a.bin", IfNoneMatch=put["ETag"])[0] == "304")
later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
check("If-Modified-Since future: 304",
      error_of(s3.get_object, Bucket="alpha-bucket", Key="docs/a.bin", IfModifiedSince=later)[0] == "304")
over = s3.get_object(Bucket="alpha-bucket", Key="docs/a.bin", ResponseContentType="text/plain",
                     ResponseContentDisposition="inline")
check("response-* overrides", (over["ContentType"], over["ContentDisposition"]) == ("text/plain", "inline"))
check("NoSuchKey", error_of(s3.get_object, Bucket="alpha-bucket", Key="missing")[0] == "NoSuchKey")
check("small object", s3.put_object(Bucket="alpha-bucket", Key="e", Body=b"")["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"')
check("empty body", s3.get_object(Bucket="alpha-bucket", Key="e")["Body"].read() == b"")

# Content-MD5 and checksums
md5 = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
s3.put_object(Bucket="alpha-bucket", Key="md5", Body=b"abc", ContentMD5=md5)
bad = base64.b64encode(hashlib.md5(b"abd").digest()).decode()
check("BadDigest", error_of(s3.put_object, Bucket="alpha-bucket", Key="md5", Body=b"abc", ContentMD5=bad)[0] == "BadDigest")
for algo in ("CRC32", "CRC32C", "SHA1", "SHA256"):
    r = s3.put_object(Bucket="alpha-bucket", Key="ck-" + algo, Body=b"checksummed" * 1000, ChecksumAlgorithm=algo)
    g = s3.get_object(Bucket="alpha-bucket", Key="ck-" + algo, ChecksumMode="ENABLED")
    g["Body"].read()
    check("checksum %s stored and returned" % algo, g.get("Checksum" + algo) == r.get("Checksum" + algo) and r.get("Checksum" + algo), (r, g.get("Checksum" + algo)))
crc = base64.b64encode(zlib.crc32(b"xyz").to_bytes(4, "big")).decode()
check("wrong CRC32: BadDigest", error_of(s3.put_object, Bucket="alpha-bucket", Key="ck", Body=b"xyw", ChecksumCRC32=crc)[0] in ("BadDigest", "InvalidRequest"))

# Awkward keys: never paths, always round-trip
keys = ["../../etc/passwd", "ünïcødé/日本語.txt", "k" * 1024, "100%", "a+b", "with space", "x?y=z&w", "dir/"]
for k in keys:
    s3.put_object(Bucket="plain", Key=k, Body=k.encode())
    check("key round-trip %r" % k[:40], s3.get_object(Bucket="plain", Key=k)["Body"].read() == k.encode())
listed = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="plain", PaginationConfig={"PageSize": 3}):
    listed += [o["Key"] for o in page.get("Contents", [])]
check("paginated listing has every key once, sorted by UTF-8 bytes",
      listed == sorted(keys, key=lambda s: s.encode()), listed)
check("KeyTooLongError", error_of(s3.put_object, Bucket="plain", Key="k" * 1025, Body=b"x")[0] == "KeyTooLongError")
url_listing = s3.list_objects_v2(Bucket="plain", EncodingType="url", Prefix="with")
# boto3 decodes only when it chose the encoding itself: asked explicitly, the keys come raw.
check("encoding-type=url encodes keys", [o["Key"] for o in url_listing["Contents"]] == ["with%20space"], url_listing)

# Listing: delimiter, prefix, start-after, v1 markers
for k in ["p/a/1", "p/a/2", "p/b/1", "p/c", "q"]:
    s3.put_object(Bucket="alpha-bucket", Key="list/" + k, Body=b"1")
r = s3.list_objects_v2(Bucket="alpha-bucket", Prefix="list/p/", Delimiter="/")
check("CommonPrefixes", [p["Prefix"] for p in r["CommonPrefixes"]] == ["list/p/a/", "list/p/b/"], r)
check("Contents beside prefixes", [o["Key"] for o in r["Contents"]] == ["list/p/c"])
r = s3.list_objects_v2(Bucket="alpha-bucket", Prefix="list/", StartAfter="list/p/b/1")
check("start-after", [o["Key"] for o in r["Contents"]] == ["list/p/c", "list/q"], r.get("Contents"))
r = s3.list_objects_v2(Bucket="alpha-bucket", Prefix="list/p/", Delimiter="/", MaxKeys=1)
check("truncated with a token", r["IsTruncated"] and r["KeyCount"] == 1 and "NextContinuationToken" in r)
r2 = s3.list_objects_v2(Bucket="alpha-bucket", Prefix="list/p/", Delimiter="/", MaxKeys=5,
                        ContinuationToken=r["NextContinuationToken"])
check("continuation resumes after the prefix", [p["Prefix"] for p in r2.get("CommonPrefixes", [])] == ["list/p/b/"]
      and [o["Key"] for o in r2["Contents"]] == ["list/p/c"], r2)
v1 = []
for page in s3.get_paginator("list_objects").paginate(Bucket="alpha-bucket", Prefix="list/", PaginationConfig={"PageSize": 2}):
    v1 += [o["Key"] for o in page.get("Contents", [])]
check("v1 marker pagination", v1 == ["list/p/a/1", "list/p/a/2", "list/p/b/1", "list/p/c", "list/q"], v1)
check("bad max-keys", error_of(s3.list_objects_v2, Bucket="alpha-bucket", MaxKeys=-1)[0] in ("InvalidArgument", None))

# Copy
c = s3.copy_object(Bucket="plain", Key="copied", CopySource={"Bucket": "alpha-bucket", "Key": "docs/a.bin"})
check("copy ETag", c["CopyObjectResult"]["ETag"] == put["ETag"])
check("copy keeps metadata", s3.head_object(Bucket="plain", Key="copied")["Metadata"] == {"owner": "me", "n": "1"})
s3.copy_object(Bucket="plain", Key="copied", CopySource="plain/copied", MetadataDirective="REPLACE",
               Metadata={"new": "yes"}, ContentType="text/x-new")
h = s3.head_object(Bucket="plain", Key="copied")
check("copy REPLACE", h["Metadata"] == {"new": "yes"} and h["ContentType"] == "text/x-new", h)
check("copy onto itself needs REPLACE", error_of(s3.copy_object, Bucket="plain", Key="copied", CopySource="plain/copied")[0] == "InvalidRequest")
check("copy-source-if-match", error_of(s3.copy_object, Bucket="plain", Key="c2", CopySource="plain/copied", CopySourceIfMatch='"x"')[0] == "PreconditionFailed")
check("copy from missing key", error_of(s3.copy_object, Bucket="plain", Key="c2", CopySource="plain/none")[0] == "NoSuchKey")

# DeleteObjects and DeleteObject
d = s3.delete_objects(Bucket="alpha-bucket", Delete={"Objects": [{"Key": "list/q"}, {"Key": "list/p/c"}, {"Key": "never"}]})
check("delete_objects", sorted(x["Key"] for x in d["Deleted"]) == ["list/p/c", "list/q", "never"], d)
s3.delete_object(Bucket="alpha-bucket", Key="e")
check("deleted", error_of(s3.head_object, Bucket="alpha-bucket", Key="e")[0] == "404")
check("BucketNotEmpty", error_of(s3.delete_bucket, Bucket="alpha-bucket")[0] == "BucketNotEmpty")

# Multipart
mp = s3.create_multipart_upload(Bucket="alpha-bucket", Key="mp/big", ContentType="application/x-mp", Metadata={"m": "1"})
uid = mp["UploadId"]
p1, p2 = os.urandom(5 * 1024 * 1024), os.urandom(1234)
e1 = s3.upload_part(Bucket="alpha-bucket", Key="mp/big", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
e2 = s3.upload_part(Bucket="alpha-bucket", Key="mp/big", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
parts = s3.list_parts(Bucket="alpha-bucket", Key="mp/big", UploadId=uid)["Parts"]
check("list_parts", [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(p1)), (2, len(p2))])
ups = s3.list_multipart_uploads(Bucket="alpha-bucket").get("Uploads", [])
check("list_multipart_uploads", [u["UploadId"] for u in ups] == [uid])
check("InvalidPartOrder", error_of(s3.complete_multipart_upload, Bucket="alpha-bucket", Key="mp/big", UploadId=uid,
      MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})[0] == "InvalidPartOrder")
check("InvalidPart", error_of(s3.complete_multipart_upload, Bucket="alpha-bucket", Key="mp/big", UploadId=uid,
      MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00"'}]})[0] == "InvalidPart")
done = s3.complete_multipart_upload(Bucket="alpha-bucket", Key="mp/big", UploadId=uid,
                                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
want = hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest() + "-2"
check("md5-of-md5s-N ETag", done["ETag"] == '"%s"' % want, done["ETag"])
g = s3.get_object(Bucket="alpha-bucket", Key="mp/big")
check("multipart body", g["Body"].read() == p1 + p2)
check("multipart keeps create-time headers", g["ContentType"] == "application/x-mp" and g["Metadata"] == {"m": "1"})
check("range across parts", s3.get_object(Bucket="alpha-bucket", Key="mp/big", Range="bytes=%d-%d" % (len(p1) - 2, len(p1) + 1))["Body"].read() == (p1 + p2)[len(p1) - 2:len(p1) + 2])
check("NoSuchUpload", error_of(s3.upload_part, Bucket="alpha-bucket", Key="mp/big", UploadId=uid, PartNumber=1, Body=b"x")[0] == "NoSuchUpload")
# UploadPartCopy: parts cut from existing objects (a multipart one and an inline one)
cp = s3.create_multipart_upload(Bucket="alpha-bucket", Key="mp/copied", ChecksumAlgorithm="CRC32")["UploadId"]
c1 = s3.upload_part_copy(Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=1,
                         CopySource={"Bucket": "alpha-bucket", "Key": "mp/big"},
                         CopySourceRange="bytes=1-%d" % (5 * 1024 * 1024))["CopyPartResult"]
check("upload_part_copy ETag is the range's MD5", c1["ETag"] == '"%s"' % hashlib.md5((p1 + p2)[1:5 * 1024 * 1024 + 1]).hexdigest(), c1)
check("upload_part_copy returns the upload's checksum", "ChecksumCRC32" in c1, c1)
tiny = b"a small object, kept inline"
s3.put_object(Bucket="alpha-bucket", Key="docs/tiny", Body=tiny)
c2 = s3.upload_part_copy(Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=2,
                         CopySource="alpha-bucket/docs/tiny")["CopyPartResult"]
check("upload_part_copy of a whole small object", c2["ETag"] == '"%s"' % hashlib.md5(tiny).hexdigest(), c2)
check("copy range malformed", error_of(s3.upload_part_copy, Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=3,
      CopySource="alpha-bucket/docs/a.bin", CopySourceRange="bytes=5-")[0] == "InvalidArgument")
bad = error_message_of(s3.upload_part_copy, Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=3,
               CopySource="alpha-bucket/docs/a.bin", CopySourceRange="bytes=0-%d" % len(body))
check("copy range past the end", bad[0] == "InvalidArgument" and ("object of size: %d" % len(body)) in bad[1], bad)
check("copy source missing", error_of(s3.upload_part_copy, Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=3,
      CopySource="alpha-bucket/nope")[0] == "NoSuchKey")
check("copy source condition", error_of(s3.upload_part_copy, Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, PartNumber=3,
      CopySource="alpha-bucket/docs/a.bin", CopySourceIfMatch='"0000"')[0] == "PreconditionFailed")
s3.complete_multipart_upload(Bucket="alpha-bucket", Key="mp/copied", UploadId=cp, MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": c1["ETag"], "ChecksumCRC32": c1["ChecksumCRC32"]},
    {"PartNumber": 2, "ETag": c2["ETag"], "ChecksumCRC32": c2["ChecksumCRC32"]}]})
check("copied parts assemble", s3.get_object(Bucket="alpha-bucket", Key="mp/copied")["Body"].read() == (p1 + p2)[1:5 * 1024 * 1024 + 1] + tiny)
# ListMultipartUploads: pages of max-uploads, markers, delimiter, the paginator
s3.create_bucket(Bucket="uploads-bucket")
made = [(k, s3.create_multipart_upload(Bucket="uploads-bucket", Key=k)["UploadId"])
        for k in ["a/1", "a/2", "b", "b", "c/x/y", "d"]]
listed, marker, id_marker, pages = [], "", "", 0
while True:
    r = s3.list_multipart_uploads(Bucket="uploads-bucket", MaxUploads=2, KeyMarker=marker, UploadIdMarker=id_marker)
    pages += 1
    listed += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
    if not r["IsTruncated"]:
        break
    marker, id_marker = r["NextKeyMarker"], r["NextUploadIdMarker"]
want = sorted(made, key=lambda m: m[0])
check("list_multipart_uploads pages through every upload once, by key",
      [k for k, _ in listed] == [k for k, _ in want] and sorted(listed) == sorted(made) and pages == 3, (listed, pages))
r = s3.list_multipart_uploads(Bucket="uploads-bucket", Delimiter="/")
check("uploads under a delimiter", [u["Key"] for u in r["Uploads"]] == ["b", "b", "d"] and
      [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "c/"], r)
r = s3.list_multipart_uploads(Bucket="uploads-bucket", Delimiter="/", MaxUploads=1)
check("a page can end on a common prefix", r["IsTruncated"] and r["NextKeyMarker"] == "a/", r)
r = s3.list_multipart_uploads(Bucket="uploads-bucket", Delimiter="/", MaxUploads=1, KeyMarker="a/")
check("the next page starts after it", [u["Key"] for u in r.get("Uploads", [])] == ["b"], r)
r = s3.list_multipart_uploads(Bucket="uploads-bucket", Prefix="c/")
check("uploads under a prefix", [u["Key"] for u in r["Uploads"]] == ["c/x/y"], r)
keys = [u["Key"] for page in s3.get_paginator("list_multipart_uploads").paginate(
    Bucket="uploads-bucket", PaginationConfig={"PageSize": 4}) for u in page.get("Uploads", [])]
check("the paginator sees every upload", keys == [m[0] for m in want], keys)
check("bad max-uploads", error_of(s3.list_multipart_uploads, Bucket="uploads-bucket", MaxUploads=-1)[0] == "InvalidArgument")
for k, u in made:
    s3.abort_multipart_upload(Bucket="uploads-bucket", Key=k, UploadId=u)
small = s3.create_multipart_upload(Bucket="alpha-bucket", Key="mp/small")["UploadId"]
t1 = s3.upload_part(Bucket="alpha-bucket", Key="mp/small", UploadId=small, PartNumber=1, Body=b"a")["ETag"]
t2 = s3.upload_part(Bucket="alpha-bucket", Key="mp/small", UploadId=small, PartNumber=2, Body=b"b")["ETag"]
check("EntityTooSmall", error_of(s3.complete_multipart_upload, Bucket="alpha-bucket", Key="mp/small", UploadId=small,
      MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": t1}, {"PartNumber": 2, "ETag": t2}]})[0] == "EntityTooSmall")
s3.abort_multipart_upload(Bucket="alpha-bucket", Key="mp/small", UploadId=small)
check("aborted", error_of(s3.list_parts, Bucket="alpha-bucket", Key="mp/small", UploadId=small)[0] == "NoSuchUpload")

# Presigned URLs (no signature check, but an expired one is refused)
url = s3.generate_presigned_url("get_object", Params={"Bucket": "alpha-bucket", "Key": "docs/a.bin"}, ExpiresIn=60)
check("presigned GET", urllib.request.urlopen(url).read() == body)
purl = s3.generate_presigned_url("put_object", Params={"Bucket": "plain", "Key": "presigned"}, ExpiresIn=60)
urllib.request.urlopen(urllib.request.Request(purl, data=b"via url", method="PUT")).read()
check("presigned PUT", s3.get_object(Bucket="plain", Key="presigned")["Body"].read() == b"via url")
import re
v4 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
v4url = v4.generate_presigned_url("get_object", Params={"Bucket": "alpha-bucket", "Key": "docs/a.bin"}, ExpiresIn=60)
check("presigned GET (SigV4)", urllib.request.urlopen(v4url).read() == body)
for name, expired_url in (("SigV4", re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z", v4url)),
                          ("SigV2", re.sub(r"Expires=\d+", "Expires=1577836800", url))):
    try:
        urllib.request.urlopen(expired_url)
        check("expired presigned URL refused (%s)" % name, False, expired_url)
    except urllib.error.HTTPError as e:
        doc = e.read().decode()
        check("expired presigned URL refused (%s)" % name, e.code == 403 and "<Code>AccessDenied</Code>" in doc, doc)

# Virtual-hosted style: BUCKET.localhost resolves to loopback here only through the Host header.
port = ENDPOINT.rsplit(":", 1)[1]
req = urllib.request.Request("http://127.0.0.1:%s/docs/a.bin" % port, headers={"Host": "alpha-bucket.localhost:" + port})
check("virtual-hosted GET", urllib.request.urlopen(req).read() == body)
req = urllib.request.Request("http://127.0.0.1:%s/missing" % port, headers={"Host": "alpha-bucket.s3.localhost:" + port})
try:
    urllib.request.urlopen(req)
    check("virtual-hosted NoSuchKey", False)
except urllib.error.HTTPError as e:
    doc = e.read().decode()
    check("virtual-hosted NoSuchKey XML", e.code == 404 and "<Code>NoSuchKey</Code>" in doc and
          e.headers.get("x-amz-request-id"), doc)

# Notifications: stratus.yaml (created, prefix in/, suffix .txt) on "watched"
s3.put_object(Bucket="watched", Key="in/hello world.txt", Body=b"12345")
s3.put_object(Bucket="watched", Key="in/skip.bin", Body=b"1")
s3.put_object(Bucket="watched", Key="out/skip.txt", Body=b"1")
# And one set through the API for removals and copies on "plain".
fn_arn = "arn:aws:lambda:us-east-1:000000000000:function:record"
s3.put_bucket_notification_configuration(Bucket="plain", NotificationConfiguration={
    "LambdaFunctionConfigurations": [{"Id": "removals", "LambdaFunctionArn": fn_arn,
                                      "Events": ["s3:ObjectRemoved:*", "s3:ObjectCreated:Copy"],
                                      "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "gone/"}]}}}]})
conf = s3.get_bucket_notification_configuration(Bucket="plain")
check("notification configuration round-trips",
      conf["LambdaFunctionConfigurations"][0]["Id"] == "removals" and
      conf["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"] == fn_arn, conf)
check("unknown function refused", error_of(s3.put_bucket_notification_configuration, Bucket="plain", NotificationConfiguration={
    "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn_arn + "x", "Events": ["s3:ObjectCreated:*"]}]})[0] == "InvalidArgument")
check("unknown event refused", error_of(s3.put_bucket_notification_configuration, Bucket="plain", NotificationConfiguration={
    "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn_arn, "Events": ["s3:Nope:*"]}]})[0] == "InvalidArgument")
s3.put_object(Bucket="plain", Key="gone/x", Body=b"1")
s3.copy_object(Bucket="plain", Key="gone/copy", CopySource="plain/gone/x")
s3.delete_object(Bucket="plain", Key="gone/x")

deadline = time.time() + 30
events = []
while time.time() < deadline:
    events = [json.load(open(p)) for p in glob.glob(os.path.join(EVENTS, "*.json"))]
    if len(events) >= 3:
        break
    time.sleep(0.1)
records = sorted((e["Records"][0] for e in events), key=lambda r: r["eventName"])
check("three events delivered", len(records) == 3, [r["eventName"] for r in records])
if len(records) == 3:
    copy, put_rec, removed = records
    check("put event", put_rec["eventName"] == "ObjectCreated:Put" and put_rec["s3"]["object"]["key"] == "in/hello+world.txt"
          and put_rec["s3"]["object"]["size"] == 5 and put_rec["s3"]["object"]["eTag"] == hashlib.md5(b"12345").hexdigest()
          and put_rec["s3"]["bucket"]["arn"] == "arn:aws:s3:::watched" and put_rec["eventVersion"] == "2.1", put_rec)
    check("copy event", copy["eventName"] == "ObjectCreated:Copy" and copy["s3"]["configurationId"] == "removals", copy)
    check("delete event", removed["eventName"] == "ObjectRemoved:Delete" and removed["s3"]["object"]["key"] == "gone/x"
          and "size" not in removed["s3"]["object"], removed)
    check("sequencers increase", copy["s3"]["object"]["sequencer"] < removed["s3"]["object"]["sequencer"])

# Cleanup: rb of an emptied bucket
for o in s3.list_objects_v2(Bucket="plain").get("Contents", []):
    s3.delete_object(Bucket="plain", Key=o["Key"])
s3.delete_bucket(Bucket="plain")
check("bucket deleted", error_of(s3.head_bucket, Bucket="plain")[0] == "404")

finish()
