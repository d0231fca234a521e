// Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload (the
// md5-of-md5s-N ETag), AbortMultipartUpload, ListParts, ListMultipartUploads. A completed
// object is its parts' blobs in order; nothing is copied.
#include <unordered_set>

#include "emulator/emulator.h"
#include "emulator/util/base64.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_checks.h"
#include "triggers/objects/objects_chunked.h"

namespace stratus::triggers::objects {
namespace {

constexpr int kMaxPartNumber = 10000;
constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;

// The part number of ?partNumber=N, or 0 when invalid.
int PartNumber(const Call& call) {
  std::string text = call.Query("partNumber");
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
  int n = std::atoi(text.c_str());
  return n >= 1 && n <= kMaxPartNumber ? n : 0;
}

// The composite checksum S3 gives a multipart object: the checksum of the parts' raw
// checksums, then "-N".
std::string CompositeChecksum(ChecksumAlgorithm algorithm, const std::vector<PartRecord>& parts) {
  std::string raw;
  for (const auto& p : parts) {
    auto decoded = Base64Decode(p.checksum);
    if (!decoded) return "";
    raw += *decoded;
  }
  return Base64Encode(ChecksumOf(algorithm, raw)) + "-" + std::to_string(parts.size());
}

}  // namespace

void ObjectsTrigger::CreateMultipartUpload(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  if (call->target.key.size() > 1024) {
    Fail(call, errors::KeyTooLong());
    return;
  }
  UploadRecord upload;
  std::string algorithm = call->Header("x-amz-checksum-algorithm");
  if (!algorithm.empty()) {
    auto a = ParseChecksumAlgorithm(algorithm);
    if (!a) {
      Fail(call, errors::InvalidRequest("Checksum algorithm provided is unsupported."));
      return;
    }
    upload.checksum_algorithm = std::string(ChecksumName(*a));
  }
  upload.upload_id = emulator_->random().Hex(32);
  upload.bucket = call->target.bucket;
  upload.key = call->target.key;
  upload.initiated_ms = NowMs();
  upload.attributes = AttributesFromRequest(*call->request);
  Commit([upload](ObjectStore& store, std::vector<std::string>*) { return store.CreateUpload(upload); },
         [this, call, upload](Status s) {
           if (!s.ok()) {
             Fail(call, FromStatus(s));
             return;
           }
           XmlWriter xml("InitiateMultipartUploadResult");
           xml.Leaf("Bucket", upload.bucket).Leaf("Key", upload.key).Leaf("UploadId", upload.upload_id);
           http::Response response;
           response.body = xml.Finish();
           response.headers.Add("Content-Type", "application/xml");
           if (!upload.checksum_algorithm.empty()) {
             response.headers.Add("x-amz-checksum-algorithm", upload.checksum_algorithm);
           }
           Send(call, std::move(response));
         });
}

std::optional<UploadRecord> ObjectsTrigger::FindPartUpload(const CallPtr& call, int* number) {
  if (!RequireBucket(call)) return std::nullopt;
  *number = PartNumber(*call);
  if (*number == 0) {
    Fail(call, errors::InvalidArgument("Part number must be an integer between 1 and 10000, inclusive")
                   .With("ArgumentName", "partNumber"));
    return std::nullopt;
  }
  std::string upload_id = call->Query("uploadId");
  auto upload = store_->FindUpload(upload_id);
  if (!upload.ok() || !*upload || (*upload)->bucket != call->target.bucket ||
      (*upload)->key != call->target.key) {
    Fail(call, upload.ok() ? errors::NoSuchUpload(upload_id) : FromStatus(upload.status()));
    return std::nullopt;
  }
  return std::move(upload.value());
}

void ObjectsTrigger::UploadPart(const CallPtr& call) {
  if (call->HasHeader("x-amz-copy-source")) {
    ReadSmallBody(call, &ObjectsTrigger::UploadPartCopy);
    return;
  }
  int number = 0;
  auto upload = FindPartUpload(call, &number);
  if (!upload) return;
  IngestOptions options;
  options.allow_inline = false;  // a completed object is its parts' blobs
  options.aws_chunked = IsAwsChunked(*call->request);
  S3Error error;
  if (!ChecksumsRequested(*call->request, &options.algorithms, &error)) {
    Fail(call, error);
    return;
  }
  if (auto a = ParseChecksumAlgorithm(upload->checksum_algorithm);
      a && std::find(options.algorithms.begin(), options.algorithms.end(), *a) == options.algorithms.end()) {
    options.algorithms.push_back(*a);
  }
  options.fresh = fresh_;
  IngestBody(emulator_->blobs(), call->request->body_stream, std::move(options),
             [this, call, number, upload = *upload](Result<IngestResult> body) {
    if (!body.ok()) {
      Fail(call, body.status().code() == Status::Code::kResourceExhausted
                     ? errors::EntityTooLarge(kMaxObjectSize) : FromStatus(body.status()));
      return;
    }
    std::vector<std::pair<std::string, std::string>> checksums;
    S3Error error;
    if (!VerifyBody(*call->request, *body, &checksums, &error)) {
      RemoveBlobs(emulator_->blobs(), {body->blob->id});
      Fail(call, error);
      return;
    }
    StorePart(call, number, upload, std::move(body.value()), [this, call, checksums](const PartRecord& part) {
      http::Response response;
      response.headers.Add("ETag", "\"" + part.etag + "\"");
      for (const auto& [name, value] : checksums) response.headers.Add(name, value);
      Send(call, std::move(response));
    });
  });
}

void ObjectsTrigger::StorePart(const CallPtr& call, int number, const UploadRecord& upload,
                               IngestResult body, std::function<void(const PartRecord&)> reply) {
  PartRecord part{number, body.blob->id, body.blob->size, body.digests.Md5Hex(), "", NowMs()};
  if (auto a = ParseChecksumAlgorithm(upload.checksum_algorithm)) {
    part.checksum = Base64Encode(body.digests.checksums[*a]);
  }
  std::string upload_id = upload.upload_id;
  Commit([upload_id, part](ObjectStore& store, std::vector<std::string>* freed) -> Status {
           auto upload = store.FindUpload(upload_id);
           if (!upload.ok()) return upload.status();
           if (!*upload) return Status::NotFound("upload");
           return store.PutPart(upload_id, part, freed);
         },
         [this, call, part, upload_id, reply = std::move(reply)](Status s) {
           if (!s.ok()) {
             RemoveBlobs(emulator_->blobs(), {part.blob_id});
             Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchUpload(upload_id) : FromStatus(s));
             return;
           }
           reply(part);
         });
}

