// DeleteObject and DeleteObjects: removing objects, adding delete markers in versioned
// buckets, removing single versions for good.
#include "emulator/emulator.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

constexpr size_t kMaxDeleteKeys = 1000;

struct DeleteItem {
  std::string key;
  std::string version_id;  // "" for a simple delete
  bool valid = true;       // a malformed version id is answered per key, not for the request
  DeleteOutcome outcome;
};

// One key's delete inside the commit.
Status ApplyDelete(ObjectStore& store, const std::string& bucket, DeleteItem& item,
                   const std::string& fresh_version_id, int64_t now_ms,
                   std::vector<std::string>* freed) {
  auto outcome = item.version_id.empty()
                     ? store.DeleteObject(bucket, item.key, fresh_version_id, now_ms, freed)
                     : store.DeleteVersion(bucket, item.key, item.version_id, freed);
  if (!outcome.ok()) return outcome.status();
  item.outcome = std::move(outcome.value());
  return Status::Ok();
}

// A DeleteObjects body: 1 to 1,000 objects, each a Key and maybe a VersionId.
bool ParseDeleteRequest(const std::string& body, std::vector<DeleteItem>* items, bool* quiet,
                        S3Error* error) {
  auto doc = ParseXml(body);
  if (!doc.ok() || doc->name != "Delete") {
    *error = errors::MalformedXML(doc.ok() ? "the root element must be Delete" : doc.status().message());
    return false;
  }
  for (const XmlNode* object : doc->Children("Object")) {
    const XmlNode* key = object->Child("Key");
    if (key == nullptr) {
      *error = errors::MalformedXML("an Object without a Key");
      return false;
    }
    DeleteItem item;
    item.key = key->text;
    if (const XmlNode* version = object->Child("VersionId")) {
      item.version_id = version->text;
      item.valid = IsValidVersionId(item.version_id);
    }
    items->push_back(std::move(item));
  }
  if (items->empty() || items->size() > kMaxDeleteKeys) {
    *error = errors::MalformedXML("between 1 and 1000 keys may be deleted at once");
    return false;
  }
  *quiet = doc->ChildText("Quiet") == "true";
  return true;
}

// The DeleteResult document: what happened to each key, or why not (`status` failed the
// whole commit).
std::string DeleteResultXml(const std::vector<DeleteItem>& items, const Status& status, bool quiet) {
  XmlWriter xml("DeleteResult");
  for (const DeleteItem& item : items) {
    const DeleteOutcome& outcome = item.outcome;
    if (!status.ok() || !item.valid) {
      xml.Open("Error").Leaf("Key", item.key);
      if (!item.version_id.empty()) xml.Leaf("VersionId", item.version_id);
      if (!status.ok()) {
        xml.Leaf("Code", "InternalError").Leaf("Message", status.message());
      } else {
        xml.Leaf("Code", "NoSuchVersion").Leaf("Message", "The specified version does not exist.");
      }
      xml.Close();
    } else if (!quiet) {
      xml.Open("Deleted").Leaf("Key", item.key);
      if (!item.version_id.empty()) xml.Leaf("VersionId", item.version_id);
      if (outcome.marker_created || outcome.was_marker) {
        xml.Leaf("DeleteMarker", "true").Leaf("DeleteMarkerVersionId", outcome.version_id);
      }
      xml.Close();
    }
  }
  return xml.Finish();
}

}  // namespace

void ObjectsTrigger::EmitDelete(const CallPtr& call, const std::string& key,
                                const DeleteOutcome& outcome) {
  if (outcome.marker_created) {
    Emit(call, "ObjectRemoved:DeleteMarkerCreated", key, 0, "", outcome.version_id);
  } else if (outcome.removed) {
    Emit(call, "ObjectRemoved:Delete", key, 0, "", outcome.version_id);
  }
}

void ObjectsTrigger::DeleteObject(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  auto item = std::make_shared<DeleteItem>();
  item->key = call->target.key;
  if (!ReadVersionId(call, &item->version_id)) return;
  std::string bucket = call->target.bucket, fresh = NewVersionId();
  int64_t now = NowMs();
  Commit(
      [bucket, item, fresh, now](ObjectStore& store, std::vector<std::string>* freed) {
        return ApplyDelete(store, bucket, *item, fresh, now, freed);
      },
      [this, call, item, bucket](Status s) {
        if (!s.ok()) {
          Fail(call, s.code() == Status::Code::kNotFound ? errors::NoSuchBucket(bucket)
                                                          : FromStatus(s));
          return;
        }
        const DeleteOutcome& outcome = item->outcome;
        http::Response response;
        response.status = 204;
        if (outcome.marker_created || outcome.was_marker) {
          response.headers.Add("x-amz-delete-marker", "true");
        }
        // A delete by version id names it back, whatever the bucket's state.
        if (outcome.marker_created || !item->version_id.empty()) {
          response.headers.Add("x-amz-version-id", outcome.version_id);
        }
        EmitDelete(call, item->key, outcome);
        Send(call, std::move(response));
      });
}

void ObjectsTrigger::DeleteObjects(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  auto items = std::make_shared<std::vector<DeleteItem>>();
  bool quiet = false;
  if (S3Error error; !ParseDeleteRequest(call->body, items.get(), &quiet, &error)) {
    Fail(call, error);
    return;
  }
  std::string bucket = call->target.bucket;
  std::vector<std::string> fresh;
  for (size_t i = 0; i < items->size(); ++i) fresh.push_back(NewVersionId());
  int64_t now = NowMs();
  Commit(
      [bucket, items, fresh, now](ObjectStore& store, std::vector<std::string>* freed) -> Status {
        for (size_t i = 0; i < items->size(); ++i) {
          DeleteItem& item = (*items)[i];
          if (item.valid) STRATUS_RETURN_IF_ERROR(ApplyDelete(store, bucket, item, fresh[i], now, freed));
        }
        return Status::Ok();
      },
      [this, call, items, quiet](Status s) {
        for (const DeleteItem& item : *items) {
          if (s.ok() && item.valid) EmitDelete(call, item.key, item.outcome);
        }
        SendXml(call, 200, DeleteResultXml(*items, s, quiet));
      });
}

}  // namespace stratus::triggers::objects
