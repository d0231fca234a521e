// PutBucketVersioning, GetBucketVersioning and ListObjectVersions (prefix, delimiter,
// max-keys, key-marker / version-id-marker, encoding-type=url), and the version id
// plumbing the object operations share.
#include <limits>

#include "emulator/emulator.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

constexpr int kBatch = 1000;
constexpr int64_t kAllVersions = std::numeric_limits<int64_t>::max();

struct VersionPage {
  std::vector<ListEntry> entries;  // versions and markers, in listing order
  std::vector<std::string> prefixes;
  bool truncated = false;
  // What the next page starts after: a version (key and version id) or a common prefix.
  std::string next_key;
  std::string next_version_id;
};

struct VersionQuery {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  int max_keys = 1000;
  // The scan's start: versions of `key` below `below_id`, then the keys after it.
  std::string key;
  int64_t below_id = kAllVersions;
};

// Walks versions in S3's order (key, then newest first), folding keys under a delimiter into
// common prefixes, until max_keys entries are listed and one more is known to exist.
Result<VersionPage> CollectVersions(ObjectStore& store, const std::string& bucket, VersionQuery q) {
  VersionPage page;
  std::string upper = PrefixSuccessor(q.prefix);
  if (q.key < q.prefix) {
    q.key = q.prefix;
    q.below_id = kAllVersions;
  }
  int count = 0;
  for (;;) {
    auto rows = store.ListVersions(bucket, q.key, q.below_id, upper, kBatch);
    if (!rows.ok()) return rows.status();
    bool jumped = false;
    for (auto& row : *rows) {
      std::string common = CommonPrefix(row.key, q.prefix, q.delimiter);
      if (!common.empty()) {
        if (common > q.key_marker) {
          if (count == q.max_keys) {
            page.truncated = true;
            return page;
          }
          page.prefixes.push_back(common);
          page.next_key = common;
          page.next_version_id.clear();
          ++count;
        }
        std::string next = PrefixSuccessor(common);
        if (next.empty()) return page;  // nothing sorts after this prefix
        q.key = next;
        q.below_id = kAllVersions;
        jumped = true;
        break;
      }
      if (count == q.max_keys) {
        page.truncated = true;
        return page;
      }
      q.key = row.key;
      q.below_id = row.id;
      page.next_key = row.key;
      page.next_version_id = row.version_id;
      page.entries.push_back(std::move(row));
      ++count;
    }
    if (!jumped && rows->size() < static_cast<size_t>(kBatch)) return page;
  }
}

// The ListVersionsResult document for one page.
std::string VersionsXml(const VersionPage& page, const VersionQuery& q, const std::string& bucket,
                        const std::string& version_marker, bool url, const std::string& account) {
  auto enc = [url](const std::string& s) { return KeyText(s, url); };
  XmlWriter xml("ListVersionsResult");
  xml.Leaf("IsTruncated", page.truncated ? "true" : "false");
  xml.Leaf("KeyMarker", enc(q.key_marker)).Leaf("VersionIdMarker", version_marker);
  if (page.truncated) {
    xml.Leaf("NextKeyMarker", enc(page.next_key));
    if (!page.next_version_id.empty()) xml.Leaf("NextVersionIdMarker", page.next_version_id);
  }
  for (const ListEntry& e : page.entries) {
    xml.Open(e.delete_marker ? "DeleteMarker" : "Version");
    xml.Leaf("Key", enc(e.key)).Leaf("VersionId", e.version_id);
    xml.Leaf("IsLatest", e.is_latest ? "true" : "false");
    xml.Leaf("LastModified", IsoTimeUtc(e.last_modified_ms));
    if (!e.delete_marker) {
      xml.Leaf("ETag", "\"" + e.etag + "\"").Leaf("Size", std::to_string(e.size));
      xml.Leaf("StorageClass", "STANDARD");
    }
    xml.Open("Owner").Leaf("ID", account).Leaf("DisplayName", "stratus").Close();
    xml.Close();
  }
  xml.Leaf("Name", bucket).Leaf("Prefix", enc(q.prefix));
  if (!q.delimiter.empty()) xml.Leaf("Delimiter", enc(q.delimiter));
  xml.Leaf("MaxKeys", std::to_string(q.max_keys));
  for (const auto& p : page.prefixes) xml.Open("CommonPrefixes").Leaf("Prefix", enc(p)).Close();
  if (url) xml.Leaf("EncodingType", "url");
  return xml.Finish();
}

}  // namespace

