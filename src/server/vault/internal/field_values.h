// The leaves of a vault request: each check reads one present, non-null JSON value and either
// returns it in canonical form or fails with a field error naming `path`.
//
// The server never decrypts: an encrypted leaf is accepted when it is a well-formed EncString
// of type 2 ("2.iv|ct|mac", AES-256-CBC + HMAC-SHA256), the only symmetric type the clients
// produce for vault data today. Type 0 is refused: it needs a 32-byte legacy key, and every key
// that protects vault items (user, organisation, item keys) has 64 bytes, so no client could
// ever decrypt it. Type 7 (COSE_Encrypt0, V2 accounts) is refused until the crypto library can
// parse it; EncStringAccepted is the one place to change when it can.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_VALUES_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_VALUES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/vault/internal/field_path.h"

namespace keywarden::server::vault::internal {

// True for a missing member (nullptr, as http::FindField answers) or JSON null.
inline bool IsAbsent(const nlohmann::json* value) { return value == nullptr || value->is_null(); }

// An encrypted leaf of at most `max_chars` characters, as the library writes it back (standard
// base64, so it needs no JSON escaping).
Result<std::string> ReadEncString(const nlohmann::json& value, const FieldPath& path, std::size_t max_chars);

// An ISO 8601 date (internal/iso_date.h).
Result<TimeMs> ReadDate(const nlohmann::json& value, const FieldPath& path);

// A JSON integer (not 1.0, not "1") in [min, max].
Result<std::int64_t> ReadInteger(const nlohmann::json& value, const FieldPath& path, std::int64_t min,
                                 std::int64_t max);

// true or false.
Result<bool> ReadBool(const nlohmann::json& value, const FieldPath& path);

// A GUID string in canonical form (lower case, 8-4-4-4-12).
Result<std::string> ReadGuid(const nlohmann::json& value, const FieldPath& path);

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_VALUES_H_
