// Bucket versioning on the wire, with an embedded emulator: the versioning configuration,
// versions and delete markers through PUT/GET/HEAD/DELETE/copy, ListObjectVersions paging,
// DeleteObjects with version ids, bodies freed exactly when their last version goes, events
// carrying versionId, and the schema migration keeping objects stored before versioning.
#include <doctest/doctest.h>

#include <set>

#include "emulator/storage/db.h"
#include "emulator/util/escape.h"
#include "tests/triggers/objects/objects_fixture.h"
#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

const std::string kBig(100 * 1024, 'b');  // above the inline limit: a blob file per version

void SetVersioning(Fixture& f, const std::string& status) {
  auto r = f.Send("PUT", "/box?versioning",
                  "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                  "<Status>" + status + "</Status></VersioningConfiguration>");
  REQUIRE(r.status == 200);
}

struct Entry {
  std::string kind;  // "Version" or "DeleteMarker"
  std::string key;
  std::string version_id;
  bool latest = false;
};

// The Version and DeleteMarker elements of a ListVersionsResult, in document order.
std::vector<Entry> Entries(const std::string& xml) {
  std::vector<Entry> out;
  size_t at = 0;
  for (;;) {
    size_t v = xml.find("<Version>", at), d = xml.find("<DeleteMarker>", at);
    if (v == std::string::npos && d == std::string::npos) return out;
    bool marker = d < v;
    std::string kind = marker ? "DeleteMarker" : "Version";
    size_t start = marker ? d : v;
    size_t end = xml.find("</" + kind + ">", start);
    std::string element = xml.substr(start, end - start);
    out.push_back({kind, Tag(element, "Key"), Tag(element, "VersionId"), Tag(element, "IsLatest") == "true"});
    at = end;
  }
}

TEST_CASE("Versions: version ids") {
  Random random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewVersionId(random, 1764316800000 + i / 10);
    CHECK(IsValidVersionId(id));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
  // Runs sharing a seed still differ: the time leads.
  Random one(7), other(7);
  CHECK(NewVersionId(one, 1764316800000) != NewVersionId(other, 1764316800001));
  for (const char* bad : {"", "nul", "NULL", "abc", "AaIjELwRhbf5cBJ3zZDiwVfzOzp6tqd", "AaIjELwRhbf5cBJ3zZDiwVfzOzp6tqdd1",
                          "AaIjELwRhbf5cBJ3zZDiwVfzOzp6tq/d", "AaIjELwRhbf5cBJ3zZDiwVfzOzp6tq+d"}) {
    CHECK_MESSAGE(!IsValidVersionId(bad), bad);
  }
  CHECK(IsValidVersionId("null"));
  CHECK(IsValidVersionId("AaIjELwRhbf5cBJ3zZDiwVfzOzp6tq.d"));
}

TEST_CASE("Versions: the bucket's versioning configuration") {
  Fixture f;
  auto r = f.Send("GET", "/box?versioning");
  CHECK(r.status == 200);
  CHECK(r.body.find("<VersioningConfiguration") != std::string::npos);
  CHECK(Tag(r.body, "Status").empty());
  SetVersioning(f, "Enabled");
  CHECK(Tag(f.Send("GET", "/box?versioning").body, "Status") == "Enabled");
  SetVersioning(f, "Suspended");
  CHECK(Tag(f.Send("GET", "/box?versioning").body, "Status") == "Suspended");

  struct Bad {
    const char* body;
    int status;
    const char* code;
  };
  for (const Bad& bad : {
           Bad{"<VersioningConfiguration>", 400, "MalformedXML"},
           Bad{"<Other><Status>Enabled</Status></Other>", 400, "MalformedXML"},
           Bad{"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>", 400,
               "IllegalVersioningConfigurationException"},
           Bad{"<VersioningConfiguration/>", 400, "IllegalVersioningConfigurationException"},
           Bad{"<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Maybe</MfaDelete>"
               "</VersioningConfiguration>", 400, "IllegalVersioningConfigurationException"},
           Bad{"<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete>"
               "</VersioningConfiguration>", 501, "NotImplemented"},
       }) {
    r = f.Send("PUT", "/box?versioning", bad.body);
    CHECK_MESSAGE(r.status == bad.status, bad.body);
    CHECK_MESSAGE(Tag(r.body, "Code") == bad.code, bad.body);
  }
  CHECK(Tag(f.Send("GET", "/box?versioning").body, "Status") == "Suspended");  // unchanged
  CHECK(Tag(f.Send("GET", "/nope-bucket?versioning").body, "Code") == "NoSuchBucket");
}

TEST_CASE("Versions: an unversioned bucket names no versions") {
  Fixture f;
  auto r = f.Send("PUT", "/box/k", "one");
  CHECK(r.status == 200);
  CHECK(r.Header("x-amz-version-id").empty());
  CHECK(f.Send("GET", "/box/k").Header("x-amz-version-id").empty());
  r = f.Send("DELETE", "/box/k");
  CHECK(r.status == 204);
  CHECK(r.Header("x-amz-delete-marker").empty());
  CHECK(f.Send("GET", "/box/k").status == 404);
  // Its objects are null versions, and ListObjectVersions shows them so.
  CHECK(f.Send("PUT", "/box/k", "two").status == 200);
  auto entries = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].version_id == "null");
  CHECK(f.Send("GET", "/box/k?versionId=null").body == "two");
}

