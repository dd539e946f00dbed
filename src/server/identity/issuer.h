// Issuer: the server as its own OpenID issuer. It mints the access tokens the official clients
// carry, publishes the discovery document and the JWKS, and keeps a key published until the
// last token it signed has expired.
//
// Keys: the configured key (custody: a file or an HSM) signs. Each instance records the key it
// signs with in the database (signing_keys) and renews the record while it runs, so that the
// JWKS of every instance lists every key that may still have live tokens: after a rollover (a
// new key file, a restart), the old key stays published until its last token expires, on every
// instance. A key staged in that table with a future first use is published before it signs.
//
// Thread-safe.
#ifndef KEYWARDEN_SERVER_IDENTITY_ISSUER_H_
#define KEYWARDEN_SERVER_IDENTITY_ISSUER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/time.h"
#include "jose/signing_key.h"
#include "jose/signing_key_set.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server {

// What an access token says about its holder (core.md 3.5).
struct AccessTokenSubject {
  std::string user_id;
  std::string email;
  std::string name;
  bool email_verified = false;
  bool premium = false;
  std::string security_stamp;
  std::string device_identifier;
  int device_type = 0;
  std::string client_id;           // "cli", "web", ... or "user.<id>" for the API key
  std::vector<std::string> scope;  // ["api", "offline_access"] or ["api"]
  std::vector<std::string> amr;    // ["Application"]
};

class Issuer {
 public:
  // `issuer` is public_url + "/identity". Records `key` as signing from `now`.
  static Result<std::unique_ptr<Issuer>> Create(std::shared_ptr<const jose::SigningKey> key, std::string issuer,
                                                std::chrono::seconds access_token_lifetime, sql::Database& database,
                                                TimePoint now);

  const std::string& issuer() const { return issuer_; }
  std::chrono::seconds access_token_lifetime() const { return lifetime_; }

  // A signed RS256 access token for `subject`, valid from `now` for the access token lifetime.
  Result<std::string> Mint(const AccessTokenSubject& subject, TimePoint now) const;

  // {"issuer", "jwks_uri", "token_endpoint", ...} for /identity/.well-known/openid-configuration.
  std::string DiscoveryJson() const;

  // The JWKS: the signing key and every other key of the database still published at `now`
  // (read at most every few seconds; in between the last answer is reused).
  Result<std::string> Jwks(TimePoint now) KW_EXCLUDES(mu_);

  // Renews this instance's record of its key (call every minute or so): what keeps the key
  // published on other instances for as long as this one signs with it.
  Status Renew(TimePoint now);

 private:
  Issuer(std::unique_ptr<jose::SigningKeySet> keys, std::string issuer, std::chrono::seconds lifetime,
         sql::Database& database);

  std::unique_ptr<jose::SigningKeySet> keys_;
  const std::string issuer_;
  const std::chrono::seconds lifetime_;
  sql::Database& database_;

  Mutex mu_;
  std::string cached_jwks_ KW_GUARDED_BY(mu_);
  TimePoint cached_at_ KW_GUARDED_BY(mu_);
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_ISSUER_H_
