#include "server/identity/token_endpoint.h"
#include "auth/user_id.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "server/accounts/account_fields.h"
#include "server/api/ids.h"
#include "server/auth_requests/auth_request_rules.h"
#include "server/auth_requests/auth_request_store.h"
#include "server/events/user_events.h"
#include "server/identity/account_json.h"
#include "server/identity/form.h"
#include "server/organizations/policy_json.h"
#include "server/organizations/policy_store.h"
#include "server/store/devices.h"
#include "server/store/refresh_tokens.h"
#include "server/two_factor/codes.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

constexpr std::string_view kWrongPassword = "Username or password is incorrect. Try again.";
// The reference's text, with its capitalisation.
constexpr std::string_view kSsoRequired = "Sso authentication is required.";

TimeMs ToMs(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

http::HttpResponse GrantError(std::string_view error, std::string_view description, std::string_view message) {
  nlohmann::json body = {{"error", error}, {"error_description", description}};
  if (!message.empty()) body["ErrorModel"] = {{"Message", message}, {"Object", "error"}};
  return http::JsonResponse(400, body);
}

http::HttpResponse InvalidRequest(std::string_view message) { return GrantError("invalid_request", message, message); }

http::HttpResponse Throttled(std::chrono::seconds retry_after) {
  http::HttpResponse response = http::JsonResponse(
      429, {{"error", "too_many_requests"},
            {"error_description", "Too many failed logins. Try again later."},
            {"ErrorModel", {{"Message", "Too many failed logins. Try again later."}, {"Object", "error"}}}});
  response.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(1, retry_after.count())));
  return response;
}

http::HttpResponse Unavailable() {
  return http::JsonResponse(
      503, {{"error", "temporarily_unavailable"},
            {"ErrorModel", {{"Message", "The server is busy. Try again shortly."}, {"Object", "error"}}}});
}

std::vector<std::uint8_t> Digest(std::string_view text) {
  auto digest = two_factor::TokenHash(text);
  if (!digest.ok()) return {};
  return std::vector<std::uint8_t>(digest->begin(), digest->end());
}

struct DeviceForm {
  int type = 0;
  std::string identifier;
  std::string name;
};

// deviceType, deviceIdentifier and deviceName, which every grant of the official clients carries.
std::optional<DeviceForm> ReadDevice(const Form& form, const http::HttpRequest& request) {
  DeviceForm device;
  std::string_view type = form.Get("deviceType");
  if (type.empty()) type = request.header("Device-Type");
  if (type.empty() || type.size() > 3) return std::nullopt;
  for (char c : type) {
    if (c < '0' || c > '9') return std::nullopt;
    device.type = device.type * 10 + (c - '0');
  }
  device.identifier = std::string(form.Get("deviceIdentifier"));
  device.name = std::string(form.Get("deviceName"));
  if (device.identifier.empty() || device.identifier.size() > 64 || device.name.empty() || device.name.size() > 64) {
    return std::nullopt;
  }
  return device;
}

}  // namespace

bool TokenEndpoint::IsPasswordGrant(const http::HttpRequest& request) {
  auto form = Form::Parse(request.body);
  return form.ok() && form->Get("grant_type") == "password";
}

http::HttpResponse TokenEndpoint::Handle(const http::HttpRequest& request) const {
  auto form = Form::Parse(request.body);
  if (!form.ok()) return InvalidRequest(form.status().message());
  const std::string_view grant = form->Get("grant_type");
  if (grant == "password") return PasswordGrant(*form, request);
  if (grant == "client_credentials") return ClientCredentialsGrant(*form, request);
  if (grant == "refresh_token") return RefreshGrant(*form, request);
  if (grant == "authorization_code" && options_.sso_logins != nullptr) return AuthorizationCodeGrant(*form, request);
  return GrantError("unsupported_grant_type", "unsupported grant type", "");
}