TEST_CASE("Versions: PUT, GET and HEAD by version id") {
  Fixture f;
  SetVersioning(f, "Enabled");
  auto first = f.Send("PUT", "/box/k", "first");
  auto second = f.Send("PUT", "/box/k", "second");
  std::string v1 = first.Header("x-amz-version-id"), v2 = second.Header("x-amz-version-id");
  CHECK(IsValidVersionId(v1));
  CHECK(IsValidVersionId(v2));
  CHECK(v1 != v2);
  auto r = f.Send("GET", "/box/k");
  CHECK(r.body == "second");
  CHECK(r.Header("x-amz-version-id") == v2);
  r = f.Send("GET", "/box/k?versionId=" + v1);
  CHECK(r.body == "first");
  CHECK(r.Header("x-amz-version-id") == v1);
  r = f.Send("HEAD", "/box/k?versionId=" + v1);
  CHECK(r.status == 200);
  CHECK(r.Header("content-length") == "5");
  CHECK(r.Header("x-amz-version-id") == v1);

  r = f.Send("GET", "/box/k?versionId=not-a-version");
  CHECK(r.status == 400);
  CHECK(Tag(r.body, "Code") == "InvalidArgument");
  r = f.Send("GET", "/box/k?versionId=");
  CHECK(Tag(r.body, "Code") == "InvalidArgument");
  std::string unknown(32, 'Z');
  r = f.Send("GET", "/box/k?versionId=" + unknown);
  CHECK(r.status == 404);
  CHECK(Tag(r.body, "Code") == "NoSuchVersion");
  CHECK(Tag(r.body, "VersionId") == unknown);
  CHECK(f.Send("HEAD", "/box/k?versionId=" + unknown).status == 404);
  // This key never had a null version.
  CHECK(f.Send("GET", "/box/k?versionId=null").status == 404);
}

TEST_CASE("Versions: delete markers") {
  Fixture f;
  SetVersioning(f, "Enabled");
  std::string v1 = f.Send("PUT", "/box/k", "first").Header("x-amz-version-id");
  auto r = f.Send("DELETE", "/box/k");
  CHECK(r.status == 204);
  CHECK(r.Header("x-amz-delete-marker") == "true");
  std::string marker = r.Header("x-amz-version-id");
  CHECK(IsValidVersionId(marker));
  CHECK(marker != v1);

  r = f.Send("GET", "/box/k");
  CHECK(r.status == 404);
  CHECK(Tag(r.body, "Code") == "NoSuchKey");
  CHECK(r.Header("x-amz-delete-marker") == "true");
  CHECK(r.Header("x-amz-version-id") == marker);
  r = f.Send("HEAD", "/box/k");
  CHECK(r.status == 404);
  CHECK(r.Header("x-amz-delete-marker") == "true");
  r = f.Send("GET", "/box/k?versionId=" + marker);
  CHECK(r.status == 405);
  CHECK(Tag(r.body, "Code") == "MethodNotAllowed");
  CHECK(r.Header("x-amz-delete-marker") == "true");
  CHECK(f.Send("HEAD", "/box/k?versionId=" + marker).status == 405);
  CHECK(f.Send("GET", "/box/k?versionId=" + v1).body == "first");  // still there

  // Listings show only current objects; the bucket is not empty.
  CHECK(f.Send("GET", "/box?list-type=2").body.find("<Key>k</Key>") == std::string::npos);
  CHECK(f.Send("GET", "/box").body.find("<Key>k</Key>") == std::string::npos);
  auto entries = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(entries.size() == 2);
  CHECK((entries[0].kind == "DeleteMarker" && entries[0].version_id == marker && entries[0].latest));
  CHECK((entries[1].kind == "Version" && entries[1].version_id == v1 && !entries[1].latest));
  CHECK(Tag(f.Send("DELETE", "/box").body, "Code") == "BucketNotEmpty");

  // Removing the marker brings the object back.
  r = f.Send("DELETE", "/box/k?versionId=" + marker);
  CHECK(r.status == 204);
  CHECK(r.Header("x-amz-delete-marker") == "true");
  CHECK(r.Header("x-amz-version-id") == marker);
  CHECK(f.Send("GET", "/box/k").body == "first");
  r = f.Send("DELETE", "/box/k?versionId=" + v1);
  CHECK(r.status == 204);
  CHECK(r.Header("x-amz-delete-marker").empty());
  CHECK(r.Header("x-amz-version-id") == v1);
  CHECK(f.Send("GET", "/box?versions").body.find("<Key>") == std::string::npos);
  CHECK(f.Send("DELETE", "/box").status == 204);
}

