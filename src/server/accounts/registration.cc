#include "server/accounts/registration.h"
#include "auth/user_id.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/rsa.h"
#include "server/accounts/account_fields.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/two_factor/codes.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

constexpr std::chrono::hours kRegistrationTokenLifetime{24};

constexpr sql::Statement kInsertToken = {"server_insert_email_token",
                                         "INSERT INTO email_tokens(token_hash, purpose, email, user_id, name, "
                                         "expiration_date) VALUES ($1, $2, $3, NULL, $4, $5)",
                                         nullptr, nullptr, "to store a verification token"};
constexpr sql::Statement kTakeToken = {"server_take_email_token",
                                       "DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND email = $3 "
                                       "AND expiration_date > $4",
                                       nullptr, nullptr, "to use a verification token"};

bool SignupAllowed(const ServerConfig::Accounts& accounts, const std::string& email) {
  using S = ServerConfig::Accounts::Signups;
  if (accounts.signups == S::kOpen) return true;
  if (accounts.signups == S::kClosed) return false;
  const std::size_t at = email.rfind('@');
  if (at == std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  return std::find(accounts.signup_domains.begin(), accounts.signup_domains.end(), domain) !=
         accounts.signup_domains.end();
}

http::HttpResponse Prelogin(RegistrationContext& context, const http::HttpRequest& request) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  const nlohmann::json* email_field = http::FindField(*body, "email");
  if (email_field == nullptr || !email_field->is_string())
    return api::InvalidField("Email", "The Email field is required.");
  const std::string email = NormaliseEmail(email_field->get<std::string>());
  std::optional<store::User> user;
  const Status read = context.api.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(user, store::FindUserByEmail(session, email));
    return OkStatus();
  });
  if (!read.ok()) return api::FromStatus(read);
  store::Kdf kdf;  // the default for an unknown address
  std::string salt = email;
  if (user) {
    kdf = user->kdf;
    if (!user->salt.empty()) salt = user->salt;
  }
  const auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return http::JsonResponse(200, {{"kdfSettings",
                                   {{"kdfType", kdf.type},
                                    {"iterations", kdf.iterations},
                                    {"memory", opt(kdf.memory)},
                                    {"parallelism", opt(kdf.parallelism)}}},
                                  {"salt", salt},
                                  {"kdf", kdf.type},
                                  {"kdfIterations", kdf.iterations},
                                  {"kdfMemory", opt(kdf.memory)},
                                  {"kdfParallelism", opt(kdf.parallelism)}});
}

http::HttpResponse SendVerificationEmail(RegistrationContext& context, const http::HttpRequest& request) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  const nlohmann::json* email_field = http::FindField(*body, "email");
  if (email_field == nullptr || !email_field->is_string())
    return api::InvalidField("Email", "The Email field is required.");
  const std::string email = NormaliseEmail(email_field->get<std::string>());
  if (!LooksLikeEmail(email)) return api::InvalidField("Email", "The Email field is not a valid e-mail address.");
  std::string name;
  if (const nlohmann::json* n = http::FindField(*body, "name"); n != nullptr && n->is_string())
    name = n->get<std::string>();
  if (name.size() > 50)
    return api::InvalidField("Name", "The field Name must be a string with a maximum length of 50.");
  if (!SignupAllowed(context.options.accounts, email)) {
    return api::BadRequest("Open registration has been disabled by the system administrator.");
  }
  auto token = two_factor::NewOpaqueToken();
  if (!token.ok()) return api::FromStatus(token.status());
  const TimeMs expires = api::NowMs(context.api.clock) +
                         std::chrono::duration_cast<std::chrono::milliseconds>(kRegistrationTokenLifetime).count();
  auto digest = two_factor::TokenHash(*token);
  if (!digest.ok()) return api::FromStatus(digest.status());
  const Status stored = context.api.database.Transact([&](sql::Session& session) {
    return session
        .Execute(kInsertToken, sql::Params().Bytes(*digest).Text("register").Text(email).Text(name).Int(expires))
        .status();
  });
  if (!stored.ok()) return api::FromStatus(stored);
  if (context.options.accounts.require_email_verification) {
    if (!context.options.send_verification) {
      return api::BadRequest("E-mail verification is required but mail is not configured on this server.");
    }
    const Status sent = context.options.send_verification(email, name, *token);
    if (!sent.ok()) return api::FromStatus(sent);
    http::HttpResponse response;
    response.status = 204;
    return response;
  }
  return http::JsonResponse(200, nlohmann::json(*token));
}

