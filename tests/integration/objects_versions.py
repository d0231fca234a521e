"""boto3 against stratus's bucket versioning. Usage: objects_versions.py ENDPOINT EVENTS_DIR."""
import glob
import json
import os
import sys
import time

from s3_checks import check, client, error_of, finish

ENDPOINT, EVENTS = sys.argv[1], sys.argv[2]
s3 = client(ENDPOINT)
sqs = client(ENDPOINT, "sqs")
B = "boto-versions"
s3.create_bucket(Bucket=B)
check("never versioned: no Status", "Status" not in s3.get_bucket_versioning(Bucket=B))
code, _ = error_of(s3.put_bucket_versioning, Bucket=B, VersioningConfiguration={"Status": "Sometimes"})
check("bad Status refused", code == "IllegalVersioningConfigurationException", code)
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={"Status": "Enabled"})
check("Enabled", s3.get_bucket_versioning(Bucket=B)["Status"] == "Enabled")

# Versions, reads by id, copies from a version.
ids = [s3.put_object(Bucket=B, Key="k", Body=b"v%d" % i)["VersionId"] for i in range(3)]
check("three distinct version ids", len(set(ids)) == 3, ids)
check("get by VersionId", s3.get_object(Bucket=B, Key="k", VersionId=ids[0])["Body"].read() == b"v0")
head = s3.head_object(Bucket=B, Key="k", VersionId=ids[1])
check("head by VersionId", head["VersionId"] == ids[1] and head["ContentLength"] == 2, head)
code, _ = error_of(s3.get_object, Bucket=B, Key="k", VersionId="Z" * 32)
check("unknown version: NoSuchVersion", code == "NoSuchVersion", code)
copy = s3.copy_object(Bucket=B, Key="copy", CopySource={"Bucket": B, "Key": "k", "VersionId": ids[0]})
check("copy from a version", copy.get("CopySourceVersionId") == ids[0] and copy.get("VersionId"), copy)
check("the copy has the old body", s3.get_object(Bucket=B, Key="copy")["Body"].read() == b"v0")
mpu = s3.create_multipart_upload(Bucket=B, Key="parts")
part = s3.upload_part_copy(Bucket=B, Key="parts", UploadId=mpu["UploadId"], PartNumber=1,
                           CopySource={"Bucket": B, "Key": "k", "VersionId": ids[1]})
check("upload_part_copy from a version", part.get("CopySourceVersionId") == ids[1], part)
done = s3.complete_multipart_upload(Bucket=B, Key="parts", UploadId=mpu["UploadId"], MultipartUpload={
    "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
check("complete_multipart_upload returns a version id", bool(done.get("VersionId")), done)
check("multipart body from the version", s3.get_object(Bucket=B, Key="parts")["Body"].read() == b"v1")

# Delete markers.
marker = s3.delete_object(Bucket=B, Key="k")
check("delete adds a marker", marker.get("DeleteMarker") is True and marker.get("VersionId"), marker)
code, meta = error_of(s3.get_object, Bucket=B, Key="k")
headers = (meta or {}).get("HTTPHeaders", {})
check("get behind a marker: NoSuchKey with x-amz-delete-marker",
      code == "NoSuchKey" and headers.get("x-amz-delete-marker") == "true", (code, headers))
code, _ = error_of(s3.get_object, Bucket=B, Key="k", VersionId=marker["VersionId"])
check("get of a marker by id: MethodNotAllowed", code == "MethodNotAllowed", code)
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=B).get("Contents", [])]
check("list_objects_v2 shows current objects only", keys == ["copy", "parts"], keys)

# Paging through every version and marker, two at a time.
pages = s3.get_paginator("list_object_versions").paginate(Bucket=B, PaginationConfig={"PageSize": 2})
seen = []
for page in pages:
    entries = [(v["Key"], v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])]
    entries += [(m["Key"], m["VersionId"], m["IsLatest"]) for m in page.get("DeleteMarkers", [])]
    check("a page holds at most two entries", len(entries) <= 2, entries)
    seen += sorted(entries)
check("paging sees all 6 entries once", len(seen) == 6 and len(set(seen)) == 6, seen)
k_entries = [e for e in seen if e[0] == "k"]
check("k: the marker is the only latest", [e[1] for e in k_entries if e[2]] == [marker["VersionId"]], k_entries)

# DeleteObjects with version ids: a marker and a version removed for good.
result = s3.delete_objects(Bucket=B, Delete={"Objects": [
    {"Key": "k", "VersionId": marker["VersionId"]}, {"Key": "k", "VersionId": ids[2]},
    {"Key": "copy"}]})
by_version = {d.get("VersionId", d["Key"]): d for d in result["Deleted"]}
check("deleted marker reported", by_version[marker["VersionId"]].get("DeleteMarker") is True, result)
check("deleted version reported", ids[2] in by_version and not by_version[ids[2]].get("DeleteMarker"), result)
check("simple delete in the batch adds a marker",
      by_version["copy"].get("DeleteMarker") is True and by_version["copy"].get("DeleteMarkerVersionId"), result)
check("k is back at v1", s3.get_object(Bucket=B, Key="k")["Body"].read() == b"v1")

# Suspended: writes go to the null version, older versions stay.
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={"Status": "Suspended"})
put = s3.put_object(Bucket=B, Key="k", Body=b"n1")
s3.put_object(Bucket=B, Key="k", Body=b"n2")
versions = s3.list_object_versions(Bucket=B, Prefix="k")["Versions"]
check("suspended: one null version replaced in place, v0 and v1 kept",
      [v["VersionId"] for v in versions] == ["null", ids[1], ids[0]] and put.get("VersionId") == "null",
      versions)

# Notifications: DeleteMarkerCreated to a queue (configured by API) and to a function (stratus.yaml).
url = sqs.create_queue(QueueName="removed-events")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
s3.put_bucket_versioning(Bucket="watched", VersioningConfiguration={"Status": "Enabled"})
s3.put_bucket_notification_configuration(Bucket="watched", NotificationConfiguration={
    "QueueConfigurations": [{"Id": "markers", "QueueArn": arn,
                             "Events": ["s3:ObjectRemoved:DeleteMarkerCreated"]}]})
s3.put_object(Bucket="watched", Key="doomed file.txt", Body=b"x")
gone = s3.delete_object(Bucket="watched", Key="doomed file.txt")
messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
check("one message on the queue", len(messages) == 1, messages)
if messages:
    record = json.loads(messages[0]["Body"])["Records"][0]
    check("queue event: DeleteMarkerCreated with the marker's versionId",
          record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
          and record["s3"]["object"]["versionId"] == gone["VersionId"]
          and record["s3"]["object"]["key"] == "doomed+file.txt"
          and record["s3"]["configurationId"] == "markers", record)

deadline = time.time() + 30
events = []
while time.time() < deadline:
    events = [json.load(open(p)) for p in glob.glob(os.path.join(EVENTS, "*.json"))]
    if events:
        break
    time.sleep(0.1)
check("the function got one event", len(events) == 1, events)
if events:
    record = events[0]["Records"][0]
    check("function event: DeleteMarkerCreated with the marker's versionId",
          record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
          and record["s3"]["object"]["versionId"] == gone["VersionId"]
          and "size" not in record["s3"]["object"], record)

finish()
