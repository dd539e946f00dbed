#include "keywarden/keys/organization.h"

#include <utility>

#include "keys/internal/key_checks.h"
#include "keywarden/keys/account.h"

namespace keywarden {

using keys_internal::FullKeyFromBytes;
using keys_internal::RequireFullKey;

Result<NewOrganization> CreateOrganization() {
  KW_ASSIGN_OR_RETURN(SymmetricKey org_key, SymmetricKey::Generate());
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(EncString encrypted_private_key, EncryptPrivateKey(org_key, private_key));
  RsaPublicKey public_key = private_key.PublicKey();
  return NewOrganization{
      .org_key = std::move(org_key),
      .private_key = std::move(private_key),
      .public_key = std::move(public_key),
      .encrypted_private_key = std::move(encrypted_private_key),
  };
}

Result<AsymmetricEncString> ShareOrganizationKey(const SymmetricKey& org_key, const RsaPublicKey& member_public_key) {
  KW_RETURN_IF_ERROR(RequireFullKey(org_key, "organization key"));
  return AsymmetricEncString::Encapsulate(member_public_key, org_key);
}

Result<SymmetricKey> OpenOrganizationKey(const AsymmetricEncString& member_org_key,
                                         const RsaPrivateKey& member_private_key) {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, member_org_key.Decapsulate(member_private_key));
  return FullKeyFromBytes(std::move(bytes), "organization key");
}

Result<RsaPrivateKey> OpenOrganizationPrivateKey(const SymmetricKey& org_key, const EncString& encrypted_private_key) {
  return DecryptPrivateKey(org_key, encrypted_private_key);
}

}  // namespace keywarden
