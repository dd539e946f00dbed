// Who may start using Key Connector (docs member-decryption.md 5): the reference's
// KeyConnectorOperations.Use, which set-key-connector-key, convert-to-key-connector and
// key-connector/enroll check first.
//
// Refused (400 "Cannot use Key Connector") when the account already uses Key Connector, or is
// an owner or administrator of any organisation (the reference reads the token's organisation
// claims; here every membership but a revoked one counts, so an invited administrator is
// refused too). Beyond the reference, convert and enroll also need the account to be an
// active member of an organisation whose single sign-on is on with Key Connector
// (ManagedByKeyConnector): the clients only call them then, and an account converted without
// one would have no key server to unlock with.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_USE_H_
#define KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_USE_H_

#include <string_view>

#include "keywarden/status.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server {

inline constexpr std::string_view kCannotUseKeyConnector = "Cannot use Key Connector";

// OK, or kInvalidArgument kCannotUseKeyConnector.
Status CheckMayUseKeyConnector(sql::Session& session, const store::User& account);

// Whether the account is a member (invited, accepted or confirmed) of an organisation whose
// single sign-on configuration is enabled with Key Connector on (SsoConfigData::KeyConnectorEnabled).
Result<bool> ManagedByKeyConnector(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_USE_H_
