#include "server/sso/sso_login_routes.h"

#include <utility>

#include "net/percent_encoding.h"
#include "server/api/error_response.h"
#include "server/api/ids.h"
#include "server/identity/form.h"
#include "server/organizations/internal/route_support.h"
#include "server/sso/id_token.h"
#include "server/sso/sso_account.h"
#include "server/sso/sso_config_json.h"
#include "server/sso/sso_config_store.h"
#include "server/two_factor/codes.h"
#include "telemetry/log.h"

namespace keywarden::server::sso {
namespace {

constexpr std::size_t kMaxStateBytes = 2048;
constexpr std::string_view kInvalidIdentifier = "Invalid SSO identifier";

http::HttpResponse Page(int status, std::string_view message) {
  http::HttpResponse response;
  response.status = status;
  response.body = std::string(message) + "\n";
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

http::HttpResponse Redirect(std::string location) {
  http::HttpResponse response;
  response.status = 302;
  response.headers.emplace_back("Location", std::move(location));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// A provider's error code as it may appear in a page: short, printable ASCII.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

bool IsLocalhostPort(std::string_view uri) {
  for (int port = 8065; port <= 8070; ++port) {
    if (uri == "http://localhost:" + std::to_string(port)) return true;
  }
  return false;
}

Result<std::optional<OrganizationSso>> ReadByIdentifier(api::ApiContext& api, std::string_view identifier) {
  std::optional<OrganizationSso> found;
  KW_RETURN_IF_ERROR(api.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(found, FindSsoConfigByIdentifier(session, identifier));
    return OkStatus();
  }));
  return found;
}

http::HttpResponse Prevalidate(SsoLoginContext& c, const http::HttpRequest& request) {
  auto query = Form::Parse(request.query);
  if (!query.ok()) return api::BadRequest(query.status().message());
  const std::string_view hint = query->Get("domainHint");
  if (hint.empty()) return api::BadRequest("No domain hint was provided");
  auto found = ReadByIdentifier(c.api, hint);
  if (!found.ok()) return api::FromStatus(found.status());
  if (!*found || !(*found)->config.enabled) return api::BadRequest(kInvalidIdentifier);
  auto token = c.logins.IssuePrevalidation((*found)->organization.id, c.api.clock.Now());
  if (!token.ok()) return api::FromStatus(token.status());
  return http::JsonResponse(200, {{"token", *token}});
}

http::HttpResponse Authorize(SsoLoginContext& c, const http::HttpRequest& request) {
  auto query = Form::Parse(request.query);
  if (!query.ok()) return Page(400, "The sign-in request is malformed: " + query.status().message());
  const std::string client_id(query->Get("client_id"));
  const std::string redirect_uri(query->Get("redirect_uri"));
  if (!IsAllowedRedirect(client_id, redirect_uri, c.public_url)) {
    return Page(400, "The sign-in request names an unknown client or a redirect URI it may not use.");
  }
  if (query->Get("response_type") != "code") return Page(400, "The sign-in request must ask for a code.");
  const std::string challenge(query->Get("code_challenge"));
  if (query->Get("code_challenge_method") != "S256" || challenge.size() < 43 || challenge.size() > 128) {
    return Page(400, "The sign-in request must use PKCE with S256.");
  }
  const std::string state(query->Get("state"));
  if (state.empty() || state.size() > kMaxStateBytes) return Page(400, "The sign-in request has no state.");
  const std::string_view identifier = query->Get("domain_hint");
  if (identifier.empty()) return Page(400, "No domain_hint provided.");

  const TimePoint now = c.api.clock.Now();
  auto found = ReadByIdentifier(c.api, identifier);
  if (!found.ok()) return Page(503, "The server cannot read its configuration now. Try again shortly.");
  const auto prevalidated = c.logins.PrevalidatedOrganization(query->Get("ssoToken"), now);
  if (!*found || !(*found)->config.enabled || !prevalidated || *prevalidated != (*found)->organization.id) {
    return Page(400, "This single sign-on request has expired or is for another organization. Start again.");
  }
  // Manual linking (the web vault's "link SSO"): "<user id>,<link token>", the token taken now,
  // so that it is spent even when the login is never completed.
  std::string claimed_user_id;
  if (const std::string_view user_identifier = query->Get("user_identifier"); !user_identifier.empty()) {
    const std::size_t comma = user_identifier.find(',');
    if (comma == std::string_view::npos) return Page(400, "Invalid user identifier.");
    const auto owner = c.logins.TakeLinkToken(user_identifier.substr(comma + 1), now);
    if (!owner || *owner != user_identifier.substr(0, comma)) {
      return Page(400, "The link request has expired or does not match your account. Start again from your vault.");
    }
    claimed_user_id = *owner;
  }
  const OrganizationSso& sso = **found;
  auto metadata = c.providers.Metadata(sso.config.data, now);
  if (!metadata.ok()) {
    telemetry::LogWarning("single sign-on for " + sso.organization.id + ": " + metadata.status().message());
    return Page(503, "The organization's identity provider cannot be reached. Try again shortly.");
  }
  PendingSsoLogin login;
  login.organization_id = sso.organization.id;
  login.client_id = client_id;
  login.redirect_uri = redirect_uri;
  login.client_state = state;
  login.code_challenge = challenge;
  login.claimed_user_id = std::move(claimed_user_id);
  auto nonce = two_factor::NewOpaqueToken();
  auto verifier = two_factor::NewOpaqueToken();
  if (!nonce.ok() || !verifier.ok()) return Page(503, "The server cannot start a login now. Try again shortly.");
  login.nonce = *nonce;
  login.provider_code_verifier = *verifier;
  auto provider_state = c.logins.BeginLogin(std::move(login), now);
  if (!provider_state.ok()) return Page(503, "The server has too many logins in flight. Try again shortly.");
  return Redirect(IdentityProviders::AuthorizationUrl(*metadata, sso.config.data, OidcCallbackUrl(c.public_url),
                                                      *provider_state, *nonce, PkceChallenge(*verifier)));
}

// The ID token's claims, with UserInfo's when the configuration asks for them.
Result<nlohmann::json> VerifiedClaims(SsoLoginContext& c, const ProviderMetadata& metadata, const SsoConfigData& config,
                                      const ProviderTokens& tokens, const std::string& nonce, TimePoint now) {
  const IdTokenExpectations expected{metadata.issuer, config.client_id, nonce};
  KW_ASSIGN_OR_RETURN(auto keys, c.providers.Keys(metadata, false, now));
  auto claims = VerifyIdToken(tokens.id_token, *keys, expected, now);
  if (!claims.ok() && claims.status().code() == ErrorCode::kNotFound) {
    KW_ASSIGN_OR_RETURN(keys, c.providers.Keys(metadata, true, now));
    claims = VerifyIdToken(tokens.id_token, *keys, expected, now);
  }
  if (!claims.ok() || !config.get_claims_from_user_info_endpoint) return claims;
  KW_ASSIGN_OR_RETURN(nlohmann::json user_info, c.providers.UserInfo(metadata, tokens.access_token));
  // OpenID Connect Core 5.3.2: UserInfo about anyone else must not be used.
  if (user_info.value("sub", "") != claims->value("sub", "")) {
    return AuthenticationError("the identity provider's UserInfo is about another subject");
  }
  for (auto it = user_info.begin(); it != user_info.end(); ++it) {
    if (!claims->contains(it.key())) (*claims)[it.key()] = it.value();
  }
  return claims;
}

http::HttpResponse Callback(SsoLoginContext& c, const http::HttpRequest& request) {
  auto fields =
      Form::Parse(request.method == "POST" ? std::string_view(request.body) : std::string_view(request.query));
  if (!fields.ok()) return Page(400, "The identity provider's answer is malformed.");
  const TimePoint now = c.api.clock.Now();
  auto login = c.logins.TakeLogin(fields->Get("state"), now);
  if (!login) return Page(400, "This single sign-on login has expired or was already completed. Start again.");
  if (fields->Has("error")) {
    return Page(400, "The identity provider refused the login: " + Printable(fields->Get("error")));
  }
  const std::string_view code = fields->Get("code");
  if (code.empty()) return Page(400, "The identity provider's answer has no code.");

  std::optional<SsoConfig> config;
  std::optional<organizations::Organization> organization;
  const Status read = c.api.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(config, FindSsoConfig(session, login->organization_id));
    KW_ASSIGN_OR_RETURN(organization, organizations::FindOrganization(session, login->organization_id));
    return OkStatus();
  });
  if (!read.ok()) return Page(503, "The server cannot read its configuration now. Try again shortly.");
  if (!config || !config->enabled || !organization) {
    return Page(400, "Single sign-on is no longer enabled for this organization.");
  }
  auto metadata = c.providers.Metadata(config->data, now);
  if (!metadata.ok()) return Page(503, "The organization's identity provider cannot be reached. Try again shortly.");
  auto tokens = c.providers.RedeemCode(*metadata, config->data, code, OidcCallbackUrl(c.public_url),
                                       login->provider_code_verifier);
  Result<nlohmann::json> claims = tokens.ok() ? VerifiedClaims(c, *metadata, config->data, *tokens, login->nonce, now)
                                              : Result<nlohmann::json>(tokens.status());
  if (!claims.ok()) {
    telemetry::AuditEvent("sso_login", "-", request.client_address, claims.status().message());
    if (claims.status().code() == ErrorCode::kUnavailable) {
      return Page(503, "The organization's identity provider cannot be reached. Try again shortly.");
    }
    return Page(400, "The identity provider's answer could not be verified. Start again.");
  }

