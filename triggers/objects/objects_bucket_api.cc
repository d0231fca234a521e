// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation and the bucket
// notification configuration.
#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/util/time_format.h"
#include "triggers/objects/objects.h"

namespace stratus::triggers::objects {

void ObjectsTrigger::ListBuckets(const CallPtr& call) {
  auto buckets = store_->ListBuckets();
  if (!buckets.ok()) {
    Fail(call, FromStatus(buckets.status()));
    return;
  }
  const std::string& account = emulator_->project().account;
  XmlWriter xml("ListAllMyBucketsResult");
  xml.Open("Owner").Leaf("ID", account).Leaf("DisplayName", "stratus").Close();
  xml.Open("Buckets");
  for (const auto& b : *buckets) {
    xml.Open("Bucket").Leaf("Name", b.name).Leaf("CreationDate", IsoTimeUtc(b.created_ms)).Close();
  }
  xml.Close();
  SendXml(call, 200, xml.Finish());
}

void ObjectsTrigger::CreateBucket(const CallPtr& call) {
  const std::string& name = call->target.bucket;
  if (!IsValidBucketName(name)) {
    Fail(call, errors::InvalidBucketName(name));
    return;
  }
  if (!call->body.empty()) {
    auto doc = ParseXml(call->body);
    if (!doc.ok() || doc->name != "CreateBucketConfiguration") {
      Fail(call, errors::MalformedXML(doc.ok() ? "expected CreateBucketConfiguration"
                                               : doc.status().message()));
      return;
    }
    std::string region = doc->ChildText("LocationConstraint");
    if (!region.empty() && region != emulator_->project().region) {
      Fail(call, errors::InvalidArgument("The specified location-constraint is not valid")
                     .With("ArgumentName", "LocationConstraint")
                     .With("ArgumentValue", region));
      return;
    }
  }
  int64_t now = NowMs();
  Commit([name, now](ObjectStore& store, std::vector<std::string>*) {
           return store.CreateBucket(name, now);
         },
         [this, call, name](Status s) {
           if (s.code() == Status::Code::kAlreadyExists) {
             Fail(call, errors::BucketAlreadyOwnedByYou(name));
             return;
           }
           if (!s.ok()) {
             Fail(call, FromStatus(s));
             return;
           }
           http::Response response;
           response.headers.Add("Location", "/" + name);
           Send(call, std::move(response));
         });
}

void ObjectsTrigger::HeadBucket(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  http::Response response;
  response.headers.Add("x-amz-bucket-region", emulator_->project().region);
  Send(call, std::move(response));
}

void ObjectsTrigger::DeleteBucket(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  std::string name = call->target.bucket;
  Commit([name](ObjectStore& store, std::vector<std::string>* freed) {
           return store.DeleteBucket(name, freed);
         },
         [this, call, name](Status s) {
           if (s.code() == Status::Code::kFailedPrecondition) {
             Fail(call, errors::BucketNotEmpty(name));
           } else if (s.code() == Status::Code::kNotFound) {
             Fail(call, errors::NoSuchBucket(name));
           } else if (!s.ok()) {
             Fail(call, FromStatus(s));
           } else {
             http::Response response;
             response.status = 204;
             Send(call, std::move(response));
           }
         });
}

void ObjectsTrigger::GetBucketLocation(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  // us-east-1 is the empty constraint, as S3 answers it.
  const std::string& region = emulator_->project().region;
  XmlWriter xml("LocationConstraint");
  std::string doc = xml.Finish();
  if (region != "us-east-1") {
    doc.insert(doc.rfind("</LocationConstraint>"), XmlEscape(region));
  }
  SendXml(call, 200, std::move(doc));
}

void ObjectsTrigger::PutBucketNotification(const CallPtr& call) {
  if (!RequireBucket(call)) return;
  auto doc = ParseXml(call->body);
  if (!doc.ok()) {
    Fail(call, errors::MalformedXML(doc.status().message()));
    return;
  }
  auto rules = ParseNotificationXml(
      *doc,
      [this](const std::string& fn) { return emulator_->invoker().Find(fn) != nullptr; },
      [this] { return emulator_->random().Uuid(); });
  if (!rules.ok()) {
    Fail(call, errors::InvalidArgument(rules.status().message()));
    return;
  }
  std::string name = call->target.bucket;
  std::string json = rules->empty() ? "" : RulesToJson(*rules);
  Commit([name, json](ObjectStore& store, std::vector<std::string>*) {
           return store.SetNotification(name, json);
         },
         [this, call](Status s) {
           if (!s.ok()) {
             Fail(call, FromStatus(s));
             return;
           }
           Send(call, http::Response());
         });
}

void ObjectsTrigger::GetBucketNotification(const CallPtr& call) {
  auto bucket = RequireBucket(call);
  if (!bucket) return;
  SendXml(call, 200, NotificationXml(RulesFromJson(bucket->notification)));
}

}  // namespace stratus::triggers::objects