http::HttpResponse TokenEndpoint::PasswordGrant(const Form& form, const http::HttpRequest& request) const {
  const std::string email = NormaliseEmail(form.Get("username"));
  const std::string_view password = form.Get("password");
  if (email.empty() || password.empty()) return InvalidRequest("username and password are required");
  if (!ReadDevice(form, request)) return InvalidRequest("deviceType, deviceIdentifier and deviceName are required");
  const TimePoint now = clock_.Now();

  auto paused = throttle_.Check(email, request.client_address, now);
  if (!paused.ok()) return Unavailable();
  if (paused->has_value()) return Throttled(**paused);

  std::optional<store::User> user;
  const Status read = database_.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(user, store::FindUserByEmail(session, email));
    return OkStatus();
  });
  if (!read.ok()) return Unavailable();

  auto secret = Base64DecodeSecret(password);
  bool matched = false;
  // Login with device: the password is the access code of an approved auth request
  // (member-decryption.md 2.4), checked instead of the master password.
  const std::string_view auth_request_field = form.Get("authRequest");
  std::optional<std::string> auth_request_id;
  if (!auth_request_field.empty()) {
    auth_request_id = api::ParseGuid(auth_request_field);
    if (auth_request_id && user) {
      std::optional<auth_requests::AuthRequest> auth_request;
      const Status found = database_.Read([&](sql::Session& session) -> Status {
        KW_ASSIGN_OR_RETURN(auth_request, auth_requests::FindAuthRequest(session, *auth_request_id));
        return OkStatus();
      });
      if (!found.ok()) return Unavailable();
      matched = auth_request && auth_requests::IsValidForAuthentication(*auth_request, user->id, password, ToMs(now));
    }
  } else {
    const std::span<const std::uint8_t> bytes =
        secret.ok() ? std::span<const std::uint8_t>(secret->data(), secret->size()) : std::span<const std::uint8_t>();
    const Status hashed = gate_.Run(std::chrono::steady_clock::now() + options_.hashing_wait, [&] {
      if (user && user->password_hash.has_value() && secret.ok()) {
        auto verified = hasher_.Verify(*user->password_hash, bytes);
        matched = verified.ok() && *verified;
      } else {
        (void)hasher_.VerifyAgainstNothing(bytes);  // the same cost: timing does not reveal the account
      }
    });
    if (!hashed.ok()) return Unavailable();
  }
  if (!matched) {
    (void)throttle_.RecordFailure(email, request.client_address, now);
    telemetry::AuditEvent("login", user ? user->id : "-", request.client_address, "wrong password");
    if (user) LogUserEvent(user->id, events::EventType::kUserFailedLogIn, form, request);
    return GrantError("invalid_grant", "invalid_username_or_password", kWrongPassword);
  }

  // An organisation that requires single sign-on: no password logins for its members (owners and
  // admins excepted), as the reference; the API key still works.
  std::vector<organizations::MemberPolicy> sso_policies;
  const Status sso_read = database_.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(sso_policies, organizations::ListEnabledPoliciesOf(
                                          session, user->id, static_cast<int>(organizations::PolicyType::kRequireSso)));
    return OkStatus();
  });
  if (!sso_read.ok()) return Unavailable();
  if (organizations::BindsMember(sso_policies)) {
    telemetry::AuditEvent("login", user->id, request.client_address, "single sign-on required");
    return GrantError("invalid_grant", kSsoRequired, kSsoRequired);
  }

  // The second step, when the account has one.
  std::string remember_token;
  auto second = two_factor_.Check(*user, form, request.client_address, now);
  if (!second.ok()) return Unavailable();
  if (second->response.has_value()) {
    if (second->failed) {
      (void)throttle_.RecordFailure(email, request.client_address, now);
      telemetry::AuditEvent("login", user->id, request.client_address, "wrong two-step code");
      // A remember token that no longer holds only asks for the second step again.
      if (second->provider != kRemember) {
        LogUserEvent(user->id, events::EventType::kUserFailedLogIn2fa, form, request);
      }
    }
    return *std::move(second->response);
  }
  remember_token = std::move(second->remember_token);
  if (second->provider == kRecoveryCode) LogUserEvent(user->id, events::EventType::kUserRecovered2fa, form, request);
  (void)throttle_.RecordSuccess(email);

  // An auth request logs in once, and only a device the account has used before (the
  // reference's AuthRequestFlowUnknownDevice): the first login to complete uses it, any other fails.
  if (auth_request_id) {
    const std::string identifier(form.Get("deviceIdentifier"));
    bool known = false;
    const Status device_read = database_.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<store::Device> device,
                          store::FindDeviceByIdentifier(session, user->id, identifier));
      known = device.has_value() && device->identifier == identifier;
      return OkStatus();
    });
    if (!device_read.ok()) return Unavailable();
    if (!known) {
      telemetry::AuditEvent("login", user->id, request.client_address, "auth request from an unknown device");
      return GrantError("device_error", "Auth requests are not supported on unknown devices",
                        "auth request flow unsupported on unknown device");
    }
    bool first = false;
    const Status used = database_.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(first, auth_requests::MarkAuthenticated(session, *auth_request_id, ToMs(now)));
      return OkStatus();
    });
    if (!used.ok()) return Unavailable();
    if (!first) {
      telemetry::AuditEvent("login", user->id, request.client_address, "auth request already used");
      return GrantError("invalid_grant", "invalid_username_or_password", kWrongPassword);
    }
  }

  // Parameters changed since this hash was made: store one at today's.
  if (!auth_request_id && user->password_hash.has_value() && hasher_.NeedsRehash(*user->password_hash) && secret.ok()) {
    auto rehashed = hasher_.Hash(std::span<const std::uint8_t>(secret->data(), secret->size()));
    if (rehashed.ok()) {
      const Status saved = database_.Transact([&](sql::Session& session) -> Status {
        return store::ReplacePasswordHash(session, user->id, *user->password_hash, *rehashed).status();
      });
      if (!saved.ok()) telemetry::LogWarning("password rehash not saved: " + saved.message());
    }
  }
  std::string client_id(form.Get("client_id"));
  if (client_id.empty() || client_id.size() > 32) client_id = "cli";
  return Issue(*user, form, request, client_id, {"api", "offline_access"}, /*refresh=*/true, remember_token);
}

