// UnlockedSession: the keys of an unlocked account, held in one place so that locking
// (or dropping the session) wipes all of them.
#ifndef KEYWARDEN_KEYS_SESSION_H_
#define KEYWARDEN_KEYS_SESSION_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

class UnlockedSession {
 public:
  // Opens the private key with the user key; fails if it does not decrypt.
  static Result<UnlockedSession> Open(SymmetricKey user_key, const EncString& encrypted_private_key);

  UnlockedSession(UnlockedSession&&) noexcept = default;
  UnlockedSession& operator=(UnlockedSession&&) noexcept = default;
  ~UnlockedSession() = default;  // every member wipes itself

  bool locked() const { return !user_key_.has_value(); }
  // Wipes every key now; afterwards every accessor reports kWrongKey.
  void Lock();

  Result<const SymmetricKey*> user_key() const;
  Result<const RsaPrivateKey*> private_key() const;

  // Opens and keeps an organisation key (type 4 to this user's public key).
  Status AddOrganizationKey(std::string organization_id, const AsymmetricEncString& member_org_key);
  Result<const SymmetricKey*> organization_key(std::string_view organization_id) const;
  std::size_t organization_count() const { return org_keys_.size(); }

 private:
  UnlockedSession(SymmetricKey user_key, RsaPrivateKey private_key)
      : user_key_(std::move(user_key)), private_key_(std::move(private_key)) {}
  std::optional<SymmetricKey> user_key_;
  std::optional<RsaPrivateKey> private_key_;
  std::map<std::string, SymmetricKey, std::less<>> org_keys_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_SESSION_H_
