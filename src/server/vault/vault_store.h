// The vault's tables: folders and ciphers, read and written for one user at a time. Every write
// also moves the user's account revision date (store/users.h), in the same transaction, so that
// clients see that something changed and sync.
#ifndef KEYWARDEN_SERVER_VAULT_VAULT_STORE_H_
#define KEYWARDEN_SERVER_VAULT_VAULT_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/vault/cipher_json.h"
#include "server/vault/folder_json.h"
#include "sql/database.h"

namespace keywarden::server::vault {

Result<std::vector<StoredFolder>> ListFolders(sql::Session& session, std::string_view user_id);
// nullopt when absent or another user's.
Result<std::optional<StoredFolder>> FindFolder(sql::Session& session, std::string_view user_id, std::string_view id);
Status InsertFolder(sql::Session& session, std::string_view user_id, const StoredFolder& folder);
// false when absent or another user's.
Result<bool> UpdateFolder(sql::Session& session, std::string_view user_id, const StoredFolder& folder);
// Deletes the folder; its ciphers move to no folder. false when absent or another user's.
Result<bool> DeleteFolder(sql::Session& session, std::string_view user_id, std::string_view id, TimeMs now);

// The user's personal ciphers (organisations': organization_cipher_store.h), oldest first (creation
// date, then id), handed to `visit` one at a time as they are read: one StoredCipher, refilled for
// each row, so that a whole vault is never held as a list (GET /api/sync renders it as it goes). An
// error from `visit` stops the walk and is returned.
Status ForEachCipher(sql::Session& session, std::string_view user_id,
                     const std::function<Status(const StoredCipher&)>& visit);
// The same, as a list.
Result<std::vector<StoredCipher>> ListCiphers(sql::Session& session, std::string_view user_id);
Result<std::optional<StoredCipher>> FindCipher(sql::Session& session, std::string_view user_id, std::string_view id);
Status InsertCipher(sql::Session& session, const StoredCipher& cipher);
// Writes every mutable column; false when absent or another user's.
Result<bool> UpdateCipher(sql::Session& session, std::string_view user_id, const StoredCipher& cipher);
Result<bool> PurgeCipher(sql::Session& session, std::string_view user_id, std::string_view id);
// Deletes every personal cipher and folder of the user (vault purge).
Status PurgeVault(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_VAULT_STORE_H_
