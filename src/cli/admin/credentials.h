// The administrator's password and the keys it opens, in memory for one command.
//
// Nothing here is ever written: the password comes from --password-file (a path, or "-" for
// standard input) or a prompt on the terminal, and the user key, private key and organisation
// keys are re-derived from it and the account's sync each time a command needs them.
#ifndef KEYWARDEN_CLI_ADMIN_CREDENTIALS_H_
#define KEYWARDEN_CLI_ADMIN_CREDENTIALS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "cli/admin/admin_client.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

// The password from `password_file` ("-": standard input; one trailing newline dropped), or, when
// it is empty, typed at a prompt on /dev/tty without echo. kInvalidArgument when neither is
// possible or the password is empty.
Result<SecureBuffer> ReadPassword(const std::string& password_file);

// A new master password for `flag` (--new-password), from "@FILE" or "-" (standard input) only:
// typed on the command line it would show in the process list and the shell's history.
// `password_file` is the same command's --password-file: the two cannot both read standard input.
Result<SecureBuffer> ReadNewPassword(std::string_view flag, const std::string& raw, const std::string& password_file);

struct UnlockedAccount {
  SymmetricKey user_key;
  RsaPrivateKey private_key;
  nlohmann::json sync;         // GET /api/sync: profile.organizations[].key are the organisation keys
  SecureBuffer password_hash;  // the master password's server hash, for requests that verify it
  MasterKey master_key;        // to wrap a new user key (a rotation) under the same password
};

// The account's keys: the master key from the password and the session's KDF and salt, the user
// key it unwraps from the sync's profile.key, the private key under that, and the password's
// server hash. kAuthenticationFailed "wrong password" when the password does not open the user key.
Result<UnlockedAccount> UnlockAccount(AdminClient& client, const std::string& password_file);

// The organisation key as this account holds it (its sync's profile.organizations[].key, opened
// with the private key). kNotFound when the account has no key for it (not a confirmed member).
Result<SymmetricKey> OrganizationKeyOf(const UnlockedAccount& account, const std::string& organization_id);

// KDF settings as the server's JSON names them (prelogin's kdfSettings, the token response's
// Kdf*, reset-password details' kdf*), checked against what clients derive with: kUnavailable
// when the server named settings no client would use.
Result<KdfConfig> KdfFromFields(const nlohmann::json& object, std::string_view type_field,
                                std::string_view iterations_field, std::string_view memory_field,
                                std::string_view parallelism_field);

// "PBKDF2-SHA256, 600000 iterations" or "Argon2id, 3 iterations, 64 MiB, 4 lanes": for reports.
std::string DescribeKdf(const KdfConfig& kdf);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_CREDENTIALS_H_