http::HttpResponse TokenEndpoint::ClientCredentialsGrant(const Form& form, const http::HttpRequest& request) const {
  const std::string_view client_id = form.Get("client_id");
  const std::string_view secret = form.Get("client_secret");
  const auto invalid_client = [] { return http::JsonResponse(400, {{"error", "invalid_client"}}); };
  if (!client_id.starts_with("user.")) return invalid_client();
  const auto user_id = api::ParseGuid(client_id.substr(5));
  if (!user_id) return invalid_client();
  if (!ReadDevice(form, request)) return InvalidRequest("deviceType, deviceIdentifier and deviceName are required");
  const TimePoint now = clock_.Now();
  auto paused = throttle_.Check(*user_id, request.client_address, now);
  if (!paused.ok()) return Unavailable();
  if (paused->has_value()) return Throttled(**paused);

  std::optional<store::User> user;
  const Status read = database_.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, *user_id));
    return OkStatus();
  });
  if (!read.ok()) return Unavailable();
  if (!user || !two_factor::SameSecretText(user->api_key, secret)) {
    (void)throttle_.RecordFailure(*user_id, request.client_address, now);
    telemetry::AuditEvent("login_api_key", *user_id, request.client_address, "wrong client secret");
    return invalid_client();
  }
  (void)throttle_.RecordSuccess(*user_id);
  return Issue(*user, form, request, std::string(client_id), {"api"}, /*refresh=*/false, "");
}

