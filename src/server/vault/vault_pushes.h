// The notifications that tell a user's other clients to sync a change of their vault (docs
// member-decryption.md 8; the reference's PushSyncCipher*, PushSyncFolder*, PushSyncCiphers,
// PushSyncVault), queued in the change's own transaction (notifications/push_outbox.h).
//
// `device` is the identifier of the device whose request made the change: its own clients skip
// a notification that names them as its ContextId, so they do not sync what they just wrote.
#ifndef KEYWARDEN_SERVER_VAULT_VAULT_PUSHES_H_
#define KEYWARDEN_SERVER_VAULT_VAULT_PUSHES_H_

#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/notifications/push_outbox.h"
#include "server/vault/cipher_json.h"
#include "server/vault/folder_json.h"
#include "sql/database.h"

namespace keywarden::server::vault {

// SyncFolderCreate, SyncFolderUpdate or SyncFolderDelete: {Id, UserId, RevisionDate}.
Status QueueFolderPush(sql::Session& session, notifications::PushType type, std::string_view user_id,
                       const StoredFolder& folder, std::string_view device, TimeMs now);

// SyncCipherCreate, SyncCipherUpdate or SyncLoginDelete: {Id, UserId, OrganizationId,
// CollectionIds, RevisionDate}. A personal item's goes to its owner; an organisation item's to
// every member of the organisation with an account, with UserId null, as the reference's
// organisation group gets it (a member who cannot see the item finds that out when fetching it).
Status QueueCipherPush(sql::Session& session, notifications::PushType type, const StoredCipher& cipher,
                       std::string_view device, TimeMs now);

// SyncCiphers (after a bulk change) or SyncVault (after a purge): {UserId, Date}.
Status QueueVaultPush(sql::Session& session, notifications::PushType type, std::string_view user_id,
                      std::string_view device, TimeMs now);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_VAULT_PUSHES_H_
