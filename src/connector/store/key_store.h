// KeyStore: where the Key Connector keeps sealed user keys and its wrapped data keys (the data-key
// half is custody::DataKeyStore, which the keyring and the RSA key rotation see).
//
// A store never sees a plaintext key: rows hold AES-256-GCM ciphertexts sealed under a data
// key version, and data keys are held wrapped by the RSA key provider. Implementations:
// SQLite (store/sqlite_key_store.h), and PostgreSQL or MariaDB/MySQL written once over
// sql::Database (store/database_key_store.h). Every method is safe to call from several threads at once, and
// from several processes (connector instances, admin tools) sharing one database.
//
#ifndef KEYWARDEN_CONNECTOR_STORE_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_KEY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "custody/data_key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector::store {

struct UserKeyRecord {
  std::string user_id;               // canonical lower-case GUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
  std::vector<std::uint8_t> sealed;  // AesGcmAead output under the data key, associated data = user_id
  std::uint32_t data_key_version = 0;
  TimeMs creation_date = 0;
  std::optional<TimeMs> revision_date;
  std::optional<TimeMs> last_access_date;
};

// One row to move from one sealing to another (rotate-data-key). Applied only if the row still
// holds exactly old_sealed under old_version, so a user's concurrent PUT is never overwritten.
struct Reseal {
  std::string user_id;
  std::uint32_t old_version = 0;
  std::vector<std::uint8_t> old_sealed;
  std::uint32_t new_version = 0;
  std::vector<std::uint8_t> new_sealed;
};

struct LastAccess {
  std::string user_id;
  TimeMs when = 0;
};

class KeyStore : public custody::DataKeyStore {
 public:
  // kNotFound when the user has no key.
  virtual Result<UserKeyRecord> GetUserKey(std::string_view user_id) = 0;
  // kAlreadyExists when the user has a key (the reference's POST semantics).
  virtual Status InsertUserKey(const UserKeyRecord& record) = 0;
  // Creates or replaces; a replacement keeps creation_date and sets revision_date.
  virtual Status UpsertUserKey(const UserKeyRecord& record) = 0;
  // kNotFound when there was nothing to delete.
  virtual Status DeleteUserKey(std::string_view user_id) = 0;
  // Applies many last-access times in one write (the connector batches them off the read path).
  virtual Status RecordLastAccess(std::span<const LastAccess> accesses) = 0;
  virtual Result<std::uint64_t> CountUserKeys() = 0;

  // Paging over every row: up to `limit` records whose user_id sorts after `after` (byte order;
  // "" starts at the beginning), in user_id order. Used by rotation, transfer and export.
  virtual Result<std::vector<UserKeyRecord>> ListUserKeys(std::string_view after, std::size_t limit) = 0;
  // Applies each reseal whose row is unchanged (same old_version and old_sealed), in one
  // transaction, leaving dates alone; returns how many rows were changed. Rows that changed or
  // vanished meanwhile are skipped, not an error.
  virtual Result<std::size_t> ResealUserKeys(std::span<const Reseal> reseals) = 0;
  // Writes `records` exactly as given (every date included), creating or replacing rows, in one
  // transaction: all land or none (transfer and import).
  virtual Status PutUserKeysExact(std::span<const UserKeyRecord> records) = 0;

  // The schema version of the database as stored (after Open's migrations: the build's own).
  virtual Result<int> SchemaVersion() = 0;

  // OK when the database answers, has every table, and (SQLite) is still the file opened and
  // took the last write; the failure otherwise, in one line for the log.
  virtual Status Ping() = 0;

  // True when opening this store created its database (a new SQLite file): a service that
  // expected its keys there says so loudly. Servers' databases are created by their operators.
  virtual bool created() const { return false; }
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_KEY_STORE_H_
