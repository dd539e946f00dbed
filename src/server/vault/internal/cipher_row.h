// A ciphers row as the vault's statements select it: KW_CIPHER_COLUMNS, in that order, read into
// a StoredCipher reusing its buffers (a sync reads thousands into one).
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ROW_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ROW_H_

#include "keywarden/status.h"
#include "server/vault/cipher_json.h"
#include "sql/database.h"

// The columns, unqualified (statements that join spell them out with their table).
#define KW_CIPHER_COLUMNS                                                                                   \
  "id, user_id, organization_id, type, data, folder_id, favorite, reprompt, creation_date, revision_date, " \
  "deleted_date, archived_date"

namespace keywarden::server::vault::internal {

// The number of columns KW_CIPHER_COLUMNS names; a statement's further columns follow them.
inline constexpr std::size_t kCipherColumnCount = 12;

Status ReadCipherRow(const sql::RowView& row, StoredCipher& cipher);

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ROW_H_
