#include "triggers/objects/objects_store.h"

#include <nlohmann/json.hpp>

#include "emulator/util/json_writer.h"

namespace stratus::triggers::objects {
namespace {

const std::vector<std::string>& Steps() {
  static const std::vector<std::string> steps = {
      "CREATE TABLE objects_buckets (name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL,"
      "  notification TEXT NOT NULL DEFAULT '');"
      "CREATE TABLE objects_objects (id INTEGER PRIMARY KEY, bucket TEXT NOT NULL,"
      "  key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
      "  last_modified_ms INTEGER NOT NULL, attrs TEXT NOT NULL, inline_body BLOB,"
      "  UNIQUE (bucket, key));"
      "CREATE TABLE objects_segments (object_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
      "  blob_id TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (object_id, idx));"
      "CREATE TABLE objects_uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL,"
      "  key TEXT NOT NULL, initiated_ms INTEGER NOT NULL, attrs TEXT NOT NULL,"
      "  checksum_algorithm TEXT NOT NULL);"
      "CREATE TABLE objects_parts (upload_id TEXT NOT NULL, number INTEGER NOT NULL,"
      "  blob_id TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
      "  checksum TEXT NOT NULL, last_modified_ms INTEGER NOT NULL,"
      "  PRIMARY KEY (upload_id, number));",
      // Versioning: every object becomes a version; the objects already stored are the null
      // versions of their keys, as S3 treats objects written before versioning was enabled.
      // Row ids are kept, so segments still point at their objects.
      "ALTER TABLE objects_buckets ADD COLUMN versioning TEXT NOT NULL DEFAULT '';"
      "CREATE TABLE objects_versions (id INTEGER PRIMARY KEY, bucket TEXT NOT NULL,"
      "  key TEXT NOT NULL, version_id TEXT NOT NULL, is_latest INTEGER NOT NULL,"
      "  delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
      "  last_modified_ms INTEGER NOT NULL, attrs TEXT NOT NULL, inline_body BLOB);"
      "INSERT INTO objects_versions (id, bucket, key, version_id, is_latest, delete_marker, size,"
      "  etag, last_modified_ms, attrs, inline_body)"
      "  SELECT id, bucket, key, 'null', 1, 0, size, etag, last_modified_ms, attrs, inline_body"
      "  FROM objects_objects;"
      "DROP TABLE objects_objects;"
      "ALTER TABLE objects_versions RENAME TO objects_objects;"
      // One latest version per key; listings of current objects walk this index alone.
      "CREATE UNIQUE INDEX objects_latest ON objects_objects (bucket, key) WHERE is_latest = 1;"
      // Also finds a version by id: a key has few versions, so no (bucket, key, version_id)
      // index is kept; every PUT would have paid for it.
      "CREATE INDEX objects_history ON objects_objects (bucket, key, id DESC);",
  };
  return steps;
}

void WritePairs(JsonWriter& out, std::string_view name,
                const std::vector<std::pair<std::string, std::string>>& pairs) {
  out.Key(name).BeginArray();
  for (const auto& [k, v] : pairs) out.BeginArray().String(k).String(v).EndArray();
  out.EndArray();
}

std::vector<std::pair<std::string, std::string>> PairsFromJson(const nlohmann::json& j) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!j.is_array()) return out;
  for (const auto& p : j) {
    if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
      out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    }
  }
  return out;
}

}  // namespace

std::string ObjectAttributes::ToJson() const {
  // Written on every PUT: straight into text, keys in the order nlohmann::json would sort them.
  JsonWriter out;
  out.BeginObject();
  WritePairs(out, "c", checksums);
  WritePairs(out, "h", headers);
  WritePairs(out, "m", metadata);
  out.Member("p", int64_t(parts_count));
  return out.EndObject().Take();
}

ObjectAttributes ObjectAttributes::FromJson(const std::string& json) {
  ObjectAttributes out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  out.headers = PairsFromJson(j.value("h", nlohmann::json()));
  out.metadata = PairsFromJson(j.value("m", nlohmann::json()));
  out.checksums = PairsFromJson(j.value("c", nlohmann::json()));
  out.parts_count = j.value("p", 0);
  return out;
}

Status ObjectStore::Migrate() { return db_.Migrate("objects", Steps()); }

const std::vector<std::string>& ObjectStore::TestMigrationSteps() { return Steps(); }

