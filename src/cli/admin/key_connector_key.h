// The master key of an account that unlocks with a Key Connector (member-decryption.md 5), read
// from the connector as the official clients read it: GET {url}/user-keys with the account's
// access token, answered {"key": "<the 32-byte master key, base64>"}.
//
// The connector's URL is the organisation's: the first of the account's organisations whose
// single sign-on uses Key Connector (keyConnectorEnabled with a keyConnectorUrl), which is the
// clients' "managing organisation". The sync lists confirmed memberships only, and a member whose
// Key Connector set-up accepted the invitation may not be confirmed yet; GET /api/organizations
// lists those too on this server, and --key-connector-url names the connector where a server
// lists neither (the official CLI, after an API-key login, takes it from its settings). The connector is reached over
// https (plain http only to a loopback host, as every URL of the admin command line), trusting the session's CA file
// when it has one: a private CA that vouches for the server usually vouches for the connector too.
//
// Errors, one line each and never the key: kNotFound when no organisation names a connector or
// the connector holds no key for the account; kAuthenticationFailed when it refuses the token;
// kUnavailable when it cannot be reached or answers otherwise.
#ifndef KEYWARDEN_CLI_ADMIN_KEY_CONNECTOR_KEY_H_
#define KEYWARDEN_CLI_ADMIN_KEY_CONNECTOR_KEY_H_

#include <string>

#include <nlohmann/json.hpp>

#include "cli/admin/session.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

// The Key Connector URL the first of `organizations` (profile organisation objects: the sync's
// profile.organizations or GET /api/organizations' data) names, without a trailing '/'.
Result<std::string> KeyConnectorUrlOf(const nlohmann::json& organizations);

// The account's master key from the connector at `url`, with `session`'s access token.
Result<MasterKey> FetchKeyConnectorKey(const std::string& url, const Session& session);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_KEY_CONNECTOR_KEY_H_
