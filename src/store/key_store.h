// KeyStore: where the Key Connector keeps sealed user keys and its wrapped data keys.
//
// A store never sees a plaintext key: rows hold AES-256-GCM ciphertexts sealed under a data
// key version, and data keys are held wrapped by the RSA key provider. Implementations:
// SQLite (store/sqlite_key_store.h); PostgreSQL and MariaDB join later behind this interface.
// Every method is safe to call from several threads at once.
#ifndef KEYWARDEN_STORE_KEY_STORE_H_
#define KEYWARDEN_STORE_KEY_STORE_H_

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

struct WrappedDataKey {
  std::uint32_t version = 0;                // 1, 2, ...: one per data-key rotation
  std::vector<std::uint8_t> wrapped;        // RSA-OAEP-SHA1 under the provider's key
  std::string provider_key_fingerprint;     // SHA-256 of the provider's public key (SPKI), hex
  TimeMs creation_date = 0;
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

  // Race-free initialisation: stores `candidate` as version `candidate.version` unless that
  // version exists, and returns whichever record is stored afterwards. Two processes racing on
  // an empty database both get the same (first) record back.
  virtual Result<WrappedDataKey> InitDataKey(const WrappedDataKey& candidate) = 0;
  // All data key versions, oldest first.
  virtual Result<std::vector<WrappedDataKey>> ListDataKeys() = 0;

  // OK when the database answers; kUnavailable otherwise.
  virtual Status Ping() = 0;
};

}  // namespace keywarden::store

#endif  // KEYWARDEN_STORE_KEY_STORE_H_