void ObjectsTrigger::CompleteMultipartUpload(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string upload_id = call->Query("uploadId");
  auto upload = store_->FindUpload(upload_id);
  if (!upload.ok() || !*upload || (*upload)->key != call->target.key) {
    Fail(call, upload.ok() ? errors::NoSuchUpload(upload_id) : FromStatus(upload.status()));
    return;
  }
  auto doc = ParseXml(call->body);
  if (!doc.ok() || doc->name != "CompleteMultipartUpload") {
    Fail(call, errors::MalformedXML(doc.ok() ? "expected CompleteMultipartUpload" : doc.status().message()));
    return;
  }
  auto stored = store_->ListParts(upload_id);
  if (!stored.ok()) {
    Fail(call, FromStatus(stored.status()));
    return;
  }
  std::map<int, PartRecord> by_number;
  for (auto& p : *stored) by_number[p.number] = p;
  std::vector<PartRecord> chosen;
  for (const XmlNode* node : doc->Children("Part")) {
    int number = std::atoi(node->ChildText("PartNumber").c_str());
    if (!chosen.empty() && number <= chosen.back().number) {
      Fail(call, errors::InvalidPartOrder());
      return;
    }
    auto it = by_number.find(number);
    if (it == by_number.end() || Unquote(node->ChildText("ETag")) != it->second.etag) {
      Fail(call, errors::InvalidPart("part " + std::to_string(number)));
      return;
    }
    chosen.push_back(it->second);
  }
  if (chosen.empty()) {
    Fail(call, errors::MalformedXML("no parts"));
    return;
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i].size < kMinPartSize) {
      Fail(call, errors::EntityTooSmall().With("PartNumber", std::to_string(chosen[i].number)));
      return;
    }
  }
  auto record = std::make_shared<ObjectRecord>();
  record->bucket = (*upload)->bucket;
  record->key = (*upload)->key;
  record->attributes = (*upload)->attributes;
  record->attributes.parts_count = int(chosen.size());
  std::string md5s;
  std::unordered_set<std::string> keep;
  for (const auto& p : chosen) {
    md5s += *HexDecode(p.etag);
    record->size += p.size;
    record->segments.push_back({p.blob_id, p.size});
    keep.insert(p.blob_id);
  }
  record->etag = HexEncode(Md5(md5s)) + "-" + std::to_string(chosen.size());
  if (auto a = ParseChecksumAlgorithm((*upload)->checksum_algorithm)) {
    std::string composite = CompositeChecksum(*a, chosen);
    if (!composite.empty()) record->attributes.checksums.emplace_back(ChecksumHeader(*a), composite);
  }
  record->last_modified_ms = NowMs();
  record->version_id = NewVersionId();
  Commit([record, upload_id, keep](ObjectStore& store, std::vector<std::string>* freed) -> Status {
           auto still = store.FindUpload(upload_id);
           if (!still.ok()) return still.status();
           if (!*still) return Status::NotFound("upload");
           STRATUS_RETURN_IF_ERROR(store.DeleteUpload(upload_id, keep, freed));
           return store.PutObject(*record, freed);
         },
         [this, call, record, upload_id](Status s) {
           if (!s.ok()) {
             Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchUpload(upload_id) : FromStatus(s));
             return;
           }
           XmlWriter xml("CompleteMultipartUploadResult");
           xml.Leaf("Location", "/" + record->bucket + "/" + record->key);
           xml.Leaf("Bucket", record->bucket).Leaf("Key", record->key);
           xml.Leaf("ETag", "\"" + record->etag + "\"");
           Emit(call, "ObjectCreated:CompleteMultipartUpload", record->key, record->size, record->etag,
                record->version_id);
           http::Response response;
           response.body = xml.Finish();
           response.headers.Add("Content-Type", "application/xml");
           AddVersionHeader(record->bucket, record->version_id, &response);
           Send(call, std::move(response));
         });
}

