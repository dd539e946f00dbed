// One-time codes and tokens the server hands out for two-step login, and the one form in which it
// keeps them: a SHA-256 hash.
//
// Codes sent by e-mail, the recovery code, "remember me" tokens and verification tokens are
// credentials for as long as they are valid. The database holds TokenHash() of each, never the
// text, so that a copy of it opens nothing; a login hashes what the client sent and compares the
// hashes with SameHash(). A fast hash, not a password hash: tokens and recovery codes carry over
// 160 bits, which no guessing reaches, and 6-digit codes are short-lived and their attempts
// limited by the callers.
//
// The returned texts are secret: send them, then WipeString (keywarden/crypto/encoding.h) them.
// Every function is thread-safe.
#ifndef KEYWARDEN_SERVER_TWO_FACTOR_CODES_H_
#define KEYWARDEN_SERVER_TWO_FACTOR_CODES_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::server::two_factor {

// SHA-256, as stored in the BLOB columns of two_factor_remembered and one_time_codes.
using TokenDigest = std::array<std::uint8_t, 32>;

// "048213": 6 decimal digits, each of the 10^6 values equally likely (rejection sampling, not a
// biased modulo). For e-mail login and verification. kInternal if the random source fails.
Result<std::string> NewOneTimeCode();

// 32 characters, each uniformly one of A-Z and 0-9, as Bitwarden's recovery code looks
// (about 165 bits). kInternal if the random source fails.
Result<std::string> NewRecoveryCode();

// 32 random bytes as base64url without padding (43 characters), for "remember me" and
// verification links. kInternal if the random source fails.
Result<std::string> NewOpaqueToken();

// SHA-256 of `text` (OpenSSL EVP). kInternal only if OpenSSL fails (out of memory).
Result<TokenDigest> TokenHash(std::string_view text);

// Whether two hashes are equal, in constant time (CRYPTO_memcmp); false when their sizes differ
// (sizes are not secret).
bool SameHash(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Whether two secrets given as text are equal, compared through their hashes in constant time,
// so that neither their length nor their content leaks. False if hashing fails.
bool SameSecretText(std::string_view a, std::string_view b);

// A recovery code as typed, in the form it was issued: spaces, dashes and other ASCII white space
// removed, letters upper-cased ("abcd-efgh 1234" -> "ABCDEFGH1234"), so that a code copied with
// the grouping an app added still matches.
std::string NormalizeRecoveryCode(std::string_view typed);

// TokenHash(NormalizeRecoveryCode(typed)): hash both the issued code and the typed one this way.
Result<TokenDigest> RecoveryCodeHash(std::string_view typed);

}  // namespace keywarden::server::two_factor

#endif  // KEYWARDEN_SERVER_TWO_FACTOR_CODES_H_
