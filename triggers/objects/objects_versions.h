// Version ids and the bucket versioning document: what S3 accepts as a version id, how
// stratus makes new ones, and the VersioningConfiguration body of PutBucketVersioning.
// Pure functions; no threading rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/util/ids.h"
#include "emulator/http/message.h"
#include "triggers/objects/objects_errors.h"
#include "triggers/objects/objects_xml.h"

namespace stratus::triggers::objects {

inline constexpr size_t kVersionIdLength = 32;

// A new version id: 32 URL-safe characters, the first eight from the time so ids from runs
// that share a --seed still differ.
std::string NewVersionId(Random& random, int64_t now_ms);
// "null", or 32 characters of the alphabet NewVersionId uses. S3 answers anything else with
// 400 InvalidArgument before looking the version up.
bool IsValidVersionId(std::string_view id);
S3Error InvalidVersionId(std::string_view id);

// x-amz-version-id, as S3 sends it: for any version in a bucket that has a versioning state,
// and for every version that is not the null one.
void AddVersionHeader(bool bucket_versioned, const std::string& version_id,
                      http::Response* response);

// The Status of a VersioningConfiguration document: "Enabled" or "Suspended". MalformedXML
// for a document that does not parse or has another root; IllegalVersioningConfiguration-
// Exception for a missing or unknown Status or MfaDelete value; NotImplemented for
// MfaDelete=Enabled (stratus has no MFA devices).
bool ParseVersioningConfiguration(std::string_view body, std::string* status, S3Error* error);
// The GetBucketVersioning answer for a bucket's state ("" gives the empty document).
std::string VersioningConfigurationXml(const std::string& status);

}  // namespace stratus::triggers::objects