void ObjectsTrigger::AbortMultipartUpload(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string upload_id = call->Query("uploadId");
  Commit([upload_id](ObjectStore& store, std::vector<std::string>* freed) -> Status {
           auto upload = store.FindUpload(upload_id);
           if (!upload.ok()) return upload.status();
           if (!*upload) return Status::NotFound("upload");
           return store.DeleteUpload(upload_id, {}, freed);
         },
         [this, call, upload_id](Status s) {
           if (!s.ok()) {
             Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchUpload(upload_id) : FromStatus(s));
             return;
           }
           http::Response response;
           response.status = 204;
           Send(call, std::move(response));
         });
}

void ObjectsTrigger::ListParts(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string upload_id = call->Query("uploadId");
  auto upload = store_->FindUpload(upload_id);
  if (!upload.ok() || !*upload) {
    Fail(call, upload.ok() ? errors::NoSuchUpload(upload_id) : FromStatus(upload.status()));
    return;
  }
  auto parts = store_->ListParts(upload_id);
  if (!parts.ok()) {
    Fail(call, FromStatus(parts.status()));
    return;
  }
  int marker = std::atoi(call->Query("part-number-marker").c_str());
  int max_parts = call->Has("max-parts") ? std::clamp(std::atoi(call->Query("max-parts").c_str()), 0, 1000) : 1000;
  XmlWriter xml("ListPartsResult");
  xml.Leaf("Bucket", (*upload)->bucket).Leaf("Key", (*upload)->key).Leaf("UploadId", upload_id);
  xml.Leaf("PartNumberMarker", std::to_string(marker));
  int listed = 0, last = marker;
  bool truncated = false;
  for (const auto& p : *parts) {
    if (p.number <= marker) continue;
    if (listed == max_parts) {
      truncated = true;
      break;
    }
    xml.Open("Part").Leaf("PartNumber", std::to_string(p.number));
    xml.Leaf("LastModified", IsoTimeUtc(p.last_modified_ms)).Leaf("ETag", "\"" + p.etag + "\"");
    xml.Leaf("Size", std::to_string(p.size));
    if (!p.checksum.empty()) xml.Leaf("Checksum" + (*upload)->checksum_algorithm, p.checksum);
    xml.Close();
    ++listed;
    last = p.number;
  }
  xml.Leaf("NextPartNumberMarker", std::to_string(last)).Leaf("MaxParts", std::to_string(max_parts));
  xml.Leaf("IsTruncated", truncated ? "true" : "false").Leaf("StorageClass", "STANDARD");
  SendXml(call, 200, xml.Finish());
}

