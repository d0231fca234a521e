// ObjectStore: the object store's metadata in SQLite (buckets, object versions and the blobs
// holding their bodies, multipart uploads and parts, notification and versioning
// configurations). Every object is a version: an unversioned bucket holds only "null"
// versions, one per key, which is what S3 shows for it too. A version's blobs are its own (a
// copy writes new ones), so a blob is freed exactly when its version goes. Bodies live in
// the BlobStore; a row refers to a blob only after the blob is durable (BlobWriter::Finish).
// Small bodies (up to kInlineLimit) are kept in the row itself, so they commit with the row
// in one group-committed transaction instead of costing a file and an fsync each.
// Threading: loop thread only (the Db's). Mutating calls are meant to run inside
// Db::Write changes; readers run anywhere on the loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "emulator/storage/db.h"
#include "emulator/util/status.h"

namespace stratus::triggers::objects {

inline constexpr uint64_t kInlineLimit = 64 * 1024;

struct BucketRecord {
  std::string name;
  int64_t created_ms = 0;
  std::string notification;  // API-set configuration, JSON (see objects_events.h); "" for none
  std::string versioning;    // "" (never set), "Enabled" or "Suspended"
};

inline constexpr const char* kNullVersion = "null";

struct Segment {
  std::string blob_id;
  uint64_t size = 0;
};

// What S3 keeps beside the body: content headers, user metadata, checksums.
struct ObjectAttributes {
  std::vector<std::pair<std::string, std::string>> headers;   // Content-Type, Cache-Control...
  std::vector<std::pair<std::string, std::string>> metadata;  // x-amz-meta-NAME (lower case)
  std::vector<std::pair<std::string, std::string>> checksums; // x-amz-checksum-crc32 -> base64
  int parts_count = 0;                                        // multipart objects only

  std::string ToJson() const;
  static ObjectAttributes FromJson(const std::string& json);
};

struct ObjectRecord {
  int64_t id = 0;  // newer versions of a key have larger ids
  std::string bucket;
  std::string key;
  std::string version_id = kNullVersion;
  bool is_latest = true;
  bool delete_marker = false;  // a marker has no body, size, ETag or attributes
  uint64_t size = 0;
  std::string etag;  // without quotes
  int64_t last_modified_ms = 0;
  ObjectAttributes attributes;
  bool is_inline = false;
  std::string inline_body;
  std::vector<Segment> segments;  // the body, in order, when not inline
};

struct ListEntry {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  int64_t last_modified_ms = 0;
  // Filled by ListVersions only.
  int64_t id{};
  std::string version_id{};
  bool is_latest{};
  bool delete_marker{};
};

// What a DELETE did.
struct DeleteOutcome {
  bool removed = false;        // a version (object or marker) was removed for good
  bool marker_created = false;
  bool was_marker = false;     // the version removed for good was a delete marker
  std::string version_id;      // the marker created, or the version removed
};

struct UploadRecord {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_ms = 0;
  ObjectAttributes attributes;
  std::string checksum_algorithm;  // "" or CRC32, CRC32C, SHA1, SHA256
};

struct PartRecord {
  int number = 0;
  std::string blob_id;
  uint64_t size = 0;
  std::string etag;
  std::string checksum;  // base64 of the upload's checksum algorithm, or ""
  int64_t last_modified_ms = 0;
};

class ObjectStore {
 public:
  explicit ObjectStore(storage::Db& db) : db_(db) {}

  // Creates or upgrades the module's tables.
  Status Migrate();

  // Buckets. CreateBucket: AlreadyExists when present. DeleteBucket: NotFound, or
  // FailedPrecondition when it still holds objects; drops its uploads (their part blobs are
  // appended to `freed`).
  Status CreateBucket(const std::string& name, int64_t now_ms);
  Result<std::optional<BucketRecord>> FindBucket(const std::string& name);
  Result<std::vector<BucketRecord>> ListBuckets();
  Status DeleteBucket(const std::string& name, std::vector<std::string>* freed);
  Status SetNotification(const std::string& bucket, const std::string& json);

  // Versioning: "Enabled" or "Suspended" (the caller validated it); NotFound without the bucket.
  Status SetVersioning(const std::string& bucket, const std::string& status);