http::HttpResponse TokenEndpoint::RefreshGrant(const Form& form, const http::HttpRequest& request) const {
  const std::string_view token = form.Get("refresh_token");
  const auto expired = [] { return GrantError("invalid_grant", "the session has ended", ""); };
  if (token.empty() || token.size() > 256) return expired();
  const std::vector<std::uint8_t> hash = Digest(token);
  if (hash.empty()) return Unavailable();
  const TimePoint now = clock_.Now();
  const TimeMs now_ms = ToMs(now);

  const TimeMs grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_reuse_grace).count();

  std::optional<store::User> user;
  std::optional<store::RefreshToken> stored;
  std::string new_token;  // stays empty for a token used again within the grace
  bool reused = false;
  const Status done = database_.Transact([&](sql::Session& session) -> Status {
    user.reset();
    new_token.clear();
    reused = false;
    KW_ASSIGN_OR_RETURN(stored, store::FindRefreshToken(session, hash));
    if (!stored || stored->expiration_date <= now_ms) return OkStatus();
    const bool used = stored->used_date.has_value();
    if (used && (grace_ms == 0 || now_ms - *stored->used_date > grace_ms)) {
      reused = true;
      return store::RevokeRefreshFamily(session, stored->family_id);
    }
    KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, stored->user_id));
    if (!user || user->security_stamp != stored->security_stamp) {
      user.reset();
      return store::RevokeRefreshFamily(session, stored->family_id);
    }
    // Used a moment ago (or by a request racing this one): the same client refreshing twice at
    // once. An access token, but no second successor: the family keeps one live token.
    if (used) return OkStatus();
    KW_ASSIGN_OR_RETURN(bool first, store::MarkRefreshTokenUsed(session, hash, now_ms));
    if (!first) return OkStatus();
    KW_ASSIGN_OR_RETURN(new_token, two_factor::NewOpaqueToken());
    store::RefreshToken next = *stored;
    next.token_hash = Digest(new_token);
    next.creation_date = now_ms;
    next.expiration_date =
        now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_token_lifetime).count();
    next.used_date.reset();
    return store::InsertRefreshToken(session, next);
  });
  if (!done.ok()) return Unavailable();
  if (reused) {
    telemetry::AuditEvent("refresh", stored ? stored->user_id : "-", request.client_address,
                          "reused refresh token: session revoked");
  }
  if (!user) return expired();

  AccessTokenSubject subject{
      user->id, user->email, user->name,        user->email_verified,      user->premium,  user->security_stamp,
      "",       0,           stored->client_id, {"api", "offline_access"}, {"Application"}};
  const Status device = database_.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(auto devices, store::ListDevices(session, user->id));
    for (const auto& d : devices) {
      if (d.id == stored->device_id) {
        subject.device_identifier = d.identifier;
        subject.device_type = d.type;
      }
    }
    return OkStatus();
  });
  if (!device.ok()) return Unavailable();
  auto access = issuer_.Mint(subject, now);
  if (!access.ok()) return Unavailable();
  nlohmann::json body = {{"access_token", *access},
                         {"expires_in", issuer_.access_token_lifetime().count()},
                         {"token_type", "Bearer"},
                         {"scope", "api offline_access"}};
  // Without one the client keeps the token it has (core.md 3.3), the successor from the first use.
  if (!new_token.empty()) body["refresh_token"] = new_token;
  return http::JsonResponse(200, body);
}

http::HttpResponse TokenEndpoint::AuthorizationCodeGrant(const Form& form, const http::HttpRequest& request) const {
  const std::string_view code = form.Get("code");
  const auto invalid = [] { return GrantError("invalid_grant", "invalid_grant", ""); };
  if (code.empty() || code.size() > 256) return invalid();
  if (!ReadDevice(form, request)) return InvalidRequest("deviceType, deviceIdentifier and deviceName are required");
  const TimePoint now = clock_.Now();
  const auto grant = options_.sso_logins->FindCode(code, now);
  if (!grant || grant->client_id != form.Get("client_id") || grant->redirect_uri != form.Get("redirect_uri") ||
      !sso::PkceMatches(form.Get("code_verifier"), grant->code_challenge)) {
    telemetry::AuditEvent("sso_login", grant ? grant->user_id : "-", request.client_address, "code refused");
    return invalid();
  }
  std::optional<store::User> user;
  const Status read = database_.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, grant->user_id));
    return OkStatus();
  });
  if (!read.ok()) return Unavailable();
  if (!user) return invalid();

  auto second = two_factor_.Check(*user, form, request.client_address, now);
  if (!second.ok()) return Unavailable();
  if (second->response.has_value()) {
    if (second->failed && second->provider != kRemember) {
      LogUserEvent(user->id, events::EventType::kUserFailedLogIn2fa, form, request);
    }
    return *std::move(second->response);
  }
  if (second->provider == kRecoveryCode) LogUserEvent(user->id, events::EventType::kUserRecovered2fa, form, request);
  // The code is spent only now, and only once: of two requests presenting it, one signs in.
  if (!options_.sso_logins->TakeCode(code, now)) return invalid();
  return Issue(*user, form, request, grant->client_id, {"api", "offline_access"}, /*refresh=*/true,
               second->remember_token, grant->organization_id);
}

void TokenEndpoint::LogUserEvent(const std::string& user_id, events::EventType type, const Form& form,
                                 const http::HttpRequest& request) const {
  if (options_.events == nullptr) return;
  events::EventOrigin origin{std::nullopt, request.client_address};
  if (const auto device = ReadDevice(form, request)) origin.device_type = device->type;
  const Status logged = events::LogUserEvent(database_, *options_.events, user_id, type, origin, ToMs(clock_.Now()));
  if (!logged.ok()) telemetry::LogWarning("log-in event not copied to organisations: " + logged.message());
}

