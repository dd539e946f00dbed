// Percent-encoding (RFC 3986 2.1) for query strings, form bodies and otpauth URIs: every byte
// but the unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX with upper-case hex. The
// one encoder of the project, so that a URL built anywhere escapes the same way.
#ifndef KEYWARDEN_NET_PERCENT_ENCODING_H_
#define KEYWARDEN_NET_PERCENT_ENCODING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keywarden::net {

std::string PercentEncode(std::string_view text);

// "a=1&b=x%20y": names and values percent-encoded, in the order given (an
// application/x-www-form-urlencoded body, or a query string without its '?').
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace keywarden::net

#endif  // KEYWARDEN_NET_PERCENT_ENCODING_H_
