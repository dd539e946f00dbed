// Base64url without padding (RFC 7515 §2), as JWS and JWK use it.
//
// Strict: '=' padding, '+', '/', whitespace, an impossible length (4n+1) and non-zero unused
// trailing bits are all errors, so one string has exactly one meaning. Encoding uses the
// library's base64; decoding is one table-driven pass, since every token needs three of them.
#ifndef KEYWARDEN_JOSE_BASE64URL_H_
#define KEYWARDEN_JOSE_BASE64URL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::jose {

std::string Base64UrlEncode(std::span<const std::uint8_t> bytes);
std::string Base64UrlEncode(std::string_view bytes);

// kInvalidArgument for anything but canonical unpadded base64url.
Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_BASE64URL_H_
