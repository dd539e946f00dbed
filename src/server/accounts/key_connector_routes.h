// The account's Key Connector routes (docs member-decryption.md 5), each for the caller only:
//   POST /api/accounts/set-key-connector-key   a member provisioned by single sign-on, with no
//        master password and no user key yet, stores its user key wrapped by the Key Connector
//        key: the older body {key, keys{publicKey, encryptedPrivateKey}, kdf, kdfIterations,
//        kdfMemory?, kdfParallelism?, orgIdentifier} or the 2026 one
//        {keyConnectorKeyWrappedUserKey, accountKeys{...}, orgIdentifier} (the KDF then is the
//        reference's Argon2id default); accepts its Invited membership of the organisation named
//        by orgIdentifier, which must use Key Connector
//   POST /api/accounts/convert-to-key-connector   an account with a master password drops it
//        (hash and hint cleared, user key kept: its master key now lives in Key Connector)
//   POST /api/accounts/key-connector/enroll   {keyConnectorKeyWrappedUserKey}: the same, with
//        the user key replaced
//   GET  /api/accounts/key-connector/confirmation-details/{orgSsoIdentifier}
//        {object: "keyConnectorConfirmationDetails", organizationName}; 404 unless the
//        organisation uses Key Connector and the caller is a member
// The first three need KeyConnectorOperations.Use (key_connector_use.h), set uses_key_connector
// and log event 1009 (User_MigratedKeyToKeyConnector). None rotates the security stamp, as the
// reference: the sessions stay, and the clients sync the change.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_ROUTES_H_
#define KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_ROUTES_H_

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server {

void AddKeyConnectorRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_ROUTES_H_