  const SsoIdentity identity = IdentityFromClaims(*claims, config->data);
  const TimeMs now_ms = api::NowMs(c.api.clock);
  SsoSignIn sign_in;
  const Status resolved = c.api.database.Transact([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(sign_in, ResolveSsoAccount(session, *organization, identity, login->claimed_user_id, now_ms));
    return OkStatus();
  });
  if (!resolved.ok()) {
    telemetry::AuditEvent("sso_login", "-", request.client_address, resolved.message());
    if (resolved.code() == ErrorCode::kAuthenticationFailed) return Page(400, resolved.message());
    return Page(503, "The server cannot sign you in now. Try again shortly.");
  }
  if (sign_in.first_login || sign_in.relinked) {
    events::Event event = organizations::internal::OrganizationEvent(
        sign_in.relinked ? events::EventType::kMemberResetSsoLink : events::EventType::kMemberFirstSsoLogin,
        organization->id, sign_in.user.id, request, now_ms);
    event.organization_user_id = sign_in.member.id;
    c.api.events.Record(std::move(event));
  }
  auto issued = c.logins.IssueCode(SsoAuthorizationCode{sign_in.user.id, organization->id, login->client_id,
                                                        login->redirect_uri, login->code_challenge},
                                   now);
  if (!issued.ok()) return Page(503, "The server has too many logins in flight. Try again shortly.");
  telemetry::AuditEvent("sso_login", sign_in.user.id, request.client_address, "ok");
  const char separator = login->redirect_uri.find('?') == std::string::npos ? '?' : '&';
  return Redirect(login->redirect_uri + separator + "code=" + *issued +
                  "&state=" + net::PercentEncode(login->client_state));
}

}  // namespace

