// The user key of an account that has neither a master password nor a Key Connector (a
// trusted-devices member), obtained the way any new device of such a member obtains it: by login
// with device (member-decryption.md 2). The command line asks, one of the member's trusted devices
// answers:
//   1. a one-time RSA-2048 key pair and a 25-character access code (keys/auth_request.h);
//   2. POST /api/auth-requests {email, publicKey, deviceIdentifier, accessCode, type 1 (unlock)}
//      from the session's own device identifier: the server takes requests only from a device the
//      account has logged in from, and the session's login (the API key) registered this one;
//   3. the fingerprint phrase (e-mail and the request's public key) is shown, for the member to
//      compare with the one their trusted device shows before approving there;
//   4. GET /api/auth-requests/{id}/response?code= every `poll_interval` until the request is
//      answered or `deadline` passes;
//   5. the approval (the user key encapsulated to the request's public key) is opened with the
//      one-time private key.
// Type 1 rather than 0: the session is already logged in, only the key is missing, and an unlock
// request can never be spent as a login (the password grant takes type 0 only).
//
// Errors, one line each, none naming a key: kConflict "the request was denied on <device type>";
// kUnavailable "no device approved the request within N s" (the server's own 15 minutes ending
// first shows as the request no longer being found: kNotFound); kWrongKey or
// kAuthenticationFailed when the approval does not open with the request's key. The caller checks
// that the key it got is the account's (it opens the account's private key).
#ifndef KEYWARDEN_CLI_ADMIN_DEVICE_APPROVAL_H_
#define KEYWARDEN_CLI_ADMIN_DEVICE_APPROVAL_H_

#include <chrono>
#include <functional>
#include <string>

#include "cli/admin/admin_client.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

struct DeviceApprovalOptions {
  std::chrono::milliseconds deadline{std::chrono::minutes(15)};  // the server keeps a request 15 min
  std::chrono::milliseconds poll_interval{std::chrono::seconds(2)};
  // Told the fingerprint phrase and the request's id once the request exists, for the person
  // who approves; the command line writes it to standard error.
  std::function<void(const std::string& fingerprint, const std::string& request_id)> show;
};

// The account's user key, from one of its trusted devices' approval (see above).
Result<SymmetricKey> RequestDeviceApproval(AdminClient& client, const DeviceApprovalOptions& options);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_DEVICE_APPROVAL_H_
