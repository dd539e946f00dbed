#include "keywarden/keys/session.h"

#include <utility>

#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"

namespace keywarden {

namespace {
Status LockedError() { return WrongKeyError("the session is locked"); }
}  // namespace

Result<UnlockedSession> UnlockedSession::Open(SymmetricKey user_key, const EncString& encrypted_private_key) {
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, DecryptPrivateKey(user_key, encrypted_private_key));
  return UnlockedSession(std::move(user_key), std::move(private_key));
}

void UnlockedSession::Lock() {
  // Each key wipes its own memory when destroyed; resetting destroys them now rather than
  // when the session goes away.
  user_key_.reset();
  private_key_.reset();
  org_keys_.clear();
}

Result<const SymmetricKey*> UnlockedSession::user_key() const {
  if (locked()) return LockedError();
  return &*user_key_;
}

Result<const RsaPrivateKey*> UnlockedSession::private_key() const {
  if (locked()) return LockedError();
  return &*private_key_;
}

Status UnlockedSession::AddOrganizationKey(std::string organization_id, const AsymmetricEncString& member_org_key) {
  if (locked()) return LockedError();
  KW_ASSIGN_OR_RETURN(SymmetricKey org_key, OpenOrganizationKey(member_org_key, *private_key_));
  org_keys_.insert_or_assign(std::move(organization_id), std::move(org_key));
  return OkStatus();
}

Result<const SymmetricKey*> UnlockedSession::organization_key(std::string_view organization_id) const {
  if (locked()) return LockedError();
  auto it = org_keys_.find(organization_id);
  if (it == org_keys_.end()) return InvalidArgumentError("no key for this organization in the session");
  return &it->second;
}

}  // namespace keywarden
