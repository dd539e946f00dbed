#include "keywarden/keys/auth_request.h"

#include <utility>

#include "keys/internal/key_checks.h"
#include "keywarden/crypto/fingerprint.h"

namespace keywarden {

Result<AuthRequest> NewAuthRequest(std::string_view email) {
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, RsaPrivateKey::Generate());
  RsaPublicKey public_key = private_key.PublicKey();
  KW_ASSIGN_OR_RETURN(std::string fingerprint, FingerprintPhrase(email, public_key));
  return AuthRequest{
      .private_key = std::move(private_key),
      .public_key = std::move(public_key),
      .fingerprint = std::move(fingerprint),
  };
}

Result<AsymmetricEncString> ApproveAuthRequest(const RsaPublicKey& request_public_key, const SymmetricKey& user_key) {
  // Keywarden approves with the user key only; sending a master key is what older clients did.
  KW_RETURN_IF_ERROR(keys_internal::RequireFullKey(user_key, "user key"));
  return AsymmetricEncString::Encapsulate(request_public_key, user_key);
}

Result<SymmetricKey> CompleteAuthRequest(const RsaPrivateKey& request_private_key,
                                         const AsymmetricEncString& approval) {
  // 64 bytes: the user key itself. 32 bytes: an older client's approval with the master
  // key, returned as a legacy-kind SymmetricKey; the caller turns it into a MasterKey
  // (MasterKey::FromBytes) to unwrap the user key. Any other length is an error.
  return approval.DecapsulateKey(request_private_key);
}

}  // namespace keywarden
