// ListObjectsV2 and ListObjects (v1): prefix, delimiter (CommonPrefixes), max-keys,
// continuation-token / start-after / marker, encoding-type=url.
#include "emulator/emulator.h"
#include "emulator/util/base64.h"
#include "emulator/util/escape.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"

namespace stratus::triggers::objects {
namespace {

constexpr int kMaxKeys = 1000;
constexpr int kBatch = 1000;

struct ListQuery {
  std::string prefix;
  std::string delimiter;
  std::string after;        // nothing at or before it is listed (start-after, marker)
  std::string lower;        // where the scan starts
  bool lower_inclusive = false;
  int max_keys = kMaxKeys;
};

struct ListPage {
  std::vector<ListEntry> contents;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;         // the last key or common prefix returned
  std::string resume;       // where a next page starts, inclusive
};

Result<ListPage> Collect(ObjectStore& store, const std::string& bucket, ListQuery q) {
  ListPage page;
  std::string upper = PrefixSuccessor(q.prefix);
  if (q.lower < q.prefix) {
    q.lower = q.prefix;
    q.lower_inclusive = true;
  }
  int count = 0;
  for (;;) {
    auto rows = store.ListObjects(bucket, q.lower, q.lower_inclusive, upper, kBatch);
    if (!rows.ok()) return rows.status();
    bool rescan = false;
    for (const auto& row : *rows) {
      std::string common = CommonPrefix(row.key, q.prefix, q.delimiter);
      if (!common.empty()) {
        std::string next = PrefixSuccessor(common);
        if (common > q.after || q.after.empty()) {
          if (count == q.max_keys) {
            page.truncated = true;
            return page;
          }
          page.prefixes.push_back(common);
          page.last = common;
          page.resume = next;
          ++count;
        }
        if (next.empty()) return page;  // nothing sorts after this prefix
        q.lower = next;
        q.lower_inclusive = true;
        rescan = true;
        break;
      }
      if (count == q.max_keys) {
        page.truncated = true;
        return page;
      }
      page.contents.push_back(row);
      page.last = row.key;
      page.resume = row.key + std::string(1, '\0');
      ++count;
      q.lower = row.key;
      q.lower_inclusive = false;
    }
    if (!rescan && rows->size() < static_cast<size_t>(kBatch)) return page;
  }
}

bool ReadMaxKeys(const Call& call, int* out, S3Error* error) {
  return ReadListLimit(call, "max-keys", out, error);
}

void WriteEntries(XmlWriter& xml, const ListPage& page, bool url, bool owner,
                  const std::string& account) {
  auto enc = [url](const std::string& s) { return KeyText(s, url); };
  for (const auto& e : page.contents) {
    xml.Open("Contents").Leaf("Key", enc(e.key)).Leaf("LastModified", IsoTimeUtc(e.last_modified_ms));
    xml.Leaf("ETag", "\"" + e.etag + "\"").Leaf("Size", std::to_string(e.size));
    if (owner) xml.Open("Owner").Leaf("ID", account).Leaf("DisplayName", "stratus").Close();
    xml.Leaf("StorageClass", "STANDARD").Close();
  }
  for (const auto& p : page.prefixes) xml.Open("CommonPrefixes").Leaf("Prefix", enc(p)).Close();
}

// prefix, delimiter, max-keys and encoding-type, shared by both ListObjects versions.
bool ReadListParams(const Call& call, ListQuery* q, bool* url, S3Error* error) {
  q->prefix = call.Query("prefix");
  q->delimiter = call.Query("delimiter");
  return ReadMaxKeys(call, &q->max_keys, error) && ReadEncoding(call, url, error);
}

}  // namespace

bool ReadListLimit(const Call& call, const std::string& name, int* out, S3Error* error) {
  if (!call.Has(name)) return true;
  const std::string text = call.Query(name);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    *error = errors::InvalidArgument("Provided " + name + " not an integer or within integer range")
                 .With("ArgumentName", name)
                 .With("ArgumentValue", text);
    return false;
  }
  *out = std::min(std::atoi(text.c_str()), kMaxKeys);
  return true;
}

