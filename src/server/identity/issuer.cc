#include "server/identity/issuer.h"

#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace keywarden::server {
namespace {

// How long a renewed record keeps a key published beyond its tokens' lifetime: a renewal that
// is late by up to this much does not drop a key that still signs.
constexpr std::chrono::minutes kRenewalSlack{5};
constexpr std::chrono::seconds kJwksCacheTime{5};
constexpr std::chrono::seconds kClockSkew{60};

TimeMs ToMs(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

constexpr sql::Statement kRecord = {
    "server_record_signing_key",
    "INSERT INTO signing_keys(kid, public_jwk, first_used, last_used) VALUES ($1, $2, $3, $3) "
    "ON CONFLICT (kid) DO UPDATE SET last_used = $3",
    nullptr, nullptr, "to record the signing key"};
constexpr sql::Statement kRenew = {"server_renew_signing_key", "UPDATE signing_keys SET last_used = $2 WHERE kid = $1",
                                   nullptr, nullptr, "to renew the signing key"};
// Keys that may have live tokens (renewed within the lifetime), or are staged for future use.
constexpr sql::Statement kPublished = {"server_published_signing_keys",
                                       "SELECT kid, public_jwk FROM signing_keys WHERE last_used >= $1 OR first_used > "
                                       "$2 ORDER BY first_used",
                                       nullptr, nullptr, "to read the published signing keys"};

}  // namespace

Issuer::Issuer(std::unique_ptr<jose::SigningKeySet> keys, std::string issuer, std::chrono::seconds lifetime,
               sql::Database& database)
    : keys_(std::move(keys)), issuer_(std::move(issuer)), lifetime_(lifetime), database_(database) {}

Result<std::unique_ptr<Issuer>> Issuer::Create(std::shared_ptr<const jose::SigningKey> key, std::string issuer,
                                               std::chrono::seconds access_token_lifetime, sql::Database& database,
                                               TimePoint now) {
  if (key == nullptr) return InvalidArgumentError("no signing key");
  const std::string kid = key->kid();
  const std::string jwk = key->PublicJwk().dump();
  KW_ASSIGN_OR_RETURN(auto keys, jose::SigningKeySet::Create(std::move(key), access_token_lifetime + kClockSkew));
  if (Status done = database.Transact([&](sql::Session& session) {
        return session.Execute(kRecord, sql::Params().Text(kid).Text(jwk).Int(ToMs(now))).status();
      });
      !done.ok())
    return done;
  return std::unique_ptr<Issuer>(new Issuer(std::move(keys), std::move(issuer), access_token_lifetime, database));
}

Result<std::string> Issuer::Mint(const AccessTokenSubject& s, TimePoint now) const {
  const std::int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  nlohmann::json claims = {
      {"iss", issuer_},
      {"nbf", iat},
      {"iat", iat},
      {"exp", iat + lifetime_.count()},
      {"sub", s.user_id},
      {"email", s.email},
      {"email_verified", s.email_verified},
      {"premium", s.premium},
      {"sstamp", s.security_stamp},
      {"device", s.device_identifier},
      {"devicetype", std::to_string(s.device_type)},
      {"client_id", s.client_id},
      {"scope", s.scope},
      {"amr", s.amr},
  };
  if (!s.name.empty()) claims["name"] = s.name;
  return keys_->Mint(claims, now);
}

std::string Issuer::DiscoveryJson() const {
  const nlohmann::json document = {
      {"issuer", issuer_},
      {"jwks_uri", issuer_ + "/.well-known/openid-configuration/jwks"},
      {"token_endpoint", issuer_ + "/connect/token"},
      {"grant_types_supported", {"password", "client_credentials", "refresh_token"}},
      {"scopes_supported", {"api", "offline_access"}},
      {"response_types_supported", {"token"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256"}},
      {"token_endpoint_auth_methods_supported", {"client_secret_post"}},
  };
  return document.dump();
}

Result<std::string> Issuer::Jwks(TimePoint now) {
  {
    MutexLock lock(mu_);
    if (!cached_jwks_.empty() && now >= cached_at_ && now - cached_at_ < kJwksCacheTime) return cached_jwks_;
  }
  nlohmann::json document = nlohmann::json::parse(keys_->Publish(now), nullptr, false);
  if (!document.is_object() || !document["keys"].is_array()) return InternalError("the key set's JWKS did not parse");
  std::set<std::string> kids;
  for (const auto& jwk : document["keys"]) kids.insert(jwk.value("kid", ""));
  const TimeMs oldest_live = ToMs(now - lifetime_ - kClockSkew - kRenewalSlack);
  if (Status done = database_.Read([&](sql::Session& session) -> Status {
        KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kPublished, sql::Params().Int(oldest_live).Int(ToMs(now))));
        for (std::size_t i = 0; i < rows.size(); ++i) {
          if (!kids.insert(rows.Text(i, 0)).second) continue;
          nlohmann::json jwk = nlohmann::json::parse(rows.Text(i, 1), nullptr, false);
          if (jwk.is_object()) document["keys"].push_back(std::move(jwk));
        }
        return OkStatus();
      });
      !done.ok())
    return done;
  std::string text = document.dump();
  MutexLock lock(mu_);
  cached_jwks_ = text;
  cached_at_ = now;
  return text;
}

Status Issuer::Renew(TimePoint now) {
  const std::string kid = keys_->current()->kid();
  return database_.Transact(
      [&](sql::Session& session) { return session.Execute(kRenew, sql::Params().Text(kid).Int(ToMs(now))).status(); });
}

}  // namespace keywarden::server
