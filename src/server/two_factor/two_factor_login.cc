#include "server/two_factor/two_factor_login.h"

#include <utility>

#include "server/identity/form.h"
#include "server/two_factor/codes.h"
#include "server/two_factor/totp.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

constexpr std::chrono::hours kRememberLifetime{24 * 30};
constexpr std::chrono::minutes kLoginCodeLifetime{10};
constexpr std::int64_t kMaxCodeAttempts = 5;

TimeMs ToMs(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

constexpr sql::Statement kProviders = {
    "server_two_factor_providers", "SELECT provider, data FROM two_factor_providers WHERE user_id = $1 AND enabled = 1",
    nullptr, nullptr, "to read two-step login"};
constexpr sql::Statement kSaveProvider = {
    "server_save_two_factor",
    "INSERT INTO two_factor_providers(user_id, provider, enabled, data, revision_date) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (user_id, provider) DO UPDATE SET enabled = $3, data = $4, revision_date = $5",
    nullptr, nullptr, "to save two-step login"};
constexpr sql::Statement kDisableAll = {"server_disable_two_factor",
                                        "UPDATE two_factor_providers SET enabled = 0 WHERE user_id = $1", nullptr,
                                        nullptr, "to turn two-step login off"};
constexpr sql::Statement kForgetRemembered = {"server_forget_remembered",
                                              "DELETE FROM two_factor_remembered WHERE user_id = $1", nullptr, nullptr,
                                              "to forget remembered devices"};
constexpr sql::Statement kRemembered = {"server_find_remembered",
                                        "SELECT 1 FROM two_factor_remembered WHERE token_hash = $1 AND user_id = $2 "
                                        "AND expiration_date > $3",
                                        nullptr, nullptr, "to check a remembered device"};
constexpr sql::Statement kInsertRemembered = {
    "server_remember_device",
    "INSERT INTO two_factor_remembered(token_hash, user_id, expiration_date) VALUES "
    "($1, $2, $3)",
    nullptr, nullptr, "to remember a device"};
constexpr sql::Statement kSaveCode = {
    "server_save_code",
    "INSERT INTO one_time_codes(user_id, purpose, code_hash, expiration_date, attempts) VALUES ($1, $2, $3, $4, 0) "
    "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = $3, expiration_date = $4, attempts = 0",
    nullptr, nullptr, "to store a code"};
constexpr sql::Statement kReadCode = {"server_read_code",
                                      "SELECT code_hash, expiration_date, attempts FROM one_time_codes WHERE user_id = "
                                      "$1 AND purpose = $2",
                                      nullptr, nullptr, "to read a code"};
constexpr sql::Statement kCountAttempt = {"server_code_attempt",
                                          "UPDATE one_time_codes SET attempts = attempts + 1 WHERE user_id = $1 AND "
                                          "purpose = $2",
                                          nullptr, nullptr, "to count a code attempt"};
constexpr sql::Statement kDeleteCode = {"server_delete_code",
                                        "DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2", nullptr,
                                        nullptr, "to use a code"};

http::HttpResponse TwoFactorRequired(const std::map<int, nlohmann::json>& providers) {
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [provider, data] : providers) {
    if (provider != kAuthenticator && provider != kEmail) continue;
    list.push_back(std::to_string(provider));
    if (provider == kEmail) {
      details[std::to_string(provider)] = {{"Email", MaskEmail(data.value("email", ""))}};
    } else {
      details[std::to_string(provider)] = nullptr;
    }
  }
  return http::JsonResponse(400, {{"error", "invalid_grant"},
                                  {"error_description", "Two factor required."},
                                  {"TwoFactorProviders", list},
                                  {"TwoFactorProviders2", details},
                                  {"MasterPasswordPolicy", nullptr}});
}

http::HttpResponse WrongCode() {
  return http::JsonResponse(
      400, {{"error", "invalid_grant"},
            {"error_description", "invalid_username_or_password"},
            {"ErrorModel", {{"Message", "Two-step token is invalid. Try again."}, {"Object", "error"}}}});
}

}  // namespace

std::string MaskEmail(std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

Result<std::map<int, nlohmann::json>> EnabledProviders(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kProviders, sql::Params().Text(user_id)));
  std::map<int, nlohmann::json> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(std::int64_t provider, rows.Int(i, 0));
    nlohmann::json data = nlohmann::json::parse(rows.Text(i, 1), nullptr, false);
    if (data.is_discarded()) data = nlohmann::json::object();
    out[static_cast<int>(provider)] = std::move(data);
  }
  return out;
}

Result<bool> ConsumeEmailCode(sql::Session& session, std::string_view user_id, std::string_view code, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadCode, sql::Params().Text(user_id).Text("login")));
  if (rows.empty()) return false;
  KW_ASSIGN_OR_RETURN(TimeMs expires, rows.Int(0, 1));
  KW_ASSIGN_OR_RETURN(std::int64_t attempts, rows.Int(0, 2));
  if (expires <= now || attempts >= kMaxCodeAttempts) return false;
  KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(code));
  if (!two_factor::SameHash(digest, rows.Bytes(0, 0))) {
    KW_RETURN_IF_ERROR(session.Execute(kCountAttempt, sql::Params().Text(user_id).Text("login")).status());
    return false;
  }
  KW_RETURN_IF_ERROR(session.Execute(kDeleteCode, sql::Params().Text(user_id).Text("login")).status());
  return true;
}

Result<bool> TwoFactorEnabled(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(auto providers, EnabledProviders(session, user_id));
  return providers.count(kAuthenticator) != 0 || providers.count(kEmail) != 0;
}

