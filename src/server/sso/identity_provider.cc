#include "server/sso/identity_provider.h"

#include <algorithm>
#include <utility>

#include "keywarden/crypto/encoding.h"
#include "net/percent_encoding.h"

namespace keywarden::server::sso {
namespace {

std::string Text(const nlohmann::json& json, const char* name) {
  auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<nlohmann::json> JsonObject(std::string_view body, std::string_view what) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return UnavailableError(std::string(what) + " is not a JSON object");
  return json;
}

}  // namespace

std::string DiscoveryUrl(const SsoConfigData& config) {
  if (!config.metadata_address.empty()) return config.metadata_address;
  std::string authority = config.authority;
  while (!authority.empty() && authority.back() == '/') authority.pop_back();
  return authority + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> IdentityProviders::Metadata(const SsoConfigData& config, TimePoint now) {
  const std::string url = DiscoveryUrl(config);
  {
    MutexLock lock(mu_);
    auto it = metadata_.find(url);
    if (it != metadata_.end() && now - it->second.fetched < options_.cache_lifetime) return it->second.metadata;
  }
  auto body = http::HttpGet(url, options_.http);
  if (!body.ok()) return UnavailableError("the identity provider's discovery document: " + body.status().message());
  KW_ASSIGN_OR_RETURN(nlohmann::json json, JsonObject(*body, "the identity provider's discovery document"));
  ProviderMetadata metadata;
  metadata.issuer = Text(json, "issuer");
  metadata.authorization_endpoint = Text(json, "authorization_endpoint");
  metadata.token_endpoint = Text(json, "token_endpoint");
  metadata.jwks_uri = Text(json, "jwks_uri");
  metadata.userinfo_endpoint = Text(json, "userinfo_endpoint");
  if (metadata.issuer.empty() || metadata.authorization_endpoint.empty() || metadata.token_endpoint.empty() ||
      metadata.jwks_uri.empty()) {
    return UnavailableError("the identity provider's discovery document lacks an issuer or an endpoint");
  }
  // Absent, the specification's default is client_secret_basic; the reference's handler posts
  // the secret, so post whenever the provider allows it.
  auto methods = json.find("token_endpoint_auth_methods_supported");
  metadata.client_secret_post =
      methods != json.end() && methods->is_array() &&
      std::find(methods->begin(), methods->end(), nlohmann::json("client_secret_post")) != methods->end();
  MutexLock lock(mu_);
  metadata_.insert_or_assign(url, CachedMetadata{metadata, now});
  return metadata;
}

Result<std::shared_ptr<const jose::JwkSet>> IdentityProviders::Keys(const ProviderMetadata& metadata, bool refetch,
                                                                    TimePoint now) {
  {
    MutexLock lock(mu_);
    auto it = keys_.find(metadata.jwks_uri);
    if (it != keys_.end()) {
      const auto age = now - it->second.fetched;
      const bool fresh = age < options_.cache_lifetime && !(refetch && age >= options_.refetch_interval);
      if (fresh) return it->second.keys;
    }
  }
  http::HttpClientOptions http = options_.http;
  http.max_body_bytes = std::min(http.max_body_bytes, jose::kMaxJwksBytes);
  auto body = http::HttpGet(metadata.jwks_uri, http);
  if (!body.ok()) return UnavailableError("the identity provider's keys: " + body.status().message());
  auto parsed = jose::ParseJwks(*body);
  if (!parsed.ok()) return UnavailableError("the identity provider's keys: " + parsed.status().message());
  auto keys = std::make_shared<const jose::JwkSet>(*std::move(parsed));
  MutexLock lock(mu_);
  keys_.insert_or_assign(metadata.jwks_uri, CachedKeys{keys, now});
  return keys;
}

Result<ProviderTokens> IdentityProviders::RedeemCode(const ProviderMetadata& metadata, const SsoConfigData& config,
                                                     std::string_view code, std::string_view redirect_uri,
                                                     std::string_view code_verifier) const {
  std::vector<std::pair<std::string, std::string>> fields = {{"grant_type", "authorization_code"},
                                                             {"code", std::string(code)},
                                                             {"redirect_uri", std::string(redirect_uri)},
                                                             {"code_verifier", std::string(code_verifier)}};
  http::HttpClientRequest request;
  request.method = "POST";
  request.url = metadata.token_endpoint;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  if (metadata.client_secret_post) {
    fields.emplace_back("client_id", config.client_id);
    fields.emplace_back("client_secret", config.client_secret);
  } else {
    // RFC 6749 2.3.1: each part form-encoded before the Basic encoding.
    std::string credentials = net::PercentEncode(config.client_id) + ":" + net::PercentEncode(config.client_secret);
    request.headers.emplace_back(
        "Authorization",
        "Basic " + Base64Encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(credentials.data()),
                                                              credentials.size())));
    WipeString(credentials);
  }
  request.body = net::FormEncode(fields);
  auto response = http::HttpSend(request, options_.http);
  WipeString(request.body);
  if (!response.ok()) return UnavailableError("the identity provider's token endpoint: " + response.status().message());
  nlohmann::json json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200) {
    const std::string error = json.is_object() ? Text(json, "error") : std::string();
    if (response->status == 400 || response->status == 401) {
      return AuthenticationError("the identity provider refused the code: " +
                                 (error.empty() ? "HTTP " + std::to_string(response->status) : error.substr(0, 64)));
    }
    return UnavailableError("the identity provider's token endpoint: HTTP " + std::to_string(response->status));
  }
  if (!json.is_object()) return UnavailableError("the identity provider's token response is not JSON");
  ProviderTokens tokens{Text(json, "id_token"), Text(json, "access_token")};
  if (tokens.id_token.empty()) return AuthenticationError("the identity provider returned no ID token");
  return tokens;
}

