// DataKeyring: the envelope around stored user keys.
//
// The store keeps data keys only wrapped by the RSA key provider; the keyring unwraps every
// version once, at start-up, and seals and opens user keys with AES-256-GCM under them. A user
// key is sealed under the newest version with its user id as associated data, so a sealed row
// copied onto another user's row does not open.
//
// On an empty store the keyring creates version 1 through KeyStore::InitDataKey and adopts
// whatever record the store returns, so instances starting together on one database agree on
// a single data key (the reference can end up with two).
//
// Immutable after Open; safe to use from several threads at once.
#ifndef KEYWARDEN_CONNECTOR_DATA_KEYRING_H_
#define KEYWARDEN_CONNECTOR_DATA_KEYRING_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/rsa_key_provider.h"
#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"
#include "store/key_store.h"

namespace keywarden::connector {

class DataKeyring {
 public:
  static constexpr std::size_t kDataKeySize = 32;

  // Loads (or, on an empty store, creates) the data keys. kUnavailable when a stored version
  // was not wrapped by `provider`'s key, or when the store or provider cannot be reached.
  static Result<std::unique_ptr<DataKeyring>> Open(store::KeyStore& store, const RsaKeyProvider& provider);

  // The version new seals use (the newest).
  std::uint32_t current_version() const { return current_version_; }

  // Seals `user_key` for `user_id` under the current version: {version, sealed bytes}.
  Result<std::pair<std::uint32_t, std::vector<std::uint8_t>>> Seal(std::string_view user_id,
                                                                   std::span<const std::uint8_t> user_key) const;
  // Opens what Seal returned. kUnavailable for a version this keyring does not hold;
  // kAuthenticationFailed when `sealed` was altered or sealed for another user.
  Result<SecureBuffer> Open(std::string_view user_id, std::uint32_t version,
                            std::span<const std::uint8_t> sealed) const;

 private:
  explicit DataKeyring(std::map<std::uint32_t, std::unique_ptr<Aead>> versions);

  std::map<std::uint32_t, std::unique_ptr<Aead>> versions_;
  std::uint32_t current_version_;
};

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_DATA_KEYRING_H_
