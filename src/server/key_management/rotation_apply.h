// A user-key rotation (rotation_request.h) checked against the account and applied to what the
// account stores under its user key, with the reference's rules (member-decryption.md 6, the
// validators of src/Api/KeyManagement/Validators/ and RotateUserAccountKeysCommand):
//
//   - the account must be in the state its unlock method needs: a master password and a user key
//     (master password), neither and no Key Connector (trusted devices), a user key and Key
//     Connector but no password (Key Connector);
//   - the KDF settings and salt must be the account's: the client derived the master key with
//     them, and a change of either has its own route;
//   - the public key must be the account's: the key pair is re-wrapped, never replaced (the
//     reference fails with a 500 here; this server answers 400);
//   - every personal cipher, every folder, every trusted device and every organisation the
//     account is enrolled in for account recovery must be listed, each with its new keys or data.
//
// Beyond the reference, which skips them silently, a listed id that is not one of the account's
// own (another user's cipher, folder or device, an organisation it is not a member of, an
// organisation's cipher) is refused too: a client that sends one has a view of the account that
// is not the stored one, and nothing of another account is ever touched.
//
// Refusals are kInvalidArgument with the reference's message where it has one, which the routes
// answer as 400; nothing is written then (the caller runs RewrapStoredData in the transaction
// that saves the account, so that a refusal found late rolls everything back).
#ifndef KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_APPLY_H_
#define KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_APPLY_H_

#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/key_management/rotation_request.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server::key_management {

// The account-level rules: unlock-method state, KDF, salt and public key. No database access.
Status CheckRotationFitsAccount(const store::User& user, const UserKeyRotation& rotation);

// Replaces the account's user key, private key and (for the password change) the password and
// its hint, which is cleared when none is sent, on `user`; the caller saves it. `new_password_hash` is the stored form
// of the new password for rotate-user-account-keys, else ignored. The user key id is cleared: it named the old key, and
// the clients post the new one's.
void ApplyRotationToAccount(const UserKeyRotation& rotation, const std::string& new_password_hash, store::User& user);

// Inside the transaction: reads the account's ciphers, folders, devices and recovery enrolments,
// refuses a rotation that does not list each of them exactly (or lists another's), and writes the
// re-encrypted ones with revision date `now`.
Status RewrapStoredData(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation, TimeMs now);

}  // namespace keywarden::server::key_management

#endif  // KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_APPLY_H_
