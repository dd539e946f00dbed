// UserKeyService: what the /user-keys routes do, without HTTP.
//
// It seals a user's key under the data keyring before it reaches the store, opens it on the
// way out, and notes the last access without writing to the database on the read path.
// Keys are opaque bytes to the connector (a 32-byte master key or a key-connector key); only
// their size is checked. Thread-safe.
#ifndef KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_SERVICE_H_
#define KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/clock.h"
#include "connector/store/key_store.h"
#include "connector/user_keys/last_access_batcher.h"
#include "custody/data_keyring.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::connector {

class UserKeyService {
 public:
  // Sizes a stored key may have: anything a client sends that decodes outside this range is
  // refused before it is sealed (the clients send 32 or 64 bytes).
  static constexpr std::size_t kMinKeyBytes = 16;
  static constexpr std::size_t kMaxKeyBytes = 512;

  // `last_access` may be null (no last-access tracking). `clock` dates new keys and last accesses.
  // All references must outlive the service.
  UserKeyService(connector::store::KeyStore& store, const custody::DataKeyring& keyring, LastAccessBatcher* last_access,
                 const Clock& clock);

  // kNotFound when the user has no key; kAuthenticationFailed when the stored row does not open
  // for this user (altered, or copied from another user's row).
  Result<SecureBuffer> Get(std::string_view user_id);
  // POST: kAlreadyExists when the user has a key.
  Status Create(std::string_view user_id, std::span<const std::uint8_t> key);
  // PUT: creates or replaces (key rotation).
  Status Replace(std::string_view user_id, std::span<const std::uint8_t> key);
  // DELETE: kNotFound when there was nothing to delete.
  Status Delete(std::string_view user_id);

  // kInvalidArgument when `key` has a size no client sends.
  static Status CheckKeySize(std::span<const std::uint8_t> key);

 private:
  Result<connector::store::UserKeyRecord> Seal(std::string_view user_id, std::span<const std::uint8_t> key);

  connector::store::KeyStore& store_;
  const custody::DataKeyring& keyring_;
  LastAccessBatcher* last_access_;
  const Clock& clock_;
};

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_SERVICE_H_