TEST_CASE("Versions: suspended buckets write the null version; bodies go with their last version") {
  Fixture f;
  CHECK(f.Send("PUT", "/box/k", kBig).status == 200);  // null version, before versioning
  SetVersioning(f, "Enabled");
  std::string v1 = f.Send("PUT", "/box/k", kBig + "1").Header("x-amz-version-id");
  std::string v2 = f.Send("PUT", "/box/k", kBig + "2").Header("x-amz-version-id");
  CHECK(f.BlobFilesOnceEqual(3) == 3);
  SetVersioning(f, "Suspended");
  auto r = f.Send("PUT", "/box/k", kBig + "3");
  CHECK(r.Header("x-amz-version-id") == "null");
  CHECK(f.BlobFilesOnceEqual(3) == 3);  // the first null version was replaced, its body removed
  CHECK(f.Send("GET", "/box/k?versionId=null").body == kBig + "3");
  auto entries = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].version_id == "null");
  CHECK(entries[1].version_id == v2);
  CHECK(entries[2].version_id == v1);

  // A simple DELETE removes the null version and leaves a null marker.
  r = f.Send("DELETE", "/box/k");
  CHECK(r.Header("x-amz-delete-marker") == "true");
  CHECK(r.Header("x-amz-version-id") == "null");
  CHECK(f.BlobFilesOnceEqual(2) == 2);
  CHECK(f.Send("GET", "/box/k").status == 404);
  CHECK(f.Send("DELETE", "/box/k?versionId=" + v2).status == 204);
  CHECK(f.BlobFilesOnceEqual(1) == 1);
  // The marker stays latest; v1 is what is left behind it.
  entries = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(entries.size() == 2);
  CHECK((entries[0].kind == "DeleteMarker" && entries[0].latest));
  CHECK((entries[1].version_id == v1 && !entries[1].latest));
  CHECK(f.Send("DELETE", "/box/k?versionId=null").Header("x-amz-delete-marker") == "true");
  CHECK(f.Send("GET", "/box/k").body == kBig + "1");
  CHECK(f.Send("DELETE", "/box/k?versionId=" + v1).status == 204);
  CHECK(f.BlobFilesOnceEqual(0) == 0);
}

