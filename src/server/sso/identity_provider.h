// The server as an OpenID Connect relying party toward an organisation's identity provider
// (docs member-decryption.md 7.3): discovery, the authorization URL, redeeming the code with
// PKCE and the client secret, the provider's signing keys and, when the configuration asks
// for it, the UserInfo endpoint.
//
// Discovery documents and key sets are cached per discovery URL for `cache_lifetime`. A token
// signed with a key the cache does not hold makes Keys() fetch again, at most once per
// `refetch_interval`, so that a provider's key rotation is followed without letting forged
// `kid`s make the server fetch on every request. Calls go through http/http_client.h: https
// with certificate checks (plain http only for loopback providers, as in the tests), bounded
// in time and size, never following redirects.
//
// Thread-safe.
#ifndef KEYWARDEN_SERVER_SSO_IDENTITY_PROVIDER_H_
#define KEYWARDEN_SERVER_SSO_IDENTITY_PROVIDER_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/mutex.h"
#include "http/http_client.h"
#include "jose/jwks.h"
#include "keywarden/status.h"
#include "server/sso/sso_config.h"

namespace keywarden::server::sso {

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string userinfo_endpoint;   // empty when the provider has none
  bool client_secret_post = true;  // else HTTP Basic (token_endpoint_auth_methods_supported)
};

// What the provider's token endpoint answered.
struct ProviderTokens {
  std::string id_token;
  std::string access_token;  // for the UserInfo endpoint
};

struct IdentityProviderOptions {
  http::HttpClientOptions http;
  std::chrono::seconds cache_lifetime{3600};
  std::chrono::seconds refetch_interval{30};
};

class IdentityProviders {
 public:
  explicit IdentityProviders(IdentityProviderOptions options) : options_(std::move(options)) {}

  // The provider's discovery document: `metadata_address`, or the authority's
  // /.well-known/openid-configuration. kUnavailable when it cannot be fetched or lacks an
  // issuer, authorization, token or JWKS endpoint.
  Result<ProviderMetadata> Metadata(const SsoConfigData& config, TimePoint now);

  // The provider's signing keys; `refetch` asks for a fresh copy (an unknown `kid`).
  Result<std::shared_ptr<const jose::JwkSet>> Keys(const ProviderMetadata& metadata, bool refetch, TimePoint now);

  // Exchanges the code the provider sent to `redirect_uri`. kUnauthenticated-like refusals
  // from the provider are kAuthenticationFailed with its `error`; failures to reach it are
  // kUnavailable.
  Result<ProviderTokens> RedeemCode(const ProviderMetadata& metadata, const SsoConfigData& config,
                                    std::string_view code, std::string_view redirect_uri,
                                    std::string_view code_verifier) const;

  // The UserInfo endpoint's claims for `access_token`.
  Result<nlohmann::json> UserInfo(const ProviderMetadata& metadata, std::string_view access_token) const;

  // Where the browser goes to sign in: the authorization request with PKCE (S256), the scopes
  // openid, profile, email and the configuration's additional ones, and acr_values if set.
  static std::string AuthorizationUrl(const ProviderMetadata& metadata, const SsoConfigData& config,
                                      std::string_view redirect_uri, std::string_view state, std::string_view nonce,
                                      std::string_view code_challenge);

 private:
  struct CachedMetadata {
    ProviderMetadata metadata;
    TimePoint fetched;
  };
  struct CachedKeys {
    std::shared_ptr<const jose::JwkSet> keys;
    TimePoint fetched;
  };

  const IdentityProviderOptions options_;
  Mutex mu_;
  std::map<std::string, CachedMetadata, std::less<>> metadata_ KW_GUARDED_BY(mu_);  // by discovery URL
  std::map<std::string, CachedKeys, std::less<>> keys_ KW_GUARDED_BY(mu_);          // by JWKS URL
};

// The discovery URL of `config`.
std::string DiscoveryUrl(const SsoConfigData& config);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_IDENTITY_PROVIDER_H_
