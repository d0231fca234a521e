// Escaping for the text formats stratus writes: XML (S3's answers, JUnit reports, and the HTML
// of `stratus cost`) and percent-encoded URL parts (S3 keys, harness requests).
// Pure functions; no threading rule.
#pragma once

#include <string>
#include <string_view>

namespace stratus {

// Text for an XML (or HTML) element or attribute: & < > " ' escaped, CR as &#13; (a parser
// would normalise a literal one away), and each control character XML 1.0 forbids as '?'.
std::string XmlEscape(std::string_view text);

// RFC 3986 percent-encoding: unreserved characters (letters, digits, - _ . ~) kept, '/' kept
// when `keep_slash`, every other byte as %XX (upper-case hex).
std::string PercentEncode(std::string_view text, bool keep_slash);

// Whether `text` is well-formed UTF-8: no stray or missing continuation bytes, overlong forms,
// surrogates or code points past U+10FFFF.
bool IsValidUtf8(std::string_view text);

}  // namespace stratus