bool IsAllowedRedirect(std::string_view client_id, std::string_view redirect_uri, std::string_view public_url) {
  if (client_id == "web" || client_id == "browser") {
    return redirect_uri == std::string(public_url) + "/sso-connector.html";
  }
  if (client_id == "cli") return IsLocalhostPort(redirect_uri);
  if (client_id == "desktop") return redirect_uri == "bitwarden://sso-callback" || IsLocalhostPort(redirect_uri);
  if (client_id == "connector") return redirect_uri == "bwdc://sso-callback" || IsLocalhostPort(redirect_uri);
  if (client_id == "mobile") return redirect_uri == "bitwarden://sso-callback";
  return false;
}

void AddSsoLoginRoutes(http::Router& router, SsoLoginContext& context) {
  SsoLoginContext* c = &context;
  router.Add(
      "GET", "/identity/sso/prevalidate", [c](const http::HttpRequest& request) { return Prevalidate(*c, request); },
      http::Execution::kBlocking);
  router.Add(
      "GET", "/identity/connect/authorize", [c](const http::HttpRequest& request) { return Authorize(*c, request); },
      http::Execution::kBlocking);
  for (const char* method : {"GET", "POST"}) {
    router.Add(
        method, "/sso/oidc-signin", [c](const http::HttpRequest& request) { return Callback(*c, request); },
        http::Execution::kBlocking);
  }
}

}  // namespace keywarden::server::sso
