// CopyObject and UploadPartCopy: x-amz-copy-source, the metadata directive, the copy-source
// conditions and (for parts) x-amz-copy-source-range.
#include "emulator/emulator.h"
#include "emulator/http/router.h"
#include "emulator/util/base64.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

// "/bucket/key" or "bucket/key", URL-encoded, maybe with ?versionId= (`version` is left
// empty without one; a query naming anything else is refused).
bool ParseCopySource(std::string_view header, std::string* bucket, std::string* key,
                     std::string* version, bool* has_version) {
  *has_version = false;
  if (size_t q = header.find('?'); q != std::string_view::npos) {
    std::string_view query = header.substr(q + 1);
    if (!query.starts_with("versionId=")) return false;
    if (!http::PercentDecode(query.substr(10), version)) return false;
    *has_version = true;
    header = header.substr(0, q);
  }
  std::string decoded;
  if (!http::PercentDecode(header, &decoded)) return false;
  std::string_view rest = decoded;
  if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return false;
  *bucket = std::string(rest.substr(0, slash));
  *key = std::string(rest.substr(slash + 1));
  return true;
}

std::vector<ChecksumAlgorithm> AlgorithmsOf(const ObjectAttributes& attrs) {
  std::vector<ChecksumAlgorithm> out;
  for (const auto& [header, value] : attrs.checksums) {
    for (ChecksumAlgorithm a : AllChecksumAlgorithms()) {
      if (ChecksumHeader(a) == header) out.push_back(a);
    }
  }
  return out;
}

// bytes=first-last, both zero-based and inclusive, within an object of `size` bytes.
bool ParseCopyRange(const std::string& text, uint64_t size, uint64_t* begin, uint64_t* end,
                    S3Error* error) {
  static const std::string kForm =
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
      "last are the zero-based offsets of the first and last bytes to copy";
  std::string_view v = text;
  size_t dash = v.find('-');
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 19 && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!v.starts_with("bytes=") || dash == std::string_view::npos || !digits(v.substr(6, dash - 6)) ||
      !digits(v.substr(dash + 1))) {
    *error = errors::InvalidArgument(kForm).With("ArgumentName", "x-amz-copy-source-range")
                 .With("ArgumentValue", text);
    return false;
  }
  uint64_t first = std::stoull(std::string(v.substr(6, dash - 6)));
  uint64_t last = std::stoull(std::string(v.substr(dash + 1)));
  if (first > last || last >= size) {
    *error = errors::InvalidArgument("Range specified is not valid for source object of size: " +
                                     std::to_string(size));
    return false;
  }
  *begin = first;
  *end = last + 1;
  return true;
}

// A copy's XML answer, naming the version copied when S3 would.
http::Response CopyResponse(const Call& call, std::string xml) {
  http::Response response;
  response.body = std::move(xml);
  response.headers.Add("Content-Type", "application/xml");
  if (!call.copy_source_version.empty()) {
    response.headers.Add("x-amz-copy-source-version-id", call.copy_source_version);
  }
  return response;
}

}  // namespace

std::shared_ptr<ObjectRecord> ObjectsTrigger::FindCopySource(const CallPtr& call) {
  std::string src_bucket, src_key, version;
  bool has_version = false;
  if (!ParseCopySource(call->Header("x-amz-copy-source"), &src_bucket, &src_key, &version,
                       &has_version)) {
    Fail(call, errors::InvalidArgument(
                   "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"));
    return nullptr;
  }
  if (has_version && !IsValidVersionId(version)) {
    Fail(call, InvalidVersionId(version));
    return nullptr;
  }
  auto bucket = store_->FindBucket(src_bucket);
  if (!bucket.ok() || !*bucket) {
    Fail(call, bucket.ok() ? errors::NoSuchBucket(src_bucket) : FromStatus(bucket.status()));
    return nullptr;
  }
  auto found = has_version ? store_->FindVersion(src_bucket, src_key, version)
                           : store_->FindObject(src_bucket, src_key);
  if (!found.ok() || !*found) {
    Fail(call, !found.ok()   ? FromStatus(found.status())
               : has_version ? errors::NoSuchVersion(src_key, version)
                             : errors::NoSuchKey(src_key));
    return nullptr;
  }
  if ((*found)->delete_marker) {
    Fail(call, has_version ? errors::InvalidRequest("The source of a copy request may not specifically "
                                                    "refer to a delete marker by version id.")
                           : errors::NoSuchKey(src_key));
    return nullptr;
  }
  if (has_version || !(*bucket)->versioning.empty()) call->copy_source_version = (*found)->version_id;
  auto source = std::make_shared<ObjectRecord>(std::move(**found));
  Conditions conditions{call->Header("x-amz-copy-source-if-match"),
                        call->Header("x-amz-copy-source-if-none-match"),
                        call->Header("x-amz-copy-source-if-modified-since"),
                        call->Header("x-amz-copy-source-if-unmodified-since")};
  std::string failed;
  if (EvaluateConditions(conditions, source->etag, source->last_modified_ms, &failed) !=
      ConditionResult::kProceed) {
    Fail(call, errors::PreconditionFailed("x-amz-copy-source-" + (failed.empty() ? "If-None-Match" : failed)));
    return nullptr;
  }
  return source;
}

