// Cipher request bodies (POST /ciphers, PUT /ciphers/{id}, and the wrapped bodies of
// POST /ciphers/create and PUT /ciphers/{id}/share) checked and reduced to what the server stores.
//
// The server never decrypts. It checks that every leaf the clients encrypt is a well-formed
// EncString (internal/field_values.h says which types), that the plain leaves (type numbers,
// dates, booleans) have the right JSON type and range, and that what the SDK cannot do without
// is present: the SDK refuses a whole item when one of them is missing, so such an item is
// refused here with a 400 instead of being stored and then vanishing from every client
// (docs core.md 6.3). Required: Name; the object of the item's type (Login, SecureNote, Card,
// Identity, SshKey); SecureNote.Type; SshKey.PrivateKey; Fields[].Type; PasswordHistory[]
// .Password and .LastUsedDate; and each passkey's (Login.Fido2Credentials[]) credentialId,
// keyType, keyAlgorithm, keyCurve, keyValue, rpId, counter, discoverable and creationDate.
//
// Member names are matched case-insensitively (http::FindField), as the reference's model
// binding does. Members this server does not know are ignored and never stored (the clients add
// members over time); so are the objects of the other item types, `attachments`,
// `attachments2` and `archivedDate` (archiving has its own routes).
//
// Errors are field errors (server/vault/field_error.h): "Login.Uris[0].Uri must be an encrypted
// string ("2.iv|ct|mac")."; RequestErrorResponse turns one into the reference's 400.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_CIPHER_REQUEST_H_
#define KEYWARDEN_SERVER_VAULT_CIPHER_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/vault/request_limits.h"

namespace keywarden::server::vault {

// A checked cipher, ready to store. GUIDs are canonical (lower case).
struct CipherWrite {
  int type = 0;  // 1 login, 2 secure note, 3 card, 4 identity, 5 SSH key
  std::optional<std::string> folder_id;
  std::optional<std::string> organization_id;
  bool favorite = false;
  int reprompt = 0;                // 0 none, 1 master password
  std::optional<std::string> key;  // the item key (an EncString); also inside `data`
  // The revision date of the client's copy: an edit based on an older copy is refused by the
  // route (the reference allows 1 s of difference).
  std::optional<TimeMs> last_known_revision_date;
  // Whose key the item was encrypted for: the route refuses anyone but the caller.
  std::optional<std::string> encrypted_for;
  // The collections of an organisation's item (wrapped bodies only): no duplicates, in the
  // order sent; empty for a personal item.
  std::vector<std::string> collection_ids;
  // The encrypted payload, as the cipher JSON gives it back: one compact JSON object with the
  // members name, notes, key, the object of this type (login, secureNote, card, identity or
  // sshKey), fields and passwordHistory, in that order, every nested member present (null when
  // not sent), dates written as "2026-01-31T12:00:00.000Z". It holds only EncStrings, numbers,
  // booleans, dates and null, so it never needs escaping; AppendCipherJson splices it into a
  // response without parsing it (server/vault/cipher_json.h). It belongs to `type`: store the
  // two together.
  std::string data;
};

// A CipherRequest body: {"type": 1, "name": "2.…", "login": {...}, ...}. Field errors name the
// field from the top ("Login.Password"). A body that is not a JSON object is kInvalidArgument
// without a field. Types 6 to 8 (bank account, driver's licence, passport: clients send them
// only under a feature flag this server does not set) are refused with a 400 naming Type.
Result<CipherWrite> ParseCipherRequest(const nlohmann::json& body, const VaultRequestLimits& limits = {});

// POST /ciphers/create: {"cipher": CipherRequest, "collectionIds": [GUID, ...]}. Errors in the
// cipher are named "Cipher.Name", ... An organisation's item needs at least one collection; for
// a personal item the collections are dropped, as the reference does.
Result<CipherWrite> ParseCipherCreateRequest(const nlohmann::json& body, const VaultRequestLimits& limits = {});

// PUT /ciphers/{id}/share: the same body, where the cipher's organizationId and at least one
// collection are required.
Result<CipherWrite> ParseCipherShareRequest(const nlohmann::json& body, const VaultRequestLimits& limits = {});

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_CIPHER_REQUEST_H_
