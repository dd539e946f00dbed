// A stored cipher as the clients read it: the element of the sync's `ciphers` array and the
// answer of the single-cipher routes (docs core.md 6.3).
//
// The response always carries what the official CLI and its SDK need to keep an item: id,
// type, revisionDate and creationDate (valid dates: a missing one throws while decrypting),
// edit, viewPassword, permissions {delete, restore}, organizationUseTotp as a boolean,
// collectionIds as an array, and the object of every item type (null but the item's own).
// `data` (the reference's plain copy of the payload) is left out, as Vaultwarden does, so the
// SDK can never mistake it for a sealed blob; attachments are null until they exist here.
//
// Rendering is on the sync's hot path (a 5,000-item vault in one answer), so it appends to one
// string and splices the stored payload in as text, never parsing it: the payload was checked
// and written in canonical form when it was stored (CipherWrite::data).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_CIPHER_JSON_H_
#define KEYWARDEN_SERVER_VAULT_CIPHER_JSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"

namespace keywarden::server::vault {

// A cipher as the store reads it for one viewer. GUIDs are canonical.
struct StoredCipher {
  std::string id;
  std::optional<std::string> user_id;  // the personal owner; not rendered (the reference omits it)
  std::optional<std::string> organization_id;
  int type = 0;
  // CipherWrite::data, exactly as ParseCipherRequest made it for this `type`. Anything else
  // (another type's payload, hand-written JSON) may render invalid JSON.
  std::string data;
  std::optional<std::string> folder_id;  // the viewer's folder for it
  bool favorite = false;                 // the viewer's
  int reprompt = 0;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
  std::optional<TimeMs> deleted_date;
  std::optional<TimeMs> archived_date;
  std::vector<std::string> collection_ids;
};

// What the viewer may do with the cipher, as the clients enforce it: `edit` false blocks
// `bw edit`, `can_delete` false blocks `bw delete`, `view_password` false makes the clients
// hide the password, TOTP and hidden fields. The defaults are an owner's personal item.
struct CipherViewerRights {
  bool edit = true;
  bool view_password = true;
  bool can_delete = true;
  bool can_restore = true;
  // The organisation's plan includes TOTP. For a personal item the clients look at the user's
  // premium flag instead, so false is right there.
  bool organization_use_totp = false;
};

// The reference's "object" member: "cipherDetails" in the sync, "cipher" for one item.
enum class CipherObject { kCipher, kCipherDetails };

// Appends the cipher's JSON object (no separator before or after), dates as
// "2026-01-31T12:00:00.000Z".
void AppendCipherJson(const StoredCipher& cipher, const CipherViewerRights& rights, CipherObject object,
                      std::string& out);

// At least the number of characters AppendCipherJson appends for `cipher`, whatever the rights
// and object, when its ids need no escaping (GUIDs never do); at most about a hundred more. A sync
// reserves the sum before rendering: regrowing a string of several megabytes costs far more
// than writing it (bench/server/cipher_json_bench.cc).
std::size_t CipherJsonSizeBound(const StoredCipher& cipher);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_CIPHER_JSON_H_