void ObjectsTrigger::CopyObject(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string directive = call->Header("x-amz-metadata-directive");
  if (!directive.empty() && directive != "COPY" && directive != "REPLACE") {
    Fail(call, errors::InvalidArgument("Unknown metadata directive."));
    return;
  }
  bool replace = directive == "REPLACE";
  std::string src_bucket, src_key, version;
  bool has_version = false;
  // Copying a named version onto its own key is how S3 restores it, so only the latest
  // copied onto itself unchanged is refused.
  if (ParseCopySource(call->Header("x-amz-copy-source"), &src_bucket, &src_key, &version,
                      &has_version) &&
      src_bucket == call->target.bucket && src_key == call->target.key && !replace && !has_version) {
    Fail(call, errors::InvalidRequest(
                   "This copy request is illegal because it is trying to copy an object to itself "
                   "without changing the object's metadata, storage class, website redirect "
                   "location or encryption attributes."));
    return;
  }
  auto source = FindCopySource(call);
  if (!source) return;
  auto record = std::make_shared<ObjectRecord>();
  record->bucket = call->target.bucket;
  record->key = call->target.key;
  if (replace) {
    record->attributes = AttributesFromRequest(*call->request);
  } else {
    record->attributes.headers = source->attributes.headers;
    record->attributes.metadata = source->attributes.metadata;
  }
  std::vector<ChecksumAlgorithm> algorithms = AlgorithmsOf(source->attributes);
  if (auto a = ParseChecksumAlgorithm(call->Header("x-amz-checksum-algorithm"))) algorithms = {*a};
  auto finish = [this, call, record](Result<IngestResult> body) {
    if (!body.ok()) {
      Fail(call, FromStatus(body.status()));
      return;
    }
    record->size = body->digests.size;
    record->etag = body->digests.Md5Hex();
    record->last_modified_ms = NowMs();
    record->version_id = NewVersionId();
    for (const auto& [a, raw] : body->digests.checksums) {
      record->attributes.checksums.emplace_back(ChecksumHeader(a), Base64Encode(raw));
    }
    std::string new_blob;
    if (body->blob) {
      new_blob = body->blob->id;
      record->segments.push_back({body->blob->id, body->blob->size});
    } else {
      record->is_inline = true;
      record->inline_body = std::move(body->inline_body);
    }
    Commit([record](ObjectStore& store, std::vector<std::string>* freed) {
             return store.PutObject(*record, freed);
           },
           [this, call, record, new_blob](Status s) {
             if (!s.ok()) {
               if (!new_blob.empty()) RemoveBlobs(emulator_->blobs(), {new_blob});
               Fail(call, FromStatus(s));
               return;
             }
             XmlWriter xml("CopyObjectResult");
             xml.Leaf("LastModified", IsoTimeUtc(record->last_modified_ms));
             xml.Leaf("ETag", "\"" + record->etag + "\"");
             for (const auto& [header, value] : record->attributes.checksums) {
               std::string name = "Checksum" + header.substr(15);  // x-amz-checksum-crc32
               for (size_t i = 8; i < name.size(); ++i) name[i] = static_cast<char>(std::toupper(name[i]));
               xml.Leaf(name, value);
             }
             Emit(call, "ObjectCreated:Copy", record->key, record->size, record->etag,
                  record->version_id);
             http::Response response = CopyResponse(*call, xml.Finish());
             AddVersionHeader(record->bucket, record->version_id, &response);
             Send(call, std::move(response));
           });
  };
  if (source->is_inline) {
    BodyHasher hasher(algorithms);
    hasher.Update(source->inline_body);
    IngestResult body;
    body.digests = hasher.Finish();
    body.inline_body = source->inline_body;
    finish(std::move(body));
    return;
  }
  CopySegments(emulator_->blobs(), source->segments, std::move(algorithms), fresh_,
               std::move(finish));
}

void ObjectsTrigger::UploadPartCopy(const CallPtr& call) {
  int number = 0;
  auto upload = FindPartUpload(call, &number);
  if (!upload) return;
  auto source = FindCopySource(call);
  if (!source) return;
  uint64_t begin = 0, end = source->size;
  S3Error error;
  std::string range = call->Header("x-amz-copy-source-range");
  if (!range.empty() && !ParseCopyRange(range, source->size, &begin, &end, &error)) {
    Fail(call, error);
    return;
  }
  std::vector<ChecksumAlgorithm> algorithms;
  if (auto a = ParseChecksumAlgorithm(upload->checksum_algorithm)) algorithms = {*a};
  auto finish = [this, call, number, upload = *upload](Result<IngestResult> body) {
    if (!body.ok()) {
      Fail(call, FromStatus(body.status()));
      return;
    }
    StorePart(call, number, upload, std::move(body.value()), [this, call, upload](const PartRecord& part) {
      XmlWriter xml("CopyPartResult");
      xml.Leaf("LastModified", IsoTimeUtc(part.last_modified_ms));
      xml.Leaf("ETag", "\"" + part.etag + "\"");
      if (!part.checksum.empty()) xml.Leaf("Checksum" + upload.checksum_algorithm, part.checksum);
      Send(call, CopyResponse(*call, xml.Finish()));
    });
  };
  // A part is a blob of its own, even when cut from an object kept inline.
  CopySegments(emulator_->blobs(), source->is_inline ? std::vector<Segment>{} : source->segments,
               std::move(algorithms), fresh_, std::move(finish),
               CopyOptions{begin, end, /*allow_inline=*/false,
                           source->is_inline ? source->inline_body : std::string()});
}

}  // namespace stratus::triggers::objects
