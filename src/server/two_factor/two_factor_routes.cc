#include "server/two_factor/two_factor_routes.h"

#include <limits>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/events/user_events.h"
#include "server/two_factor/codes.h"
#include "server/two_factor/totp.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

using api::BadRequest;
using api::FromStatus;

constexpr std::string_view kVerificationFailed = "User verification failed.";

constexpr sql::Statement kAllProviders = {"server_all_two_factor",
                                          "SELECT provider, enabled, data FROM two_factor_providers WHERE user_id = $1",
                                          nullptr, nullptr, "to read two-step login"};
constexpr sql::Statement kSaveRecovery = {
    "server_save_recovery_code",
    "INSERT INTO one_time_codes(user_id, purpose, code_hash, expiration_date, attempts) VALUES ($1, 'recovery', $2, "
    "$3, 0) ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = $2, expiration_date = $3, attempts = 0",
    nullptr, nullptr, "to store a recovery code"};

std::string Text(const nlohmann::json& body, std::string_view name) {
  const nlohmann::json* value = http::FindField(body, name);
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return std::to_string(value->get<std::int64_t>());
  return {};
}

Result<nlohmann::json> ProviderData(sql::Database& database, std::string_view user_id, int provider, bool* enabled) {
  nlohmann::json data;
  *enabled = false;
  if (Status done = database.Read([&](sql::Session& session) -> Status {
        KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kAllProviders, sql::Params().Text(user_id)));
        for (std::size_t i = 0; i < rows.size(); ++i) {
          KW_ASSIGN_OR_RETURN(std::int64_t p, rows.Int(i, 0));
          if (p != provider) continue;
          KW_ASSIGN_OR_RETURN(std::int64_t on, rows.Int(i, 1));
          *enabled = on != 0;
          data = nlohmann::json::parse(rows.Text(i, 2), nullptr, false);
        }
        return OkStatus();
      });
      !done.ok())
    return done;
  return data;
}

Status Save(TwoFactorRoutesContext& c, store::User& user, int provider, bool enabled, const nlohmann::json& data) {
  const TimeMs now = api::NowMs(c.accounts.api.clock);
  return c.accounts.api.database.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(SaveProvider(session, user.id, provider, enabled, data, now));
    return store::TouchAccountRevision(session, user.id, now);
  });
}

}  // namespace

