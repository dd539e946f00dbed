// Organisation items as one member sees them, and the writes that only organisation items have:
// their collections (collection_ciphers) and each member's own folder and favourite for them
// (cipher_preferences). Functions run inside a unit of work.
//
// Which items a member sees, and with which rights, is the reference's (UserCipherDetails and
// CipherRepository.GetManyByUserIdAsync): the items of the member's collections in every enabled
// organisation where the member is confirmed. For each collection of an item the member holds a
// direct grant, which decides alone, or else one grant per group; each grant gives
// edit = not read-only, view-password = not hide-passwords, and manage. Of an item's grants the
// best counts, compared by manage, then edit, then view-password. An item's collectionIds are
// those of its collections the member sees.
#ifndef KEYWARDEN_SERVER_VAULT_ORGANIZATION_CIPHER_STORE_H_
#define KEYWARDEN_SERVER_VAULT_ORGANIZATION_CIPHER_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/vault/cipher_json.h"
#include "sql/database.h"

namespace keywarden::server::vault {

// A member's rights over an organisation item (all true for one's own personal item).
struct CipherAccess {
  bool edit = true;
  bool view_password = true;
  bool manage = true;
};

// The rights the clients are told: edit, viewPassword, and delete and restore for those who
// manage the item or may edit it (the reference's NormalCipherPermissions with the organisation's
// LimitItemDeletion off); organisation items always use TOTP.
CipherViewerRights ViewerRights(const StoredCipher& cipher, const CipherAccess& access);

// The member's organisation items, ordered by organisation, then creation date and id, handed
// to `visit` as they are read (one statement, however many items and collections), with the
// member's folder and favourite.
Status ForEachOrganizationCipherOf(sql::Session& session, std::string_view user_id,
                                   const std::function<Status(const StoredCipher&, const CipherAccess&)>& visit);

// An item the account sees: its personal one, or an organisation item it is assigned to.
struct VisibleCipher {
  StoredCipher cipher;
  CipherAccess access;
};
Result<std::optional<VisibleCipher>> FindVisibleCipher(sql::Session& session, std::string_view user_id,
                                                       std::string_view id);

// An organisation's item whatever the caller sees (the admin routes), with every collection it
// is in; nullopt when absent or another organisation's. Folder and favourite are `user_id`'s.
Result<std::optional<StoredCipher>> FindOrganizationCipher(sql::Session& session, std::string_view organization_id,
                                                           std::string_view id, std::string_view user_id);
// The organisation of the item `id`; nullopt when absent or personal.
Result<std::optional<std::string>> FindCipherOrganization(sql::Session& session, std::string_view id);
// Every item of the organisation with every collection it is in, oldest first.
Status ForEachCipherOfOrganization(sql::Session& session, std::string_view organization_id,
                                   const std::function<Status(const StoredCipher&)>& visit);

// Writes what the members share (type, payload, reprompt, dates) and the owner columns
// (user_id, organization_id) of the item by id; the folder and favourite columns are cleared for
// an organisation item (they are each member's: SaveCipherPreference). false when absent.
Result<bool> UpdateCipherById(sql::Session& session, const StoredCipher& cipher);
// Deletes the item with its collection links and members' preferences. false when absent.
Result<bool> PurgeCipherById(sql::Session& session, std::string_view id);

// The item's collections, all of them.
Result<std::vector<std::string>> ListCipherCollections(sql::Session& session, std::string_view cipher_id);
// Replaces them (ids checked by the caller).
Status SetCipherCollections(sql::Session& session, std::string_view cipher_id,
                            const std::vector<std::string>& collection_ids);
// The member's folder and favourite for an organisation item.
Status SaveCipherPreference(sql::Session& session, std::string_view user_id, std::string_view cipher_id,
                            const std::optional<std::string>& folder_id, bool favorite);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_ORGANIZATION_CIPHER_STORE_H_