std::string ObjectsTrigger::NewVersionId() {
  return objects::NewVersionId(emulator_->random(), NowMs());
}

void ObjectsTrigger::AddVersionHeader(const std::string& bucket, const std::string& version_id,
                                      http::Response* response) {
  bool versioned = false;
  if (version_id == kNullVersion) {  // only the null version needs the bucket's state
    auto record = store_->FindBucket(bucket);
    versioned = record.ok() && *record && !(*record)->versioning.empty();
  }
  objects::AddVersionHeader(versioned, version_id, response);
}

bool ObjectsTrigger::ReadVersionId(const CallPtr& call, std::string* version_id) {
  if (!call->Has("versionId")) return true;
  *version_id = call->Query("versionId");
  if (IsValidVersionId(*version_id)) return true;
  Fail(call, InvalidVersionId(*version_id));
  return false;
}

void ObjectsTrigger::PutBucketVersioning(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string status;
  S3Error error;
  if (!ParseVersioningConfiguration(call->body, &status, &error)) {
    Fail(call, error);
    return;
  }
  std::string name = call->target.bucket;
  Commit([name, status](ObjectStore& store, std::vector<std::string>*) {
           return store.SetVersioning(name, status);
         },
         [this, call, name](Status s) {
           if (!s.ok()) {
             Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchBucket(name)
                                                             : FromStatus(s));
             return;
           }
           Send(call, http::Response());
         });
}

void ObjectsTrigger::GetBucketVersioning(const CallPtr& call) {
  auto bucket = RequireBucket(call);
  if (!bucket) return;
  SendXml(call, 200, VersioningConfigurationXml(bucket->versioning));
}

void ObjectsTrigger::ListObjectVersions(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  VersionQuery q;
  bool url = false;
  S3Error error;
  if (!ReadListLimit(*call, "max-keys", &q.max_keys, &error) || !ReadEncoding(*call, &url, &error)) {
    Fail(call, error);
    return;
  }
  q.prefix = call->Query("prefix");
  q.delimiter = call->Query("delimiter");
  q.key_marker = call->Query("key-marker");
  std::string version_marker = call->Query("version-id-marker");
  if (!version_marker.empty() && q.key_marker.empty()) {
    Fail(call, errors::InvalidArgument("A version-id marker cannot be specified without a key marker.")
                   .With("ArgumentName", "version-id-marker")
                   .With("ArgumentValue", version_marker));
    return;
  }
  if (!version_marker.empty() && !IsValidVersionId(version_marker)) {
    Fail(call, InvalidVersionId(version_marker));
    return;
  }
  // Without a version marker the page starts after every version of key-marker; with one,
  // after that version (or, when it is gone, after the whole key).
  q.key = q.key_marker;
  q.below_id = q.key_marker.empty() ? kAllVersions : 0;
  if (!version_marker.empty()) {
    auto marker = store_->FindVersion(call->target.bucket, q.key_marker, version_marker);
    if (!marker.ok()) {
      Fail(call, FromStatus(marker.status()));
      return;
    }
    if (*marker) q.below_id = (*marker)->id;
  }
  auto page = CollectVersions(*store_, call->target.bucket, q);
  if (!page.ok()) {
    Fail(call, FromStatus(page.status()));
    return;
  }
  SendXml(call, 200, VersionsXml(*page, q, call->target.bucket, version_marker, url,
                                 emulator_->project().account));
}

}  // namespace stratus::triggers::objects
