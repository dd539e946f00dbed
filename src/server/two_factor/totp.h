// Authenticator-app codes (TOTP, RFC 6238) as Bitwarden's clients and the usual apps make them:
// HMAC-SHA-1, 6 digits, 30-second steps counted from the Unix epoch. The HMAC and the truncation
// are liboath's.
//
// Enrolment: NewTotpSecret(), show OtpauthUri() as a QR code (or the Base32 text), keep the Base32
// form in the provider's data. Login: DecodeTotpSecret() the stored form, MatchTotp() the code, and
// refuse the step it returns unless it is later than the last step that user logged in with (a
// code seen once, on the wire or over a shoulder, must not open a second session).
#ifndef KEYWARDEN_SERVER_TWO_FACTOR_TOTP_H_
#define KEYWARDEN_SERVER_TWO_FACTOR_TOTP_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::server::two_factor {

// A new shared secret. Both fields are secret (the Base32 text is the key itself).
struct TotpSecret {
  SecureBuffer bytes;   // 20 random bytes: 160 bits, the length RFC 4226 recommends
  SecureBuffer base32;  // RFC 4648 Base32, upper case, no padding (32 characters); view() for the text
};

// kInternal only if the system's random source fails.
Result<TotpSecret> NewTotpSecret();

// The secret bytes of a Base32 text as authenticator apps show it (either case, spaces and '='
// padding ignored). kInvalidArgument when it is not Base32 or holds fewer than 10 bytes (80 bits,
// the shortest key common apps make). The error never quotes the text.
Result<SecureBuffer> DecodeTotpSecret(std::string_view base32);

// "otpauth://totp/ISSUER:EMAIL?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30", with
// the label and issuer percent-encoded, for a QR code. Secret, like the key it carries.
std::string OtpauthUri(std::string_view secret_base32, std::string_view account_email, std::string_view issuer);

// The time step (seconds since the epoch / 30) whose code `code_text` is, searching the step of
// `now` and `window` steps either side (clocks drift, and a code typed at the end of its 30 s
// arrives in the next); nullopt when none matches. `code_text` must be exactly 6 ASCII digits
// once spaces are removed ("123 456" is how some apps show it); anything else is nullopt. A
// negative window is taken as 0, a `now` before the epoch or an empty secret matches nothing.
// Each candidate is compared in constant time. Thread-safe.
std::optional<std::int64_t> MatchTotp(std::span<const std::uint8_t> secret, std::string_view code_text, TimePoint now,
                                      int window = 1);

}  // namespace keywarden::server::two_factor

#endif  // KEYWARDEN_SERVER_TWO_FACTOR_TOTP_H_