std::string KeyText(const std::string& key, bool url) {
  return url ? PercentEncode(key, /*keep_slash=*/true) : key;
}

bool ReadEncoding(const Call& call, bool* url, S3Error* error) {
  if (!call.Has("encoding-type")) return true;
  if (call.Query("encoding-type") != "url") {
    *error = errors::InvalidArgument("Invalid Encoding Method specified in Request")
                 .With("ArgumentName", "encoding-type");
    return false;
  }
  *url = true;
  return true;
}

void ObjectsTrigger::ListObjectsV2(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  if (call->Query("list-type") != "2") {
    Fail(call, errors::InvalidArgument("Invalid list type").With("ArgumentName", "list-type"));
    return;
  }
  ListQuery q;
  bool url = false;
  if (S3Error error; !ReadListParams(*call, &q, &url, &error)) {
    Fail(call, error);
    return;
  }
  std::string start_after = call->Query("start-after");
  q.after = start_after;
  q.lower = start_after;
  std::string token = call->Query("continuation-token");
  if (call->Has("continuation-token")) {
    auto decoded = Base64Decode(token);
    if (!decoded || decoded->empty()) {
      Fail(call, errors::InvalidArgument("The continuation token provided is incorrect")
                     .With("ArgumentName", "continuation-token"));
      return;
    }
    q.lower = *decoded;
    q.lower_inclusive = true;
  }
  auto page = Collect(*store_, call->target.bucket, q);
  if (!page.ok()) {
    Fail(call, FromStatus(page.status()));
    return;
  }
  auto enc = [url](const std::string& s) { return KeyText(s, url); };
  XmlWriter xml("ListBucketResult");
  xml.Leaf("Name", call->target.bucket).Leaf("Prefix", enc(q.prefix));
  if (!q.delimiter.empty()) xml.Leaf("Delimiter", enc(q.delimiter));
  xml.Leaf("MaxKeys", std::to_string(q.max_keys));
  xml.Leaf("KeyCount", std::to_string(page->contents.size() + page->prefixes.size()));
  xml.Leaf("IsTruncated", page->truncated ? "true" : "false");
  if (url) xml.Leaf("EncodingType", "url");
  if (call->Has("continuation-token")) xml.Leaf("ContinuationToken", token);
  if (page->truncated) xml.Leaf("NextContinuationToken", Base64Encode(page->resume));
  if (call->Has("start-after")) xml.Leaf("StartAfter", enc(start_after));
  WriteEntries(xml, *page, url, call->Query("fetch-owner") == "true", emulator_->project().account);
  SendXml(call, 200, xml.Finish());
}

void ObjectsTrigger::ListObjectsV1(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  ListQuery q;
  bool url = false;
  if (S3Error error; !ReadListParams(*call, &q, &url, &error)) {
    Fail(call, error);
    return;
  }
  std::string marker = call->Query("marker");
  q.after = marker;
  q.lower = marker;
  auto page = Collect(*store_, call->target.bucket, q);
  if (!page.ok()) {
    Fail(call, FromStatus(page.status()));
    return;
  }
  auto enc = [url](const std::string& s) { return KeyText(s, url); };
  XmlWriter xml("ListBucketResult");
  xml.Leaf("Name", call->target.bucket).Leaf("Prefix", enc(q.prefix)).Leaf("Marker", enc(marker));
  // S3 gives NextMarker only with a delimiter; without one clients resume after the last key.
  if (page->truncated && !q.delimiter.empty()) xml.Leaf("NextMarker", enc(page->last));
  xml.Leaf("MaxKeys", std::to_string(q.max_keys));
  if (!q.delimiter.empty()) xml.Leaf("Delimiter", enc(q.delimiter));
  xml.Leaf("IsTruncated", page->truncated ? "true" : "false");
  if (url) xml.Leaf("EncodingType", "url");
  WriteEntries(xml, *page, url, true, emulator_->project().account);
  SendXml(call, 200, xml.Finish());
}

}  // namespace stratus::triggers::objects
