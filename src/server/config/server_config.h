// ServerConfig: everything the Keywarden server reads at start-up, and where it comes from.
//
// Sources, each overriding the one before: built-in defaults (below); a TOML file
// (`[section] key = value`; `public_url` and `web_vault_dir` at the top); KEYWARDEN_<SECTION>_<KEY>
// environment variables (KEYWARDEN_PUBLIC_URL, KEYWARDEN_DATABASE_PROVIDER, ...). The shared
// sections (listen, database, tls, limits, log, metrics) read exactly as the connector's do.
// docs/server-configuration.md lists every setting.
//
// Loading is strict: an unknown key or variable, a value of the wrong type or range stops
// start-up with one line naming the setting; messages name secret settings, never their values.
#ifndef KEYWARDEN_SERVER_CONFIG_SERVER_CONFIG_H_
#define KEYWARDEN_SERVER_CONFIG_SERVER_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/sections.h"
#include "custody/rsa_key_settings.h"
#include "keywarden/status.h"
#include "mail/mail_settings.h"

namespace keywarden::server {

struct ServerConfig {
  config::ListenSection listen{"127.0.0.1", 8080};

  // Required: where clients reach this server, e.g. "https://vault.example.com" (stored without a
  // trailing '/'). The token issuer is public_url + "/identity"; mail links point here.
  std::string public_url;
  // A web vault build to serve at "/", or empty for none.
  std::string web_vault_dir;

  config::DatabaseSection database;  // sqlite_path defaults to /var/lib/keywarden/server.db
  // The key that signs access tokens ([signing_key]): a key file or an HSM key.
  custody::RsaKeySettings signing_key;
  config::TlsSection tls;
  config::LimitsSection limits;
  config::LogSection log;
  config::MetricsSection metrics;
  // [mail]: verification links, new-device notices, two-step codes. Without it, what needs mail
  // says so.
  ::keywarden::mail::MailSettings mail;

  // [accounts]: who may create an account.
  struct Accounts {
    enum class Signups { kOpen, kClosed, kDomains };
    Signups signups = Signups::kOpen;
    std::vector<std::string> signup_domains;  // lower case; for kDomains
    // Registration must follow a link mailed to the address (needs [mail]).
    bool require_email_verification = false;
  } accounts;

  // [organizations]: who may create an organisation: "everyone", "nobody", or e-mail addresses
  // (lower case) separated by commas.
  struct Organizations {
    enum class Creators { kEveryone, kNobody, kListed };
    Creators creators = Creators::kEveryone;
    std::vector<std::string> creator_emails;
  } organizations;

  // [tokens]: how long what the token endpoint issues lasts.
  struct Tokens {
    std::uint32_t access_token_seconds = 3600;  // as the reference
    std::uint32_t refresh_token_days = 30;      // sliding: each refresh issues a new one
    // A refresh token used again within this many seconds of its first use is the same client
    // refreshing twice at once (the official CLI does), not a stolen copy: see TokenEndpoint.
    std::uint32_t refresh_reuse_grace_seconds = 30;
  } tokens;

  // [password_hash]: Argon2id over the client's password hash (OWASP's minimum by default).
  // Changing them rehashes each account at its next login.
  struct PasswordHash {
    std::uint32_t memory_kib = 19456;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
    // Argon2 computations at once (0: one per core); more wait, so logins cannot starve the rest.
    std::uint32_t concurrency = 0;
  } password_hash;

  // [login]: failed logins before a pause, counted over window_seconds.
  struct Login {
    std::uint32_t max_failures_per_account = 10;
    std::uint32_t max_failures_per_address = 100;
    std::uint32_t window_seconds = 900;
    std::uint32_t block_seconds = 900;
  } login;
};

inline constexpr std::string_view kServerConfigPathVariable = "KEYWARDEN_CONFIG";

// Defaults < `toml_path` (if given; it must exist) < `environment`'s KEYWARDEN_* variables.
// Errors: kInvalidArgument (unknown or malformed settings, a missing file, public_url not set),
// kUnsupported (a provider this build lacks).
Result<ServerConfig> LoadServerConfig(const std::optional<std::string>& toml_path,
                                      const std::vector<std::pair<std::string, std::string>>& environment);

// One line per setting: its TOML name, its variable and what it does (secrets marked).
std::string DescribeServerSettings();

// A few lines for `server check`; secrets appear only as "(set)".
std::string DescribeServerConfig(const ServerConfig& config);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_CONFIG_SERVER_CONFIG_H_