  // Objects. FindObject: the key's latest version, which may be a delete marker (nullopt when
  // the key has no version). FindVersion: that version, nullopt when absent.
  Result<std::optional<ObjectRecord>> FindObject(const std::string& bucket, const std::string& key);
  Result<std::optional<ObjectRecord>> FindVersion(const std::string& bucket, const std::string& key,
                                                  const std::string& version_id);
  // Makes `record` the key's latest version. With versioning Enabled it is a new version
  // under record.version_id (the caller's fresh id); otherwise its id becomes "null" and it
  // replaces the key's null version. Blobs no longer referenced are appended to `freed`
  // (delete them after the commit). NotFound when the bucket is gone.
  Status PutObject(ObjectRecord& record, std::vector<std::string>* freed);
  // The simple DELETE. Unversioned bucket: removes the key's (null) version. Enabled: adds a
  // delete marker under `fresh_version_id`. Suspended: removes the null version and adds a
  // marker with the null id. NotFound when the bucket is gone.
  Result<DeleteOutcome> DeleteObject(const std::string& bucket, const std::string& key,
                                     const std::string& fresh_version_id, int64_t now_ms,
                                     std::vector<std::string>* freed);
  // Removes one version for good (removed=false when absent); the next newest version, if
  // any, becomes the latest (`promote` false: the caller knows there is none).
  Result<DeleteOutcome> DeleteVersion(const std::string& bucket, const std::string& key,
                                      const std::string& version_id,
                                      std::vector<std::string>* freed, bool promote = true);
  // Up to `limit` latest non-marker versions of `bucket`'s keys in binary order with
  // lower <= key (or < when !lower_inclusive) and key < upper (no upper bound when empty).
  Result<std::vector<ListEntry>> ListObjects(const std::string& bucket, const std::string& lower,
                                             bool lower_inclusive, const std::string& upper,
                                             int limit);
  // Up to `limit` versions and markers in listing order (key, then newest first), starting
  // with the versions of `key` older than `below_id` and going on with the keys after `key`,
  // below `upper` (no bound when empty).
  Result<std::vector<ListEntry>> ListVersions(const std::string& bucket, const std::string& key,
                                              int64_t below_id, const std::string& upper, int limit);
  // Does the bucket hold any version or delete marker?
  Result<bool> BucketHasObjects(const std::string& bucket);

  // Multipart uploads. PutPart replaces the same part number (old blob to `freed`).
  // DeleteUpload drops the upload and its parts; blobs of parts not in `keep` go to `freed`.
  Status CreateUpload(const UploadRecord& upload);
  Result<std::optional<UploadRecord>> FindUpload(const std::string& upload_id);
  Result<std::vector<UploadRecord>> ListUploads(const std::string& bucket);
  Status PutPart(const std::string& upload_id, const PartRecord& part,
                 std::vector<std::string>* freed);
  Result<std::vector<PartRecord>> ListParts(const std::string& upload_id);
  Status DeleteUpload(const std::string& upload_id, const std::unordered_set<std::string>& keep,
                      std::vector<std::string>* freed);

  // The module's migration steps (tests build older schemas from them).
  static const std::vector<std::string>& TestMigrationSteps();

  // Every blob id a row refers to (start-up clean-up of bodies whose rows never committed).
  Result<std::unordered_set<std::string>> ReferencedBlobs();

 private:
  Status LoadSegments(ObjectRecord& record);
  Result<std::optional<ObjectRecord>> ReadObject(const std::string& sql, const std::string& bucket,
                                                 const std::string& key, const std::string& third);
  Result<std::string> BucketVersioning(const std::string& bucket);
  // `others_may_exist` false: the key can have no version but a null one already removed
  // (a bucket never versioned), so there is no latest flag to clear.
  Status InsertVersion(ObjectRecord& record, bool others_may_exist = true);
  // Removes the row `id` and its segments (blobs to `freed`).
  Status RemoveRow(int64_t id, std::vector<std::string>* freed);
  Status ClearLatest(const std::string& bucket, const std::string& key);
  storage::Db& db_;
  // Committed bucket rows by name: every request reads its bucket, a PUT three times. Filled
  // only outside a transaction (so never with a change that may yet roll back); every bucket
  // change drops its entry before it runs.
  std::unordered_map<std::string, BucketRecord> buckets_;
};

}  // namespace stratus::triggers::objects
