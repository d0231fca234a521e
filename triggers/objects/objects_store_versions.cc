// ObjectStore's versions: finding, writing and removing object versions and delete markers,
// and listing them (see objects_store.h for the model).
#include <span>

#include "triggers/objects/objects_store.h"

namespace stratus::triggers::objects {
namespace {

constexpr const char* kVersionColumns =
    "SELECT id, size, etag, last_modified_ms, attrs, inline_body IS NOT NULL, inline_body, "
    "version_id, is_latest, delete_marker FROM objects_objects ";

constexpr const char* kEnabled = "Enabled";

}  // namespace

Status ObjectStore::SetVersioning(const std::string& bucket, const std::string& status) {
  buckets_.erase(bucket);
  auto stmt = db_.Prepare("UPDATE objects_buckets SET versioning = ? WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  STRATUS_RETURN_IF_ERROR((*stmt)->BindAll(status, bucket).Run());
  return db_.Changes() == 0 ? Status::NotFound("no bucket " + bucket) : Status::Ok();
}

Result<std::string> ObjectStore::BucketVersioning(const std::string& bucket) {
  auto found = FindBucket(bucket);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("bucket");
  return (*found)->versioning;
}

Result<std::optional<ObjectRecord>> ObjectStore::ReadObject(const std::string& sql,
                                                            const std::string& bucket,
                                                            const std::string& key,
                                                            const std::string& third) {
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(bucket, key);
  if (!third.empty()) (*stmt)->Bind(3, third);
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ObjectRecord>();
  const storage::Statement& s = **stmt;
  ObjectRecord r;
  r.id = s.Int64(0);
  r.bucket = bucket;
  r.key = key;
  r.size = uint64_t(s.Int64(1));
  r.etag = s.Text(2);
  r.last_modified_ms = s.Int64(3);
  r.attributes = ObjectAttributes::FromJson(s.Text(4));
  r.is_inline = s.Int64(5) != 0;
  if (r.is_inline) {
    auto blob = s.Blob(6);
    r.inline_body.assign(blob.begin(), blob.end());
  }
  r.version_id = s.Text(7);
  r.is_latest = s.Int64(8) != 0;
  r.delete_marker = s.Int64(9) != 0;
  (*stmt)->Reset();
  if (!r.is_inline && !r.delete_marker) STRATUS_RETURN_IF_ERROR(LoadSegments(r));
  return std::optional<ObjectRecord>(std::move(r));
}

Result<std::optional<ObjectRecord>> ObjectStore::FindObject(const std::string& bucket,
                                                            const std::string& key) {
  return ReadObject(std::string(kVersionColumns) + "WHERE bucket = ? AND key = ? AND is_latest = 1",
                    bucket, key, "");
}

Result<std::optional<ObjectRecord>> ObjectStore::FindVersion(const std::string& bucket,
                                                             const std::string& key,
                                                             const std::string& version_id) {
  return ReadObject(std::string(kVersionColumns) +
                        "WHERE bucket = ? AND key = ? AND version_id = ?",
                    bucket, key, version_id);
}

Status ObjectStore::RemoveRow(int64_t id, std::vector<std::string>* freed) {
  auto segs = db_.Prepare("SELECT blob_id FROM objects_segments WHERE object_id = ?");
  if (!segs.ok()) return segs.status();
  (*segs)->BindAll(id);
  for (;;) {
    auto seg = (*segs)->Step();
    if (!seg.ok()) return seg.status();
    if (!*seg) break;
    freed->push_back((*segs)->Text(0));
  }
  for (const char* sql : {"DELETE FROM objects_segments WHERE object_id = ?",
                          "DELETE FROM objects_objects WHERE id = ?"}) {
    auto del = db_.Prepare(sql);
    if (!del.ok()) return del.status();
    STRATUS_RETURN_IF_ERROR((*del)->BindAll(id).Run());
  }
  return Status::Ok();
}

Status ObjectStore::ClearLatest(const std::string& bucket, const std::string& key) {
  auto stmt = db_.Prepare(
      "UPDATE objects_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->BindAll(bucket, key).Run();
}

Status ObjectStore::InsertVersion(ObjectRecord& record, bool others_may_exist) {
  if (others_may_exist) STRATUS_RETURN_IF_ERROR(ClearLatest(record.bucket, record.key));
  auto stmt = db_.Prepare(
      "INSERT INTO objects_objects (bucket, key, version_id, is_latest, delete_marker, size, "
      "etag, last_modified_ms, attrs, inline_body) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(record.bucket, record.key, record.version_id, record.delete_marker ? 1 : 0,
                   record.size, record.etag, record.last_modified_ms, record.attributes.ToJson());
  if (record.is_inline) {
    (*stmt)->Bind(9, std::span<const uint8_t>(
                         reinterpret_cast<const uint8_t*>(record.inline_body.data()),
                         record.inline_body.size()));
  } else {
    (*stmt)->Bind(9, nullptr);
  }
  STRATUS_RETURN_IF_ERROR((*stmt)->Run());
  record.id = db_.LastInsertRowId();
  record.is_latest = true;
  auto seg = db_.Prepare(
      "INSERT INTO objects_segments (object_id, idx, blob_id, size) VALUES (?, ?, ?, ?)");
  if (!seg.ok()) return seg.status();
  for (size_t i = 0; i < record.segments.size(); ++i) {
    STRATUS_RETURN_IF_ERROR(
        (*seg)->BindAll(record.id, i, record.segments[i].blob_id, record.segments[i].size).Run());
  }
  return Status::Ok();
}

Status ObjectStore::PutObject(ObjectRecord& record, std::vector<std::string>* freed) {
  auto versioning = BucketVersioning(record.bucket);
  if (!versioning.ok()) return versioning.status();
  record.delete_marker = false;
  // In a bucket never versioned the null version is the key's only row: with it gone there
  // is no other to promote or to clear (the common PUT skips two statements).
  bool others_may_exist = !versioning->empty();
  if (*versioning != kEnabled) {
    record.version_id = kNullVersion;
    auto removed = DeleteVersion(record.bucket, record.key, kNullVersion, freed, others_may_exist);
    if (!removed.ok()) return removed.status();
  }
  return InsertVersion(record, others_may_exist);
}

Result<DeleteOutcome> ObjectStore::DeleteObject(const std::string& bucket, const std::string& key,
                                                const std::string& fresh_version_id,
                                                int64_t now_ms, std::vector<std::string>* freed) {
  auto versioning = BucketVersioning(bucket);
  if (!versioning.ok()) return versioning.status();
  if (versioning->empty()) return DeleteVersion(bucket, key, kNullVersion, freed);
  ObjectRecord marker;
  marker.bucket = bucket;
  marker.key = key;
  marker.delete_marker = true;
  marker.last_modified_ms = now_ms;
  marker.version_id = fresh_version_id;
  if (*versioning != kEnabled) {
    marker.version_id = kNullVersion;
    auto removed = DeleteVersion(bucket, key, kNullVersion, freed);
    if (!removed.ok()) return removed.status();
  }
  STRATUS_RETURN_IF_ERROR(InsertVersion(marker));
  DeleteOutcome outcome;
  outcome.marker_created = true;
  outcome.version_id = marker.version_id;
  return outcome;
}

Result<DeleteOutcome> ObjectStore::DeleteVersion(const std::string& bucket, const std::string& key,
                                                 const std::string& version_id,
                                                 std::vector<std::string>* freed,
                                                 bool promote) {
  DeleteOutcome outcome;
  outcome.version_id = version_id;
  auto find = db_.Prepare(
      "SELECT id, is_latest, delete_marker FROM objects_objects "
      "WHERE bucket = ? AND key = ? AND version_id = ?");
  if (!find.ok()) return find.status();
  auto row = (*find)->BindAll(bucket, key, version_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return outcome;
  int64_t id = (*find)->Int64(0);
  bool was_latest = (*find)->Int64(1) != 0;
  outcome.was_marker = (*find)->Int64(2) != 0;
  (*find)->Reset();
  STRATUS_RETURN_IF_ERROR(RemoveRow(id, freed));
  outcome.removed = true;
  if (was_latest && promote) {
    auto next = db_.Prepare(
        "UPDATE objects_objects SET is_latest = 1 WHERE id = (SELECT id FROM objects_objects "
        "WHERE bucket = ?1 AND key = ?2 ORDER BY id DESC LIMIT 1)");
    if (!next.ok()) return next.status();
    STRATUS_RETURN_IF_ERROR((*next)->BindAll(bucket, key).Run());
  }
  return outcome;
}

Result<std::vector<ListEntry>> ObjectStore::ListVersions(const std::string& bucket,
                                                         const std::string& key, int64_t below_id,
                                                         const std::string& upper, int limit) {
  std::vector<ListEntry> out;
  // Two range scans, each in one index's order: the rest of `key`, then the keys after it.
  for (bool same_key : {true, false}) {
    std::string sql =
        "SELECT id, key, version_id, is_latest, delete_marker, size, etag, last_modified_ms "
        "FROM objects_objects WHERE bucket = ?1 AND ";
    sql += same_key ? "key = ?2 AND id < ?3" : "key > ?2";
    if (!same_key && !upper.empty()) sql += " AND key < ?4";
    sql += " ORDER BY key, id DESC LIMIT ?5";
    auto stmt = db_.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    (*stmt)->Bind(1, bucket).Bind(2, key).Bind(5, limit - int(out.size()));
    if (same_key) (*stmt)->Bind(3, below_id);
    if (!same_key && !upper.empty()) (*stmt)->Bind(4, upper);
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const storage::Statement& s = **stmt;
      ListEntry e{s.Text(1), uint64_t(s.Int64(5)), s.Text(6), s.Int64(7)};
      e.id = s.Int64(0);
      e.version_id = s.Text(2);
      e.is_latest = s.Int64(3) != 0;
      e.delete_marker = s.Int64(4) != 0;
      out.push_back(std::move(e));
    }
    if (int(out.size()) >= limit) break;
  }
  return out;
}

}  // namespace stratus::triggers::objects
