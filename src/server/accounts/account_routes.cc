#include "server/accounts/account_routes.h"
#include "auth/user_id.h"

#include <cctype>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "base/time.h"
#include "http/json.h"
#include "keywarden/crypto/rsa.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/events/user_events.h"
#include "server/identity/account_json.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_json.h"
#include "server/store/refresh_tokens.h"
#include "server/two_factor/codes.h"
#include "server/two_factor/two_factor_login.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

using api::BadRequest;
using api::FromStatus;

constexpr std::string_view kVerificationFailed = "User verification failed.";
// The address salts the master key; a Key Connector account has none to re-derive with it.
constexpr std::string_view kKeyConnectorEmail = "You cannot change your email when using Key Connector.";
// Password and KDF changes: a Key Connector account has no master password to change (the
// reference's UpdateExistingPasswordData and UpdateExistingKdfConfigurationData say so first).
constexpr std::string_view kKeyConnectorPassword = "Cannot update password of a user with Key Connector.";
constexpr std::chrono::minutes kEmailCodeLifetime{15};

constexpr sql::Statement kInsertEmailToken = {"server_insert_email_change",
                                              "INSERT INTO email_tokens(token_hash, purpose, email, user_id, name, "
                                              "expiration_date) VALUES ($1, 'change_email', $2, $3, NULL, $4)",
                                              nullptr, nullptr, "to store an e-mail change code"};
constexpr sql::Statement kTakeEmailToken = {"server_take_email_change",
                                            "DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = "
                                            "'change_email' AND email = $2 AND user_id = $3 AND expiration_date > $4",
                                            nullptr, nullptr, "to use an e-mail change code"};

http::HttpResponse NoContent() {
  http::HttpResponse response;
  response.status = 200;
  response.content_type = std::string(http::kJsonContentType);
  response.body = "null";
  return response;
}

std::string IsoNow(const Clock& clock) { return FormatIsoDate(clock.NowMs()); }

http::HttpResponse ProfileResponse(AccountRoutesContext& c, const store::User& user) {
  nlohmann::json profile;
  const Status read = c.api.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(const bool two_factor, TwoFactorEnabled(session, user.id));
    profile = ProfileJson(user, two_factor);
    KW_ASSIGN_OR_RETURN(profile["organizations"], organizations::ProfileOrganizationsJson(
                                                      session, user.id, organizations::MembershipScope::kConfirmed));
    return OkStatus();
  });
  if (!read.ok()) return FromStatus(read);
  return http::JsonResponse(200, profile);
}

Result<nlohmann::json> Body(const http::HttpRequest& request) { return http::ParseJsonObject(request.body); }

std::string Text(const nlohmann::json& body, std::string_view name) {
  const nlohmann::json* value = http::FindField(body, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Status SaveAccount(AccountRoutesContext& context, store::User& user, bool end_sessions,
                   const std::function<Status(sql::Session&)>& also) {
  const TimeMs now = api::NowMs(context.api.clock);
  if (end_sessions) {
    KW_ASSIGN_OR_RETURN(user.security_stamp, auth::NewGuid());
  }
  const TimeMs read_revision = user.revision_date;
  user.revision_date = std::max(now, read_revision + 1);
  user.account_revision_date = std::max(now, user.account_revision_date + 1);
  return context.api.database.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(store::UpdateUser(session, user, read_revision));
    if (end_sessions) KW_RETURN_IF_ERROR(store::RevokeUserRefreshTokens(session, user.id));
    return also ? also(session) : OkStatus();
  });
}

Result<std::string> HashNewPassword(AccountRoutesContext& context, const nlohmann::json& value,
                                    std::string_view field) {
  KW_ASSIGN_OR_RETURN(SecureBuffer secret, ParseMasterPasswordHash(value, field));
  return HashMasterPassword(context, secret);
}

Result<std::string> HashMasterPassword(AccountRoutesContext& context, const SecureBuffer& client_hash) {
  return context.gate.Compute<std::string>(std::chrono::steady_clock::now() + std::chrono::seconds(10), [&] {
    return context.hasher.Hash(std::span<const std::uint8_t>(client_hash.data(), client_hash.size()));
  });
}

