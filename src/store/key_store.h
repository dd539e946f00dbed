// KeyStore: where the Key Connector keeps sealed user keys and its wrapped data keys.
//
// A store never sees a plaintext key: rows hold AES-256-GCM ciphertexts sealed under a data
// key version, and data keys are held wrapped by the RSA key provider. Implementations:
// SQLite (store/sqlite_key_store.h), PostgreSQL (store/postgres_key_store.h) and MariaDB/MySQL
// (store/mariadb_key_store.h). Every method is safe to call from several threads at once, and
// from several processes (connector instances, admin tools) sharing one database.
//
// Schema version 2 (all backends): a data key version may be wrapped by several RSA keys at once
// (one row per version and provider fingerprint), so rotate-rsa-key can add the new wrapping,
// verify it, and only then retire the old one.
#ifndef KEYWARDEN_STORE_KEY_STORE_H_
#define KEYWARDEN_STORE_KEY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::store {

// Times are milliseconds since the Unix epoch, UTC.
using TimeMs = std::int64_t;

struct UserKeyRecord {
  std::string user_id;               // canonical lower-case GUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
  std::vector<std::uint8_t> sealed;  // AesGcmAead output under the data key, associated data = user_id
  std::uint32_t data_key_version = 0;
  TimeMs creation_date = 0;
  std::optional<TimeMs> revision_date;
  std::optional<TimeMs> last_access_date;
};

// One wrapping of one data key version. A version has one or more wrappings, each under a
// different RSA key (named by its fingerprint); all of them unwrap to the same 32 bytes.
struct WrappedDataKey {
  std::uint32_t version = 0;                // 1, 2, ...: one per data-key rotation
  std::vector<std::uint8_t> wrapped;        // RSA-OAEP-SHA1 under the provider's key
  std::string provider_key_fingerprint;     // SHA-256 of the provider's public key (SPKI), hex
  TimeMs creation_date = 0;                 // of this wrapping
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

class KeyStore {
 public:
  virtual ~KeyStore() = default;

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

  // Race-free creation of a data key version: if `candidate.version` does not exist it is created
  // with `candidate` as its first wrapping and `candidate` is returned. If it exists, the stored
  // wrapping of that version with candidate's fingerprint is returned, else its oldest wrapping.
  // Two processes racing on an empty database both get the same (first) record back.
  virtual Result<WrappedDataKey> InitDataKey(const WrappedDataKey& candidate) = 0;
  // Adds another wrapping to an existing version, or replaces the wrapping with the same
  // fingerprint. kNotFound when the version does not exist.
  virtual Status PutDataKeyWrapping(const WrappedDataKey& wrapping) = 0;
  // Removes one wrapping. kNotFound when absent; kInvalidArgument when it is the version's last
  // wrapping (a version must stay unwrappable).
  virtual Status DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) = 0;
  // Every wrapping of every version, by version, then by creation date (oldest first).
  virtual Result<std::vector<WrappedDataKey>> ListDataKeys() = 0;

  // The schema version of the database as stored (after Open's migrations: the build's own).
  virtual Result<int> SchemaVersion() = 0;

  // OK when the database answers; kUnavailable otherwise.
  virtual Status Ping() = 0;
};

}  // namespace keywarden::store

#endif  // KEYWARDEN_STORE_KEY_STORE_H_