TEST_CASE("Versions: ListObjectVersions pages, prefixes and markers") {
  Fixture f;
  SetVersioning(f, "Enabled");
  std::vector<std::pair<std::string, std::string>> written;  // (key, version id)
  for (const char* key : {"a", "a", "a", "b", "c/d", "c/e", "d%20e"}) {
    written.emplace_back(key, f.Send("PUT", std::string("/box/") + key, "x").Header("x-amz-version-id"));
  }
  written[6].first = "d e";
  f.Send("DELETE", "/box/b");
  // Expected order: by key, newest first.
  auto all = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(all.size() == 8);
  CHECK((all[0].key == "a" && all[0].version_id == written[2].second && all[0].latest));
  CHECK((all[2].key == "a" && all[2].version_id == written[0].second && !all[2].latest));
  CHECK((all[3].key == "b" && all[3].kind == "DeleteMarker"));
  CHECK((all[4].key == "b" && all[4].version_id == written[3].second));

  // Two at a time, following NextKeyMarker / NextVersionIdMarker.
  std::vector<Entry> paged;
  std::string query = "/box?versions&max-keys=2";
  for (int page = 0; page < 10; ++page) {
    auto r = f.Send("GET", query);
    auto entries = Entries(r.body);
    CHECK(entries.size() <= 2);
    paged.insert(paged.end(), entries.begin(), entries.end());
    if (Tag(r.body, "IsTruncated") != "true") break;
    query = "/box?versions&max-keys=2&key-marker=" + PercentEncode(Tag(r.body, "NextKeyMarker"), false) +
            "&version-id-marker=" + Tag(r.body, "NextVersionIdMarker");
  }
  REQUIRE(paged.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) CHECK(paged[i].version_id == all[i].version_id);

  // A key marker alone starts after all of that key's versions.
  auto after_a = Entries(f.Send("GET", "/box?versions&key-marker=a").body);
  REQUIRE(!after_a.empty());
  CHECK(after_a[0].key == "b");

  auto r = f.Send("GET", "/box?versions&delimiter=/&prefix=");
  CHECK(r.body.find("<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>") != std::string::npos);
  CHECK(Entries(r.body).size() == 6);
  r = f.Send("GET", "/box?versions&prefix=c/&encoding-type=url");
  CHECK(Entries(r.body).size() == 2);
  r = f.Send("GET", "/box?versions&prefix=d&encoding-type=url");
  CHECK(Tag(r.body, "Key") == "d%20e");
  CHECK(Tag(r.body, "EncodingType") == "url");

  CHECK(Tag(f.Send("GET", "/box?versions&version-id-marker=" + written[0].second).body, "Code") ==
        "InvalidArgument");
  CHECK(Tag(f.Send("GET", "/box?versions&key-marker=a&version-id-marker=bad").body, "Code") ==
        "InvalidArgument");
  CHECK(Tag(f.Send("GET", "/box?versions&max-keys=x").body, "Code") == "InvalidArgument");
}

TEST_CASE("Versions: DeleteObjects with version ids") {
  Fixture f;
  SetVersioning(f, "Enabled");
  std::string v1 = f.Send("PUT", "/box/a", "1").Header("x-amz-version-id");
  f.Send("PUT", "/box/b", "2");
  auto r = f.Send("POST", "/box?delete",
                  "<Delete><Object><Key>a</Key><VersionId>" + v1 + "</VersionId></Object>"
                  "<Object><Key>b</Key></Object>"
                  "<Object><Key>c</Key><VersionId>bogus</VersionId></Object></Delete>");
  CHECK(r.status == 200);
  size_t a = r.body.find("<Deleted><Key>a</Key>");
  REQUIRE(a != std::string::npos);
  std::string deleted_a = r.body.substr(a, r.body.find("</Deleted>", a) - a);
  CHECK(Tag(deleted_a, "VersionId") == v1);
  CHECK(Tag(deleted_a, "DeleteMarker").empty());
  size_t b = r.body.find("<Deleted><Key>b</Key>");
  REQUIRE(b != std::string::npos);
  std::string deleted_b = r.body.substr(b, r.body.find("</Deleted>", b) - b);
  CHECK(Tag(deleted_b, "DeleteMarker") == "true");
  std::string marker = Tag(deleted_b, "DeleteMarkerVersionId");
  CHECK(IsValidVersionId(marker));
  CHECK(r.body.find("<Error><Key>c</Key><VersionId>bogus</VersionId><Code>NoSuchVersion</Code>") !=
        std::string::npos);
  CHECK(f.Send("GET", "/box/a").status == 404);
  CHECK(f.Send("GET", "/box/b").Header("x-amz-delete-marker") == "true");

  // Deleting the marker by id reports it as one.
  r = f.Send("POST", "/box?delete",
             "<Delete><Object><Key>b</Key><VersionId>" + marker + "</VersionId></Object></Delete>");
  CHECK(Tag(r.body, "DeleteMarker") == "true");
  CHECK(Tag(r.body, "DeleteMarkerVersionId") == marker);
  CHECK(f.Send("GET", "/box/b").body == "2");
}