Result<nlohmann::json> IdentityProviders::UserInfo(const ProviderMetadata& metadata,
                                                   std::string_view access_token) const {
  if (metadata.userinfo_endpoint.empty()) return UnavailableError("the identity provider has no UserInfo endpoint");
  http::HttpClientRequest request;
  request.url = metadata.userinfo_endpoint;
  request.headers = {{"Authorization", "Bearer " + std::string(access_token)}, {"Accept", "application/json"}};
  auto response = http::HttpSend(request, options_.http);
  if (!response.ok()) return UnavailableError("the identity provider's UserInfo: " + response.status().message());
  if (response->status != 200) {
    return UnavailableError("the identity provider's UserInfo: HTTP " + std::to_string(response->status));
  }
  return JsonObject(response->body, "the identity provider's UserInfo");
}

std::string IdentityProviders::AuthorizationUrl(const ProviderMetadata& metadata, const SsoConfigData& config,
                                                std::string_view redirect_uri, std::string_view state,
                                                std::string_view nonce, std::string_view code_challenge) {
  std::string scope = "openid profile email";
  for (const std::string& extra : SplitList(config.additional_scopes)) {
    if (extra != "openid" && extra != "profile" && extra != "email") scope += " " + extra;
  }
  std::vector<std::pair<std::string, std::string>> query = {
      {"client_id", config.client_id},
      {"redirect_uri", std::string(redirect_uri)},
      {"response_type", "code"},
      {"scope", scope},
      {"state", std::string(state)},
      {"nonce", std::string(nonce)},
      {"code_challenge", std::string(code_challenge)},
      {"code_challenge_method", "S256"},
  };
  if (config.redirect_behavior == RedirectBehavior::kFormPost) query.emplace_back("response_mode", "form_post");
  if (!config.acr_values.empty()) query.emplace_back("acr_values", config.acr_values);
  const char separator = metadata.authorization_endpoint.find('?') == std::string::npos ? '?' : '&';
  return metadata.authorization_endpoint + separator + net::FormEncode(query);
}

}  // namespace keywarden::server::sso