void AddTwoFactorRoutes(http::Router& router, TwoFactorRoutesContext& context) {
  TwoFactorRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);
  // Every change proves the password first; `run` gets the parsed body.
  const auto verified = [c](auto run) {
    return [c, run](const http::HttpRequest& request, store::User& user) -> http::HttpResponse {
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      if (auto refused = RefuseUnverified(c->accounts, user, *body)) return *refused;
      return run(request, user, *body);
    };
  };

  add("GET", "/api/two-factor", [c](const http::HttpRequest&, store::User& user) {
    nlohmann::json list = nlohmann::json::array();
    const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kAllProviders, sql::Params().Text(user.id)));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        KW_ASSIGN_OR_RETURN(std::int64_t provider, rows.Int(i, 0));
        KW_ASSIGN_OR_RETURN(std::int64_t enabled, rows.Int(i, 1));
        if (provider == kRecoveryCode) continue;
        list.push_back({{"enabled", enabled != 0}, {"type", provider}, {"object", "twoFactorProvider"}});
      }
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    return http::JsonResponse(200, {{"data", list}, {"continuationToken", nullptr}, {"object", "list"}});
  });

  add("POST", "/api/two-factor/get-authenticator",
      verified([c](const http::HttpRequest&, store::User& user, const nlohmann::json&) {
        bool enabled = false;
        auto data = ProviderData(c->accounts.api.database, user.id, kAuthenticator, &enabled);
        if (!data.ok()) return FromStatus(data.status());
        std::string key = data->is_object() ? data->value("key", "") : "";
        if (!enabled || key.empty()) {
          auto secret = two_factor::NewTotpSecret();
          if (!secret.ok()) return FromStatus(secret.status());
          key = std::string(secret->base32.view());
        }
        nlohmann::json body = {{"enabled", enabled}, {"key", key}, {"object", "twoFactorAuthenticator"}};
        WipeString(key);
        return http::JsonResponse(200, body);
      }));
  const auto enable_authenticator =
      verified([c](const http::HttpRequest& request, store::User& user, const nlohmann::json& body) {
        const std::string key = Text(body, "key");
        const std::string code = Text(body, "token");
        auto secret = two_factor::DecodeTotpSecret(key);
        if (!secret.ok()) return api::InvalidField("Key", "is not a Base32 authenticator key");
        const auto step = two_factor::MatchTotp(std::span<const std::uint8_t>(secret->data(), secret->size()), code,
                                                c->accounts.api.clock.Now());
        if (!step) return api::InvalidField("Token", "Invalid token.");
        const Status saved = Save(*c, user, kAuthenticator, true, {{"key", key}, {"last_step", *step}});
        if (!saved.ok()) return FromStatus(saved);
        telemetry::AuditEvent("two_factor_enabled", user.id, request.client_address, "authenticator");
        events::LogUserEvent(c->accounts.api, request, user.id, events::EventType::kUserUpdated2fa);
        return http::JsonResponse(200, {{"enabled", true}, {"key", key}, {"object", "twoFactorAuthenticator"}});
      });
  add("PUT", "/api/two-factor/authenticator", enable_authenticator);
  add("POST", "/api/two-factor/authenticator", enable_authenticator);

  add("POST", "/api/two-factor/get-email",
      verified([c](const http::HttpRequest&, store::User& user, const nlohmann::json&) {
        bool enabled = false;
        auto data = ProviderData(c->accounts.api.database, user.id, kEmail, &enabled);
        if (!data.ok()) return FromStatus(data.status());
        const std::string email = enabled && data->is_object() ? data->value("email", user.email) : user.email;
        return http::JsonResponse(200, {{"email", email}, {"enabled", enabled}, {"object", "twoFactorEmail"}});
      }));
  add("POST", "/api/two-factor/send-email",
      verified([c](const http::HttpRequest&, store::User& user, const nlohmann::json& body) {
        if (!c->login.can_send_mail()) return BadRequest("Mail is not configured on this server.");
        const std::string email = NormaliseEmail(Text(body, "email"));
        if (!LooksLikeEmail(email)) return api::InvalidField("Email", "is not a valid e-mail address");
        store::User target = user;
        target.email = email;
        const Status sent = c->login.SendLoginCode(target, c->accounts.api.clock.Now());
        if (!sent.ok()) return FromStatus(sent);
        http::HttpResponse response;
        response.status = 200;
        return response;
      }));
  const auto enable_email =
      verified([c](const http::HttpRequest& request, store::User& user, const nlohmann::json& body) {
        const std::string email = NormaliseEmail(Text(body, "email"));
        const std::string code = Text(body, "token");
        if (!LooksLikeEmail(email)) return api::InvalidField("Email", "is not a valid e-mail address");
        const TimeMs now = api::NowMs(c->accounts.api.clock);
        bool matched = false;
        // The code mailed by send-email proves the address.
        const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(matched, ConsumeEmailCode(session, user.id, code, now));
          if (!matched) return OkStatus();
          KW_RETURN_IF_ERROR(SaveProvider(session, user.id, kEmail, true, {{"email", email}}, now));
          return store::TouchAccountRevision(session, user.id, now);
        });
        if (!saved.ok()) return FromStatus(saved);
        if (!matched) return api::InvalidField("Token", "Invalid token.");
        telemetry::AuditEvent("two_factor_enabled", user.id, request.client_address, "email");
        events::LogUserEvent(c->accounts.api, request, user.id, events::EventType::kUserUpdated2fa);
        return http::JsonResponse(200, {{"email", email}, {"enabled", true}, {"object", "twoFactorEmail"}});
      });
  add("PUT", "/api/two-factor/email", enable_email);
  add("POST", "/api/two-factor/email", enable_email);

  add("POST", "/api/two-factor/get-recover",
      verified([c](const http::HttpRequest& request, store::User& user, const nlohmann::json&) {
        auto code = two_factor::NewRecoveryCode();
        if (!code.ok()) return FromStatus(code.status());
        auto digest = two_factor::RecoveryCodeHash(*code);
        if (!digest.ok()) return FromStatus(digest.status());
        const TimeMs forever = std::numeric_limits<std::int64_t>::max();
        const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) {
          return session.Execute(kSaveRecovery, sql::Params().Text(user.id).Bytes(*digest).Int(forever)).status();
        });
        if (!saved.ok()) return FromStatus(saved);
        telemetry::AuditEvent("two_factor_recovery_code", user.id, request.client_address, "new code");
        nlohmann::json body = {{"code", *code}, {"object", "twoFactorRecover"}};
        WipeString(*code);
        return http::JsonResponse(200, body);
      }));
  const auto disable = verified([c](const http::HttpRequest& request, store::User& user, const nlohmann::json& body) {
    const std::string type = Text(body, "type");
    if (type != "0" && type != "1") return api::InvalidField("Type", "must be 0 (authenticator) or 1 (e-mail)");
    const int provider = type == "0" ? kAuthenticator : kEmail;
    bool was_enabled = false;
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(const auto enabled, EnabledProviders(session, user.id));
      was_enabled = enabled.count(provider) != 0;
      KW_RETURN_IF_ERROR(SaveProvider(session, user.id, provider, false, nlohmann::json::object(), now));
      return store::TouchAccountRevision(session, user.id, now);
    });
    if (!saved.ok()) return FromStatus(saved);
    telemetry::AuditEvent("two_factor_disabled", user.id, request.client_address, "provider " + type);
    // Only a provider that was on, as the reference (which logs when it removes one).
    if (was_enabled) events::LogUserEvent(c->accounts.api, request, user.id, events::EventType::kUserDisabled2fa);
    return http::JsonResponse(200, {{"enabled", false}, {"type", provider}, {"object", "twoFactorProvider"}});
  });
  add("PUT", "/api/two-factor/disable", disable);
  add("POST", "/api/two-factor/disable", disable);

  // At login, before any token: the password proves the caller, and the code goes to the
  // account's two-step address. The answer is the same whether or not the account exists.
  router.Add(
      "POST", "/api/two-factor/send-email-login",
      [c](const http::HttpRequest& request) {
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return BadRequest(body.status().message());
        const std::string email = NormaliseEmail(Text(*body, "email"));
        std::optional<store::User> user;
        const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(user, store::FindUserByEmail(session, email));
          return OkStatus();
        });
        if (!read.ok()) return FromStatus(read);
        if (!user) return BadRequest(kVerificationFailed);
        if (auto refused = RefuseUnverified(c->accounts, *user, *body)) return *refused;
        bool enabled = false;
        auto data = ProviderData(c->accounts.api.database, user->id, kEmail, &enabled);
        if (!data.ok()) return FromStatus(data.status());
        if (!enabled) return BadRequest("Two-step login by e-mail is not enabled for this account.");
        store::User target = *user;
        target.email = data->is_object() ? data->value("email", user->email) : user->email;
        const Status sent = c->login.SendLoginCode(target, c->accounts.api.clock.Now());
        if (!sent.ok()) return FromStatus(sent);
        http::HttpResponse response;
        response.status = 200;
        return response;
      },
      http::Execution::kBlocking);
}

}  // namespace keywarden::server