Status ObjectStore::CreateBucket(const std::string& name, int64_t now_ms) {
  buckets_.erase(name);
  auto stmt = db_.Prepare("INSERT INTO objects_buckets (name, created_ms) VALUES (?, ?)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->BindAll(name, now_ms).Run();
}

Result<std::optional<BucketRecord>> ObjectStore::FindBucket(const std::string& name) {
  if (auto cached = buckets_.find(name); cached != buckets_.end()) {
    return std::optional<BucketRecord>(cached->second);
  }
  auto stmt = db_.Prepare(
      "SELECT name, created_ms, notification, versioning FROM objects_buckets WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(name);
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<BucketRecord>();
  BucketRecord b{(*stmt)->Text(0), (*stmt)->Int64(1), (*stmt)->Text(2), (*stmt)->Text(3)};
  (*stmt)->Reset();
  if (!db_.InTransaction()) buckets_.emplace(name, b);
  return std::optional<BucketRecord>(std::move(b));
}

Result<std::vector<BucketRecord>> ObjectStore::ListBuckets() {
  auto stmt = db_.Prepare(
      "SELECT name, created_ms, notification, versioning FROM objects_buckets ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  std::vector<BucketRecord> out;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({(*stmt)->Text(0), (*stmt)->Int64(1), (*stmt)->Text(2), (*stmt)->Text(3)});
  }
  return out;
}

Status ObjectStore::DeleteBucket(const std::string& name, std::vector<std::string>* freed) {
  buckets_.erase(name);
  auto has = BucketHasObjects(name);
  if (!has.ok()) return has.status();
  if (*has) return Status::FailedPrecondition("bucket not empty");
  auto uploads = ListUploads(name);
  if (!uploads.ok()) return uploads.status();
  for (const auto& u : *uploads) STRATUS_RETURN_IF_ERROR(DeleteUpload(u.upload_id, {}, freed));
  auto stmt = db_.Prepare("DELETE FROM objects_buckets WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  STRATUS_RETURN_IF_ERROR((*stmt)->BindAll(name).Run());
  return db_.Changes() == 0 ? Status::NotFound("no bucket " + name) : Status::Ok();
}

Status ObjectStore::SetNotification(const std::string& bucket, const std::string& json) {
  buckets_.erase(bucket);
  auto stmt = db_.Prepare("UPDATE objects_buckets SET notification = ? WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  STRATUS_RETURN_IF_ERROR((*stmt)->BindAll(json, bucket).Run());
  return db_.Changes() == 0 ? Status::NotFound("no bucket " + bucket) : Status::Ok();
}

Result<bool> ObjectStore::BucketHasObjects(const std::string& bucket) {
  auto stmt = db_.Prepare("SELECT 1 FROM objects_objects WHERE bucket = ? LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  auto row = (*stmt)->BindAll(bucket).Step();
  if (!row.ok()) return row.status();
  if (*row) (*stmt)->Reset();
  return *row;
}

Status ObjectStore::LoadSegments(ObjectRecord& record) {
  auto stmt = db_.Prepare(
      "SELECT blob_id, size FROM objects_segments WHERE object_id = ? ORDER BY idx");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(record.id);
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    record.segments.push_back({(*stmt)->Text(0), uint64_t((*stmt)->Int64(1))});
  }
}

Result<std::vector<ListEntry>> ObjectStore::ListObjects(const std::string& bucket,
                                                        const std::string& lower,
                                                        bool lower_inclusive,
                                                        const std::string& upper, int limit) {
  // The partial index holds current versions only; without statistics SQLite would walk every
  // version of a versioned bucket instead.
  std::string sql = "SELECT key, size, etag, last_modified_ms FROM objects_objects "
                    "INDEXED BY objects_latest "
                    "WHERE bucket = ?1 AND is_latest = 1 AND delete_marker = 0 AND key ";
  sql += lower_inclusive ? ">= ?2" : "> ?2";
  if (!upper.empty()) sql += " AND key < ?3";
  sql += " ORDER BY key LIMIT ?4";
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, bucket).Bind(2, lower).Bind(4, limit);
  if (!upper.empty()) (*stmt)->Bind(3, upper);
  std::vector<ListEntry> out;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({(*stmt)->Text(0), uint64_t((*stmt)->Int64(1)), (*stmt)->Text(2),
                   (*stmt)->Int64(3)});
  }
}

Status ObjectStore::CreateUpload(const UploadRecord& upload) {
  auto stmt = db_.Prepare(
      "INSERT INTO objects_uploads (upload_id, bucket, key, initiated_ms, attrs, "
      "checksum_algorithm) VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->BindAll(upload.upload_id, upload.bucket, upload.key, upload.initiated_ms,
                upload.attributes.ToJson(), upload.checksum_algorithm)
      .Run();
}

namespace {
UploadRecord UploadFromRow(const storage::Statement& s) {
  UploadRecord u;
  u.upload_id = s.Text(0);
  u.bucket = s.Text(1);
  u.key = s.Text(2);
  u.initiated_ms = s.Int64(3);
  u.attributes = ObjectAttributes::FromJson(s.Text(4));
  u.checksum_algorithm = s.Text(5);
  return u;
}
constexpr const char* kUploadColumns =
    "SELECT upload_id, bucket, key, initiated_ms, attrs, checksum_algorithm FROM objects_uploads ";
}  // namespace

Result<std::optional<UploadRecord>> ObjectStore::FindUpload(const std::string& upload_id) {
  auto stmt = db_.Prepare(std::string(kUploadColumns) + "WHERE upload_id = ?");
  if (!stmt.ok()) return stmt.status();
  auto row = (*stmt)->BindAll(upload_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<UploadRecord>();
  UploadRecord u = UploadFromRow(**stmt);
  (*stmt)->Reset();
  return std::optional<UploadRecord>(std::move(u));
}

Result<std::vector<UploadRecord>> ObjectStore::ListUploads(const std::string& bucket) {
  auto stmt = db_.Prepare(std::string(kUploadColumns) +
                          "WHERE bucket = ? ORDER BY key, initiated_ms, upload_id");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(bucket);
  std::vector<UploadRecord> out;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(UploadFromRow(**stmt));
  }
}

Status ObjectStore::PutPart(const std::string& upload_id, const PartRecord& part,
                            std::vector<std::string>* freed) {
  auto old = db_.Prepare("SELECT blob_id FROM objects_parts WHERE upload_id = ? AND number = ?");
  if (!old.ok()) return old.status();
  auto row = (*old)->BindAll(upload_id, part.number).Step();
  if (!row.ok()) return row.status();
  if (*row) {
    freed->push_back((*old)->Text(0));
    (*old)->Reset();
  }
  auto stmt = db_.Prepare(
      "INSERT OR REPLACE INTO objects_parts (upload_id, number, blob_id, size, etag, checksum, "
      "last_modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->BindAll(upload_id, part.number, part.blob_id, part.size, part.etag, part.checksum,
                part.last_modified_ms)
      .Run();
}

Result<std::vector<PartRecord>> ObjectStore::ListParts(const std::string& upload_id) {
  auto stmt = db_.Prepare(
      "SELECT number, blob_id, size, etag, checksum, last_modified_ms FROM objects_parts "
      "WHERE upload_id = ? ORDER BY number");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(upload_id);
  std::vector<PartRecord> out;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    auto& s = **stmt;
    out.push_back({int(s.Int64(0)), s.Text(1), uint64_t(s.Int64(2)), s.Text(3), s.Text(4),
                   s.Int64(5)});
  }
}

Status ObjectStore::DeleteUpload(const std::string& upload_id,
                                 const std::unordered_set<std::string>& keep,
                                 std::vector<std::string>* freed) {
  auto parts = ListParts(upload_id);
  if (!parts.ok()) return parts.status();
  for (const auto& p : *parts) {
    if (keep.count(p.blob_id) == 0) freed->push_back(p.blob_id);
  }
  for (const char* sql : {"DELETE FROM objects_parts WHERE upload_id = ?",
                          "DELETE FROM objects_uploads WHERE upload_id = ?"}) {
    auto del = db_.Prepare(sql);
    if (!del.ok()) return del.status();
    STRATUS_RETURN_IF_ERROR((*del)->BindAll(upload_id).Run());
  }
  return Status::Ok();
}

Result<std::unordered_set<std::string>> ObjectStore::ReferencedBlobs() {
  std::unordered_set<std::string> ids;
  for (const char* sql : {"SELECT blob_id FROM objects_segments",
                          "SELECT blob_id FROM objects_parts"}) {
    auto stmt = db_.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ids.insert((*stmt)->Text(0));
    }
  }
  return ids;
}

}  // namespace stratus::triggers::objects