namespace {

struct UploadPage {
  std::vector<const UploadRecord*> uploads;
  std::vector<std::string> prefixes;
  bool truncated = false;
};

// The uploads after (key_marker, upload_id_marker) in listing order (key, then initiation),
// grouped under common prefixes, `max` entries at most.
UploadPage PageOfUploads(const std::vector<UploadRecord>& all, const std::string& prefix,
                         const std::string& delimiter, const std::string& key_marker,
                         const std::string& upload_id_marker, int max) {
  UploadPage page;
  size_t start = 0;
  // S3: with upload-id-marker, uploads of key-marker itself after that upload come too.
  while (start < all.size() && (all[start].key < key_marker ||
                                (all[start].key == key_marker && upload_id_marker.empty()))) {
    ++start;
  }
  if (!upload_id_marker.empty()) {
    size_t at = start;
    while (at < all.size() && all[at].key == key_marker && all[at].upload_id != upload_id_marker) ++at;
    if (at < all.size() && all[at].key == key_marker) {
      start = at + 1;
    } else {  // an unknown marker: S3 compares upload ids
      while (start < all.size() && all[start].key == key_marker &&
             all[start].upload_id <= upload_id_marker) {
        ++start;
      }
    }
  }
  for (size_t i = start; i < all.size(); ++i) {
    const UploadRecord& u = all[i];
    if (u.key.compare(0, prefix.size(), prefix) != 0) continue;
    // A key marker that is a common prefix (the last page ended on it) covers its keys.
    if (!delimiter.empty() && key_marker.ends_with(delimiter) && u.key.starts_with(key_marker)) continue;
    std::string common = CommonPrefix(u.key, prefix, delimiter);
    if (!common.empty() && (!page.prefixes.empty() && page.prefixes.back() == common)) continue;
    if (static_cast<int>(page.uploads.size() + page.prefixes.size()) == max) {
      page.truncated = true;
      break;
    }
    if (common.empty()) page.uploads.push_back(&u);
    else page.prefixes.push_back(common);
  }
  return page;
}

}  // namespace

void ObjectsTrigger::ListMultipartUploads(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  int max = 1000;
  bool url = false;
  S3Error error;
  if (!ReadListLimit(*call, "max-uploads", &max, &error) || !ReadEncoding(*call, &url, &error)) {
    Fail(call, error);
    return;
  }
  auto uploads = store_->ListUploads(call->target.bucket);
  if (!uploads.ok()) {
    Fail(call, FromStatus(uploads.status()));
    return;
  }
  std::string prefix = call->Query("prefix"), delimiter = call->Query("delimiter");
  std::string key_marker = call->Query("key-marker"), id_marker = call->Query("upload-id-marker");
  UploadPage page = PageOfUploads(*uploads, prefix, delimiter, key_marker, id_marker, max);
  auto enc = [url](const std::string& text) { return KeyText(text, url); };
  XmlWriter xml("ListMultipartUploadsResult");
  xml.Leaf("Bucket", call->target.bucket).Leaf("KeyMarker", enc(key_marker));
  xml.Leaf("UploadIdMarker", id_marker);
  // The next page starts after the last upload or common prefix listed, whichever is later.
  std::string next_key, next_id;
  if (!page.uploads.empty()) {
    next_key = page.uploads.back()->key;
    next_id = page.uploads.back()->upload_id;
  }
  if (!page.prefixes.empty() && page.prefixes.back() > next_key) {
    next_key = page.prefixes.back();
    next_id.clear();
  }
  xml.Leaf("NextKeyMarker", enc(next_key)).Leaf("NextUploadIdMarker", next_id);
  if (!delimiter.empty()) xml.Leaf("Delimiter", enc(delimiter));
  xml.Leaf("Prefix", enc(prefix)).Leaf("MaxUploads", std::to_string(max));
  xml.Leaf("IsTruncated", page.truncated ? "true" : "false");
  for (const UploadRecord* u : page.uploads) {
    xml.Open("Upload").Leaf("Key", enc(u->key)).Leaf("UploadId", u->upload_id);
    xml.Open("Initiator").Leaf("ID", emulator_->project().account).Leaf("DisplayName", "stratus").Close();
    xml.Open("Owner").Leaf("ID", emulator_->project().account).Leaf("DisplayName", "stratus").Close();
    xml.Leaf("StorageClass", "STANDARD").Leaf("Initiated", IsoTimeUtc(u->initiated_ms));
    if (!u->checksum_algorithm.empty()) xml.Leaf("ChecksumAlgorithm", u->checksum_algorithm);
    xml.Close();
  }
  for (const auto& p : page.prefixes) xml.Open("CommonPrefixes").Leaf("Prefix", enc(p)).Close();
  if (url) xml.Leaf("EncodingType", "url");
  SendXml(call, 200, xml.Finish());
}

}  // namespace stratus::triggers::objects