http::HttpResponse TokenEndpoint::Issue(const store::User& user, const Form& form, const http::HttpRequest& request,
                                        std::string client_id, std::vector<std::string> scope, bool refresh,
                                        const std::string& two_factor_remember_token,
                                        std::string_view sso_organization_id) const {
  const std::optional<DeviceForm> device_form = ReadDevice(form, request);
  const TimePoint now = clock_.Now();
  const TimeMs now_ms = ToMs(now);
  auto new_device_id = auth::NewGuid();
  if (!new_device_id.ok()) return Unavailable();
  store::Device device{*new_device_id, user.id, device_form->identifier, device_form->type, device_form->name,
                       now_ms,         now_ms};
  store::RegisteredDevice registered;
  std::string refresh_token;
  nlohmann::json master_password_policy;  // the organisations' requirements, for password logins
  std::optional<sso::SsoDecryptionOptions> sso_options;
  const Status stored = database_.Transact([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(registered, store::RegisterDevice(session, device));
    if (!sso_organization_id.empty()) {
      KW_ASSIGN_OR_RETURN(sso_options,
                          sso::ReadSsoDecryptionOptions(session, user, sso_organization_id, device.identifier));
    }
    if (!refresh) return OkStatus();
    KW_ASSIGN_OR_RETURN(master_password_policy, organizations::MasterPasswordPolicyOf(session, user.id));
    KW_ASSIGN_OR_RETURN(refresh_token, two_factor::NewOpaqueToken());
    KW_ASSIGN_OR_RETURN(std::string family, auth::NewGuid());
    store::RefreshToken token;
    token.token_hash = Digest(refresh_token);
    token.family_id = family;
    token.user_id = user.id;
    token.device_id = registered.device.id;
    token.client_id = client_id;
    token.security_stamp = user.security_stamp;
    token.creation_date = now_ms;
    token.expiration_date =
        now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_token_lifetime).count();
    return store::InsertRefreshToken(session, token);
  });
  if (!stored.ok()) return Unavailable();
  if (registered.is_new && options_.on_new_device)
    options_.on_new_device(user, registered.device, request.client_address);

  const bool api_key = !refresh;
  AccessTokenSubject subject{
      user.id,     user.email, user.name, user.email_verified, user.premium, user.security_stamp, device.identifier,
      device.type, client_id,  scope,     {"Application"}};
  auto access = issuer_.Mint(subject, now);
  if (!access.ok()) return Unavailable();
  telemetry::AuditEvent(api_key ? "login_api_key" : "login", user.id, request.client_address, "ok");
  LogUserEvent(user.id, events::EventType::kUserLoggedIn, form, request);

  nlohmann::json body = {
      {"access_token", *access},
      {"expires_in", issuer_.access_token_lifetime().count()},
      {"token_type", "Bearer"},
      {"scope", api_key ? "api" : "api offline_access"},
      {"Kdf", user.kdf.type},
      {"KdfIterations", user.kdf.iterations},
      {"KdfMemory", user.kdf.memory ? nlohmann::json(*user.kdf.memory) : nlohmann::json()},
      {"KdfParallelism", user.kdf.parallelism ? nlohmann::json(*user.kdf.parallelism) : nlohmann::json()},
      {"Key", user.user_key.empty() ? nlohmann::json() : nlohmann::json(user.user_key)},
      {"PrivateKey", user.private_key.empty() ? nlohmann::json() : nlohmann::json(user.private_key)},
      {"AccountKeys", AccountKeysJson(user)},
      {"ForcePasswordReset", user.force_password_reset},
      {"ResetMasterPassword", false},
      {"UserDecryptionOptions", UserDecryptionOptionsJson(user, sso_options ? &*sso_options : nullptr)},
  };
  if (refresh) {
    body["refresh_token"] = refresh_token;
    body["MasterPasswordPolicy"] = master_password_policy.is_null() ? nlohmann::json{{"Object", "masterPasswordPolicy"}}
                                                                    : std::move(master_password_policy);
  }
  if (!two_factor_remember_token.empty()) body["TwoFactorToken"] = two_factor_remember_token;
  // An API key login cannot unlock with a password the account does not have: the client (the
  // CLI) takes its Key Connector URL from its own settings (the reference's CustomTokenRequestValidator).
  if (api_key && !user.password_hash.has_value() && user.uses_key_connector) body["ApiUseKeyConnector"] = true;
  return http::JsonResponse(200, body);
}

}  // namespace keywarden::server