bool VerifyMasterPassword(const AccountRoutesContext& context, const store::User& user, const nlohmann::json& body) {
  const nlohmann::json* value = http::FindField(body, "masterPasswordHash");
  if (value == nullptr || !user.password_hash.has_value()) return false;
  auto secret = ParseMasterPasswordHash(*value, "MasterPasswordHash");
  if (!secret.ok()) return false;
  bool matched = false;
  const Status hashed = context.gate.Run(std::chrono::steady_clock::now() + std::chrono::seconds(10), [&] {
    auto verified =
        context.hasher.Verify(*user.password_hash, std::span<const std::uint8_t>(secret->data(), secret->size()));
    matched = verified.ok() && *verified;
  });
  return hashed.ok() && matched;
}

void AddAccountRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);

  add("GET", "/api/accounts/profile",
      [c](const http::HttpRequest&, store::User& user) { return ProfileResponse(*c, user); });
  add("PUT", "/api/accounts/profile", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    const std::string name = Text(*body, "name");
    const std::string hint = Text(*body, "masterPasswordHint");
    const std::string culture = Text(*body, "culture");
    if (name.size() > 50)
      return api::InvalidField("Name", "The field Name must be a string with a maximum length of 50.");
    if (hint.size() > 50) return api::InvalidField("MasterPasswordHint", "must be at most 50 characters");
    if (culture.size() > 10) return api::InvalidField("Culture", "must be at most 10 characters");
    user.name = name;
    user.password_hint = hint;
    if (!culture.empty()) user.culture = culture;
    const Status saved = SaveAccount(*c, user, false);
    if (!saved.ok()) return FromStatus(saved);
    return ProfileResponse(*c, user);
  });
  add("GET", "/api/accounts/revision-date", [](const http::HttpRequest&, store::User& user) {
    return http::JsonResponse(200, nlohmann::json(user.account_revision_date));
  });
  add("POST", "/api/accounts/key-management/user-key-id", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    std::string id = Text(*body, "userKeyId");
    for (char& ch : id) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const bool hex = id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) return api::InvalidField("UserKeyId", "must be 32 hexadecimal characters");
    if (!user.user_key_id.empty()) {
      // A client posts only when its last sync lacked the id: the same id again is a retry.
      if (user.user_key_id == id) return NoContent();
      return BadRequest("User key id is already set.");
    }
    user.user_key_id = id;
    const Status saved = SaveAccount(*c, user, false);
    if (!saved.ok()) return FromStatus(saved);
    return NoContent();
  });
  const auto keys_response = [](const store::User& user) {
    return http::JsonResponse(200, {{"key", user.user_key},
                                    {"publicKey", user.public_key},
                                    {"privateKey", user.private_key},
                                    {"accountKeys", AccountKeysJson(user)},
                                    {"object", "keys"}});
  };
  add("GET", "/api/accounts/keys",
      [keys_response](const http::HttpRequest&, store::User& user) { return keys_response(user); });
  add("POST", "/api/accounts/keys", [c, keys_response](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (!user.public_key.empty()) return BadRequest("User has existing keypair.");
    const nlohmann::json* public_key = http::FindField(*body, "publicKey");
    const nlohmann::json* private_key = http::FindField(*body, "encryptedPrivateKey");
    if (public_key == nullptr || !public_key->is_string() ||
        !RsaPublicKey::FromBase64(public_key->get<std::string>()).ok()) {
      return api::InvalidField("PublicKey", "must be a base64 RSA public key (SPKI)");
    }
    if (private_key == nullptr) return api::InvalidField("EncryptedPrivateKey", "is required");
    if (Status s = CheckEncString(*private_key, "EncryptedPrivateKey"); !s.ok()) return api::RequestErrorResponse(s);
    user.public_key = public_key->get<std::string>();
    user.private_key = private_key->get<std::string>();
    const Status saved = SaveAccount(*c, user, false);
    if (!saved.ok()) return FromStatus(saved);
    telemetry::AuditEvent("set_keys", user.id, request.client_address, "ok");
    return keys_response(user);
  });
  const auto api_key = [c](bool rotate) {
    return [c, rotate](const http::HttpRequest& request, store::User& user) {
      auto body = Body(request);
      if (!body.ok()) return BadRequest(body.status().message());
      if (auto refused = RefuseUnverified(*c, user, *body)) return *refused;
      if (rotate) {
        auto key = NewApiKey();
        if (!key.ok()) return FromStatus(key.status());
        user.api_key = *key;
        const Status saved = SaveAccount(*c, user, false);
        if (!saved.ok()) return FromStatus(saved);
        telemetry::AuditEvent("rotate_api_key", user.id, request.client_address, "ok");
      }
      return http::JsonResponse(
          200, {{"apiKey", user.api_key}, {"revisionDate", IsoNow(c->api.clock)}, {"object", "apiKey"}});
    };
  };
  add("POST", "/api/accounts/api-key", api_key(false));
  add("POST", "/api/accounts/rotate-api-key", api_key(true));
  add("POST", "/api/accounts/security-stamp", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (auto refused = RefuseUnverified(*c, user, *body)) return *refused;
    const Status saved = SaveAccount(*c, user, true);
    if (!saved.ok()) return FromStatus(saved);
    telemetry::AuditEvent("security_stamp", user.id, request.client_address, "sessions ended");
    return NoContent();
  });
  add("POST", "/api/accounts/password", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (user.uses_key_connector) return BadRequest(kKeyConnectorPassword);
    if (!VerifyMasterPassword(*c, user, *body)) return BadRequest(kVerificationFailed);
    const nlohmann::json* new_hash = http::FindField(*body, "newMasterPasswordHash");
    const nlohmann::json* key = http::FindField(*body, "key");
    if (new_hash == nullptr) return api::InvalidField("NewMasterPasswordHash", "is required");
    if (key == nullptr) return api::InvalidField("Key", "is required");
    if (Status s = CheckEncString(*key, "Key"); !s.ok()) return api::RequestErrorResponse(s);
    const std::string hint = Text(*body, "masterPasswordHint");
    if (hint.size() > 50) return api::InvalidField("MasterPasswordHint", "must be at most 50 characters");
    auto hashed = HashNewPassword(*c, *new_hash, "NewMasterPasswordHash");
    if (!hashed.ok()) return api::RequestErrorResponse(hashed.status());
    user.password_hash = *hashed;
    user.user_key = key->get<std::string>();
    user.password_hint = hint;
    user.force_password_reset = false;
    const Status saved = SaveAccount(*c, user, true);
    if (!saved.ok()) return FromStatus(saved);
    telemetry::AuditEvent("change_password", user.id, request.client_address, "ok");
    events::LogUserEvent(c->api, request, user.id, events::EventType::kUserChangedPassword);
    return NoContent();
  });
  add("POST", "/api/accounts/kdf", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (user.uses_key_connector) return BadRequest(kKeyConnectorPassword);
    if (!VerifyMasterPassword(*c, user, *body)) return BadRequest(kVerificationFailed);
    // The 2026 form: authenticationData and unlockData; the older: root newMasterPasswordHash,
    // key and kdf fields.
    const nlohmann::json* authentication = http::FindField(*body, "authenticationData");
    const nlohmann::json* unlock = http::FindField(*body, "unlockData");
    const nlohmann::json* new_hash = nullptr;
    const nlohmann::json* key = nullptr;
    Result<store::Kdf> kdf = api::FieldErrorStatus("Kdf", "is required.");
    if (authentication != nullptr && unlock != nullptr && authentication->is_object() && unlock->is_object()) {
      new_hash = http::FindField(*authentication, "masterPasswordAuthenticationHash");
      key = http::FindField(*unlock, "masterKeyWrappedUserKey");
      const nlohmann::json* auth_kdf = http::FindField(*authentication, "kdf");
      const nlohmann::json* unlock_kdf = http::FindField(*unlock, "kdf");
      if (auth_kdf == nullptr || unlock_kdf == nullptr || *auth_kdf != *unlock_kdf) {
        return api::InvalidField("UnlockData.Kdf", "must equal the authentication KDF");
      }
      kdf = ParseKdf(*auth_kdf, "AuthenticationData.Kdf");
    } else {
      new_hash = http::FindField(*body, "newMasterPasswordHash");
      key = http::FindField(*body, "key");
      nlohmann::json legacy = {{"kdfType", body->value("kdf", -1)}, {"iterations", body->value("kdfIterations", 0)}};
      if (const nlohmann::json* m = http::FindField(*body, "kdfMemory")) legacy["memory"] = *m;
      if (const nlohmann::json* p = http::FindField(*body, "kdfParallelism")) legacy["parallelism"] = *p;
      kdf = ParseKdf(legacy, "Kdf");
    }
    if (!kdf.ok()) return api::RequestErrorResponse(kdf.status());
    if (new_hash == nullptr) return api::InvalidField("NewMasterPasswordHash", "is required");
    if (key == nullptr) return api::InvalidField("Key", "is required");
    if (Status s = CheckEncString(*key, "Key"); !s.ok()) return api::RequestErrorResponse(s);
    auto hashed = HashNewPassword(*c, *new_hash, "NewMasterPasswordHash");
    if (!hashed.ok()) return api::RequestErrorResponse(hashed.status());
    user.password_hash = *hashed;
    user.user_key = key->get<std::string>();
    user.kdf = *kdf;
    const Status saved = SaveAccount(*c, user, true);
    if (!saved.ok()) return FromStatus(saved);
    telemetry::AuditEvent("change_kdf", user.id, request.client_address, "ok");
    return NoContent();
  });
  add("POST", "/api/accounts/email-token", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (user.uses_key_connector) return BadRequest(kKeyConnectorEmail);
    if (!VerifyMasterPassword(*c, user, *body)) return BadRequest(kVerificationFailed);
    const std::string new_email = NormaliseEmail(Text(*body, "newEmail"));
    if (!LooksLikeEmail(new_email)) return api::InvalidField("NewEmail", "is not a valid e-mail address");
    if (!c->send_email_change_code)
      return BadRequest("Mail is not configured on this server: the address cannot be proven.");
    auto code = two_factor::NewOneTimeCode();
    if (!code.ok()) return FromStatus(code.status());
    const TimeMs expires =
        api::NowMs(c->api.clock) + std::chrono::duration_cast<std::chrono::milliseconds>(kEmailCodeLifetime).count();
    auto digest = two_factor::TokenHash(*code);
    if (!digest.ok()) return FromStatus(digest.status());
    const Status stored = c->api.database.Transact([&](sql::Session& session) {
      return session.Execute(kInsertEmailToken, sql::Params().Bytes(*digest).Text(new_email).Text(user.id).Int(expires))
          .status();
    });
    if (!stored.ok()) return FromStatus(stored);
    const Status sent = c->send_email_change_code(new_email, *code);
    if (!sent.ok()) return FromStatus(sent);
    return NoContent();
  });
  add("POST", "/api/accounts/email", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (user.uses_key_connector) return BadRequest(kKeyConnectorEmail);
    if (!VerifyMasterPassword(*c, user, *body)) return BadRequest(kVerificationFailed);
    const std::string new_email = NormaliseEmail(Text(*body, "newEmail"));
    const std::string token = Text(*body, "token");
    const nlohmann::json* new_hash = http::FindField(*body, "newMasterPasswordHash");
    const nlohmann::json* key = http::FindField(*body, "key");
    if (!LooksLikeEmail(new_email)) return api::InvalidField("NewEmail", "is not a valid e-mail address");
    if (new_hash == nullptr) return api::InvalidField("NewMasterPasswordHash", "is required");
    if (key == nullptr) return api::InvalidField("Key", "is required");
    if (Status s = CheckEncString(*key, "Key"); !s.ok()) return api::RequestErrorResponse(s);
    auto hashed = HashNewPassword(*c, *new_hash, "NewMasterPasswordHash");
    if (!hashed.ok()) return api::RequestErrorResponse(hashed.status());
    const TimeMs now = api::NowMs(c->api.clock);
    bool token_ok = false;
    store::User changed = user;
    changed.email = new_email;
    changed.salt = new_email;  // the client derives the new master key with the new address
    changed.email_verified = true;
    changed.password_hash = *hashed;
    changed.user_key = key->get<std::string>();
    auto stamp = auth::NewGuid();
    if (!stamp.ok()) return FromStatus(stamp.status());
    changed.security_stamp = *stamp;
    changed.revision_date = std::max(now, user.revision_date + 1);
    changed.account_revision_date = std::max(now, user.account_revision_date + 1);
    const Status saved = c->api.database.Transact([&](sql::Session& session) -> Status {
      token_ok = false;
      KW_ASSIGN_OR_RETURN(auto digest, two_factor::TokenHash(token));
      KW_ASSIGN_OR_RETURN(
          sql::Rows taken,
          session.Execute(kTakeEmailToken, sql::Params().Bytes(digest).Text(new_email).Text(user.id).Int(now)));
      if (taken.affected() != 1) return OkStatus();
      token_ok = true;
      KW_RETURN_IF_ERROR(store::UpdateUser(session, changed, user.revision_date));
      return store::RevokeUserRefreshTokens(session, user.id);
    });
    if (!saved.ok()) {
      if (saved.code() == ErrorCode::kAlreadyExists) return BadRequest("Email already taken.");
      return FromStatus(saved);
    }
    if (!token_ok) return BadRequest("Invalid token.");
    telemetry::AuditEvent("change_email", user.id, request.client_address, "ok");
    return NoContent();
  });
  const auto delete_account = [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    if (auto refused = RefuseUnverified(*c, user, *body)) return *refused;
    const Status deleted = c->api.database.Transact([&](sql::Session& session) -> Status {
      // An organisation keeps at least one owner: its last one deletes it, or makes another.
      KW_ASSIGN_OR_RETURN(const bool sole_owner, organizations::IsSoleOwnerSomewhere(session, user.id));
      if (sole_owner) {
        return InvalidArgumentError(
            "You cannot delete this member because they are the sole owner of at least one organization vault. "
            "Delete these organization vaults or make another member an owner.");
      }
      return store::DeleteUser(session, user.id);
    });
    if (!deleted.ok()) return FromStatus(deleted);
    telemetry::AuditEvent("delete_account", user.id, request.client_address, "ok");
    return NoContent();
  };
  add("POST", "/api/accounts/request-otp", [c](const http::HttpRequest& request, store::User& user) {
    const Status sent = SendVerificationCode(*c, user);
    if (!sent.ok()) return FromStatus(sent);
    telemetry::AuditEvent("request_otp", user.id, request.client_address, "code mailed");
    return NoContent();
  });
  add("POST", "/api/accounts/verify-otp", [c](const http::HttpRequest& request, store::User& user) {
    auto body = Body(request);
    if (!body.ok()) return BadRequest(body.status().message());
    auto verified = ConsumeVerificationCode(*c, user, Text(*body, "otp"));
    if (!verified.ok()) return FromStatus(verified.status());
    if (!*verified) return api::InvalidField("Token", "Invalid token");
    return NoContent();
  });
  add("DELETE", "/api/accounts", delete_account);
  add("POST", "/api/accounts/delete", delete_account);

  router.Add("GET", "/api/config", [c](const http::HttpRequest&) {
    const std::string& url = c->public_url;
    return http::JsonResponse(
        200,
        {{"version", "2026.9.0"},
         {"gitHash", "keywarden"},
         {"server", {{"name", "Keywarden"}, {"url", url}}},
         {"environment",
          {{"cloudRegion", nullptr},
           {"vault", url},
           {"api", url + "/api"},
           {"identity", url + "/identity"},
           {"notifications", url + "/notifications"},
           {"sso", ""}}},
         {"featureStates", nlohmann::json::object()},
         {"push", {{"pushTechnology", 0}, {"vapidPublicKey", nullptr}}},
         {"communication", nullptr},
         {"settings", {{"disableUserRegistration", c->signups_disabled}, {"suppressOnboardingInterstitials", false}}},
         {"object", "config"}});
  });
}

}  // namespace keywarden::server