TEST_CASE("Versions: copies from a version") {
  Fixture f;
  SetVersioning(f, "Enabled");
  std::string v1 = f.Send("PUT", "/box/k", "old").Header("x-amz-version-id");
  f.Send("PUT", "/box/k", "new");
  auto r = f.Send("PUT", "/box/copy", "", "x-amz-copy-source: /box/k?versionId=" + v1 + "\r\n");
  CHECK(r.status == 200);
  CHECK(r.Header("x-amz-copy-source-version-id") == v1);
  CHECK(IsValidVersionId(r.Header("x-amz-version-id")));
  CHECK(f.Send("GET", "/box/copy").body == "old");
  // Copying an old version onto its own key restores it.
  r = f.Send("PUT", "/box/k", "", "x-amz-copy-source: box/k?versionId=" + v1 + "\r\n");
  CHECK(r.status == 200);
  CHECK(f.Send("GET", "/box/k").body == "old");
  CHECK(Entries(f.Send("GET", "/box?versions&prefix=k").body).size() == 3);

  std::string marker = f.Send("DELETE", "/box/k").Header("x-amz-version-id");
  r = f.Send("PUT", "/box/c2", "", "x-amz-copy-source: /box/k\r\n");
  CHECK(Tag(r.body, "Code") == "NoSuchKey");
  r = f.Send("PUT", "/box/c2", "", "x-amz-copy-source: /box/k?versionId=" + marker + "\r\n");
  CHECK(r.status == 400);
  CHECK(Tag(r.body, "Code") == "InvalidRequest");
  r = f.Send("PUT", "/box/c2", "", "x-amz-copy-source: /box/k?versionId=" + std::string(32, 'Q') + "\r\n");
  CHECK(Tag(r.body, "Code") == "NoSuchVersion");
  r = f.Send("PUT", "/box/c2", "", "x-amz-copy-source: /box/k?versionId=x\r\n");
  CHECK(Tag(r.body, "Code") == "InvalidArgument");
}

TEST_CASE("Versions: events carry versionId, and a simple DELETE is DeleteMarkerCreated") {
  Fixture f;
  auto r = f.NotifyJobsQueue("q", {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"});
  REQUIRE(r.status == 200);
  f.Send("PUT", "/box/plain", "x");
  SetVersioning(f, "Enabled");
  std::string v1 = f.Send("PUT", "/box/k", "x").Header("x-amz-version-id");
  std::string marker = f.Send("DELETE", "/box/k").Header("x-amz-version-id");
  f.Send("DELETE", "/box/k?versionId=" + v1);
  auto sent = f.Sent();
  REQUIRE(sent.size() == 4);
  CHECK(sent[0].second.find("\"versionId\"") == std::string::npos);  // unversioned write
  CHECK(sent[1].second.find("\"eventName\":\"ObjectCreated:Put\"") != std::string::npos);
  CHECK(sent[1].second.find("\"versionId\":\"" + v1 + "\"") != std::string::npos);
  CHECK(sent[2].second.find("\"eventName\":\"ObjectRemoved:DeleteMarkerCreated\"") != std::string::npos);
  CHECK(sent[2].second.find("\"versionId\":\"" + marker + "\"") != std::string::npos);
  CHECK(sent[3].second.find("\"eventName\":\"ObjectRemoved:Delete\"") != std::string::npos);
  CHECK(sent[3].second.find("\"versionId\":\"" + v1 + "\"") != std::string::npos);
}

// A database left by stratus before versioning (objects schema version 1), with one object.
void WriteVersionOneDatabase(const std::string& data_dir) {
  auto db = storage::Db::Open(data_dir + "/stratus.db", storage::Durability::kNormal);
  REQUIRE(db.ok());
  Status migrated = (*db)->Migrate("objects", {ObjectStore::TestMigrationSteps()[0]});
  REQUIRE_MESSAGE(migrated.ok(), migrated.message());
  REQUIRE((*db)->Exec("INSERT INTO objects_buckets (name, created_ms) VALUES ('box', 1);"
                      "INSERT INTO objects_objects (id, bucket, key, size, etag, last_modified_ms,"
                      "  attrs, inline_body) VALUES (7, 'box', 'old', 5,"
                      "  '5d41402abc4b2a76b9719d911017c592', 1000, '{\"h\":[[\"Content-Type\",\"text/plain\"]]}',"
                      "  CAST('hello' AS BLOB));")
              .ok());
}

TEST_CASE("Versions: objects stored before versioning survive the migration as null versions") {
  Fixture f(WriteVersionOneDatabase);
  auto r = f.Send("GET", "/box/old");
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.Header("content-type") == "text/plain");
  CHECK(r.Header("x-amz-version-id").empty());
  CHECK(f.Send("GET", "/box?list-type=2").body.find("<Key>old</Key>") != std::string::npos);
  SetVersioning(f, "Enabled");
  CHECK(f.Send("GET", "/box/old").Header("x-amz-version-id") == "null");
  std::string v = f.Send("PUT", "/box/old", "newer").Header("x-amz-version-id");
  auto entries = Entries(f.Send("GET", "/box?versions").body);
  REQUIRE(entries.size() == 2);
  CHECK((entries[0].version_id == v && entries[0].latest));
  CHECK((entries[1].version_id == "null" && !entries[1].latest));
  CHECK(f.Send("GET", "/box/old?versionId=null").body == "hello");
}

}  // namespace
}  // namespace stratus::triggers::objects