http::HttpResponse RegisterFinish(RegistrationContext& context, const http::HttpRequest& request) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  const Status registered = RegisterAccount(context, *body, false);
  if (!registered.ok()) {
    if (registered.code() == ErrorCode::kAlreadyExists) return api::BadRequest("Email is already taken.");
    if (registered.code() == ErrorCode::kInvalidArgument) return api::RequestErrorResponse(registered);
    return api::FromStatus(registered);
  }
  return http::JsonResponse(200, {{"object", "registerFinish"}});
}

}  // namespace

Status RegisterAccount(RegistrationContext& context, const nlohmann::json& body, bool token_checked) {
  KW_ASSIGN_OR_RETURN(NewAccountFields fields, ParseNewAccount(body));
  if (!SignupAllowed(context.options.accounts, fields.email)) {
    return InvalidArgumentError("Open registration has been disabled by the system administrator.");
  }
  const nlohmann::json* token_field = http::FindField(body, "emailVerificationToken");
  const bool has_token = token_field != nullptr && token_field->is_string() && !token_field->get<std::string>().empty();
  if (!token_checked && context.options.accounts.require_email_verification && !has_token) {
    return api::FieldErrorStatus("EmailVerificationToken",
                                 "is required: verify your e-mail address first, with the link mailed to it.");
  }
  KW_ASSIGN_OR_RETURN(
      std::string password_hash,
      context.gate.Compute<std::string>(std::chrono::steady_clock::now() + std::chrono::seconds(10), [&] {
        return context.hasher.Hash(
            std::span<const std::uint8_t>(fields.master_password_hash.data(), fields.master_password_hash.size()));
      }));
  KW_ASSIGN_OR_RETURN(std::string id, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(std::string stamp, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(std::string api_key, NewApiKey());
  const TimeMs now = api::NowMs(context.api.clock);
  store::User user;
  user.id = id;
  user.email = fields.email;
  user.name = fields.name;
  user.password_hash = password_hash;
  user.password_hint = fields.hint;
  user.salt = fields.email;
  user.kdf = fields.kdf;
  user.user_key = fields.user_key;
  user.public_key = fields.public_key;
  user.private_key = fields.private_key;
  user.security_stamp = stamp;
  user.api_key = api_key;
  // A self-hosted account has every feature (TOTP codes in the CLI, attachments): there is no
  // subscription to check.
  user.premium = true;
  user.creation_date = now;
  user.revision_date = now;
  user.account_revision_date = now;
  return context.api.database.Transact([&](sql::Session& session) -> Status {
    if (has_token) {
      KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(token_field->get<std::string>()));
      KW_ASSIGN_OR_RETURN(
          sql::Rows taken,
          session.Execute(kTakeToken, sql::Params().Bytes(digest).Text("register").Text(fields.email).Int(now)));
      if (taken.affected() != 1) {
        return api::FieldErrorStatus("EmailVerificationToken", "has expired or was already used.");
      }
      user.email_verified = context.options.accounts.require_email_verification;
    }
    KW_RETURN_IF_ERROR(store::InsertUser(session, user));
    telemetry::AuditEvent("register", user.id, "-", "ok");
    return OkStatus();
  });
}

void AddRegistrationRoutes(http::Router& router, RegistrationContext& context) {
  const auto add = [&](std::string_view path,
                       http::HttpResponse (*handler)(RegistrationContext&, const http::HttpRequest&)) {
    auto route = router.Add(
        "POST", path, [&context, handler](const http::HttpRequest& r) { return handler(context, r); },
        http::Execution::kBlocking);
    if (handler == RegisterFinish && context.options.hashing_limit) route.Limit(context.options.hashing_limit);
  };
  add("/identity/accounts/prelogin/password", Prelogin);
  add("/identity/accounts/prelogin", Prelogin);
  add("/api/accounts/prelogin", Prelogin);
  add("/identity/accounts/register/send-verification-email", SendVerificationEmail);
  add("/identity/accounts/register/finish", RegisterFinish);
  add("/identity/accounts/register", RegisterFinish);
  add("/api/accounts/register", RegisterFinish);
}

}  // namespace keywarden::server
