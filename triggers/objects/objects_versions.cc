#include "triggers/objects/objects_versions.h"

namespace stratus::triggers::objects {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

bool InAlphabet(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
}

}  // namespace

std::string NewVersionId(Random& random, int64_t now_ms) {
  std::string id;
  id.reserve(kVersionIdLength);
  uint64_t time = uint64_t(now_ms);
  for (int i = 7; i >= 0; --i) id += kAlphabet[(time >> (6 * i)) & 63];
  while (id.size() < kVersionIdLength) {
    uint64_t bits = random.Next();
    for (int i = 0; i < 10 && id.size() < kVersionIdLength; ++i, bits >>= 6) id += kAlphabet[bits & 63];
  }
  return id;
}

bool IsValidVersionId(std::string_view id) {
  if (id == "null") return true;
  if (id.size() != kVersionIdLength) return false;
  for (char c : id) {
    if (!InAlphabet(c)) return false;
  }
  return true;
}

S3Error InvalidVersionId(std::string_view id) {
  return errors::InvalidArgument("Invalid version id specified")
      .With("ArgumentName", "versionId")
      .With("ArgumentValue", std::string(id));
}

void AddVersionHeader(bool bucket_versioned, const std::string& version_id,
                      http::Response* response) {
  if (bucket_versioned || version_id != "null") response->headers.Add("x-amz-version-id", version_id);
}

bool ParseVersioningConfiguration(std::string_view body, std::string* status, S3Error* error) {
  auto doc = ParseXml(body);
  if (!doc.ok() || doc->name != "VersioningConfiguration") {
    *error = errors::MalformedXML(doc.ok() ? "the root element must be VersioningConfiguration"
                                           : doc.status().message());
    return false;
  }
  std::string mfa = doc->ChildText("MfaDelete", "Disabled");
  if (mfa == "Enabled") {
    *error = errors::NotImplemented("MfaDelete Enabled (stratus has no MFA devices)");
    return false;
  }
  if (mfa != "Disabled") {
    *error = errors::IllegalVersioningConfiguration("MfaDelete must be Enabled or Disabled");
    return false;
  }
  *status = doc->ChildText("Status");
  if (*status != "Enabled" && *status != "Suspended") {
    *error = errors::IllegalVersioningConfiguration("Status must be Enabled or Suspended");
    return false;
  }
  return true;
}

std::string VersioningConfigurationXml(const std::string& status) {
  XmlWriter xml("VersioningConfiguration");
  if (!status.empty()) xml.Leaf("Status", status);
  return xml.Finish();
}

}  // namespace stratus::triggers::objects