Status SaveProvider(sql::Session& session, std::string_view user_id, int provider, bool enabled,
                    const nlohmann::json& data, TimeMs now) {
  return session
      .Execute(kSaveProvider, sql::Params().Text(user_id).Int(provider).Int(enabled ? 1 : 0).Text(data.dump()).Int(now))
      .status();
}

Status DisableAllProviders(sql::Session& session, std::string_view user_id) {
  KW_RETURN_IF_ERROR(session.Execute(kDisableAll, sql::Params().Text(user_id)).status());
  return session.Execute(kForgetRemembered, sql::Params().Text(user_id)).status();
}

Result<TwoFactorOutcome> TwoFactorLogin::Check(const store::User& user, const Form& form,
                                               std::string_view client_address, TimePoint now) const {
  std::map<int, nlohmann::json> providers;
  if (Status done = database_.Read([&](sql::Session& session) -> Status {
        KW_ASSIGN_OR_RETURN(providers, EnabledProviders(session, user.id));
        return OkStatus();
      });
      !done.ok())
    return done;
  providers.erase(kRecoveryCode);
  TwoFactorOutcome outcome;
  if (providers.empty()) return outcome;
  const std::string_view token = form.Get("twoFactorToken");
  const std::string_view provider_text = form.Get("twoFactorProvider");
  if (token.empty() || provider_text.empty() || provider_text.size() > 2) {
    outcome.response = TwoFactorRequired(providers);
    return outcome;
  }
  int provider = 0;
  for (char ch : provider_text) {
    if (ch < '0' || ch > '9') {
      outcome.response = TwoFactorRequired(providers);
      return outcome;
    }
    provider = provider * 10 + (ch - '0');
  }
  outcome.provider = provider;
  KW_ASSIGN_OR_RETURN(bool verified, Verify(user, provider, token, now));
  if (!verified) {
    outcome.failed = true;
    outcome.response = provider == kRemember ? TwoFactorRequired(providers) : WrongCode();
    return outcome;
  }
  telemetry::AuditEvent("two_factor", user.id, client_address, "ok, provider " + std::to_string(provider));
  if (form.Get("twoFactorRemember") == "1" && provider != kRemember) {
    KW_ASSIGN_OR_RETURN(outcome.remember_token, two_factor::NewOpaqueToken());
    KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(outcome.remember_token));
    const TimeMs until = ToMs(now + kRememberLifetime);
    if (Status done = database_.Transact([&](sql::Session& session) {
          return session.Execute(kInsertRemembered, sql::Params().Bytes(digest).Text(user.id).Int(until)).status();
        });
        !done.ok())
      return done;
  }
  return outcome;
}

Result<bool> TwoFactorLogin::Verify(const store::User& user, int provider, std::string_view token,
                                    TimePoint now) const {
  const TimeMs now_ms = ToMs(now);
  bool verified = false;
  if (Status done = database_.Transact([&](sql::Session& session) -> Status {
        verified = false;
        KW_ASSIGN_OR_RETURN(auto providers, EnabledProviders(session, user.id));
        if (provider == kRemember) {
          KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(token));
          KW_ASSIGN_OR_RETURN(sql::Rows rows,
                              session.Execute(kRemembered, sql::Params().Bytes(digest).Text(user.id).Int(now_ms)));
          verified = !rows.empty();
          return OkStatus();
        }
        if (provider == kAuthenticator && providers.count(kAuthenticator) != 0) {
          nlohmann::json data = providers[kAuthenticator];
          auto secret = two_factor::DecodeTotpSecret(data.value("key", ""));
          if (!secret.ok()) return OkStatus();
          const auto step =
              two_factor::MatchTotp(std::span<const std::uint8_t>(secret->data(), secret->size()), token, now);
          // A code's step is used once: a code seen on the wire cannot log in again.
          if (!step || *step <= data.value("last_step", std::int64_t{-1})) return OkStatus();
          data["last_step"] = *step;
          verified = true;
          return SaveProvider(session, user.id, kAuthenticator, true, data, now_ms);
        }
        if (provider == kEmail && providers.count(kEmail) != 0) {
          KW_ASSIGN_OR_RETURN(verified, ConsumeEmailCode(session, user.id, token, now_ms));
          return OkStatus();
        }
        if (provider == kRecoveryCode) {
          KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadCode, sql::Params().Text(user.id).Text("recovery")));
          if (rows.empty()) return OkStatus();
          KW_ASSIGN_OR_RETURN(auto digest, two_factor::RecoveryCodeHash(token));
          if (!two_factor::SameHash(digest, rows.Bytes(0, 0))) return OkStatus();
          // The recovery code turns two-step login off and is used up, as in the reference.
          verified = true;
          KW_RETURN_IF_ERROR(session.Execute(kDeleteCode, sql::Params().Text(user.id).Text("recovery")).status());
          return DisableAllProviders(session, user.id);
        }
        return OkStatus();
      });
      !done.ok())
    return done;
  return verified;
}

Status TwoFactorLogin::SendLoginCode(const store::User& user, TimePoint now) const {
  if (!send_email_code_) return UnavailableError("mail is not configured on this server");
  KW_ASSIGN_OR_RETURN(std::string code, two_factor::NewOneTimeCode());
  KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(code));
  const TimeMs until = ToMs(now + kLoginCodeLifetime);
  if (Status done = database_.Transact([&](sql::Session& session) {
        return session.Execute(kSaveCode, sql::Params().Text(user.id).Text("login").Bytes(digest).Int(until)).status();
      });
      !done.ok())
    return done;
  return send_email_code_(user, code);
}

}  // namespace keywarden::server
