// User-key rotation (member-decryption.md 6, issue 19), for the caller only:
//   GET  /api/accounts/key-management/key-rotation-data   what the client must re-encrypt besides
//        the vault: {object: "keyRotationData", organizationPasswordResetKeyData: [{organizationId,
//        organizationName, organizationPublicKey}] (the organisations the account is enrolled in
//        for account recovery), emergencyAccessKeyData: [], trustedDeviceKeyData: [{id,
//        encryptedPublicKey, encryptedUserKey}], passkeyKeyData: []} (this server has no emergency
//        access and no passkey login).
//   POST /api/accounts/key-management/rotate-user-account-keys   a new master password and a new
//        user key at once; the current password's hash must match (400 "Incorrect password.").
//   POST /api/accounts/key-management/rotate-user-keys   a new user key for any unlock method.
// The bodies are rotation_request.h's and their rules rotation_apply.h's. A rotation is applied
// in one transaction, all or nothing: the account's keys, every personal cipher and folder, the
// trusted devices' keys and the recovery enrolments, re-read and checked inside it, so that an
// item another device added after the client read the vault fails the rotation (400) instead of
// being left under the old key. Then the security stamp is new (every session ends) and a LogOut
// push is queued for the account's devices, as the reference does. No event: the reference has
// no event type for a rotation.
#ifndef KEYWARDEN_SERVER_KEY_MANAGEMENT_KEY_ROTATION_ROUTES_H_
#define KEYWARDEN_SERVER_KEY_MANAGEMENT_KEY_ROTATION_ROUTES_H_

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server::key_management {

void AddKeyRotationRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace keywarden::server::key_management

#endif  // KEYWARDEN_SERVER_KEY_MANAGEMENT_KEY_ROTATION_ROUTES_H_
