#include "server/accounts/secret_verification.h"

#include <chrono>
#include <string>

#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "server/api/error_response.h"
#include "server/two_factor/codes.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

constexpr std::int64_t kMaxAttempts = 5;
constexpr std::string_view kPurpose = "otp";

constexpr sql::Statement kSaveCode = {
    "server_save_verification_code",
    "INSERT INTO one_time_codes(user_id, purpose, code_hash, expiration_date, attempts) VALUES ($1, $2, $3, $4, 0) "
    "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = $3, expiration_date = $4, attempts = 0",
    nullptr, nullptr, "to store a verification code"};
constexpr sql::Statement kReadCode = {"server_read_verification_code",
                                      "SELECT code_hash, expiration_date, attempts FROM one_time_codes "
                                      "WHERE user_id = $1 AND purpose = $2",
                                      nullptr, nullptr, "to read a verification code"};
constexpr sql::Statement kCountAttempt = {"server_verification_code_attempt",
                                          "UPDATE one_time_codes SET attempts = attempts + 1 "
                                          "WHERE user_id = $1 AND purpose = $2",
                                          nullptr, nullptr, "to count a verification code attempt"};
// Deletes only the row that was read, so two requests racing with one code cannot both use it.
constexpr sql::Statement kTakeCode = {
    "server_take_verification_code",
    "DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2 AND code_hash = $3", nullptr, nullptr,
    "to use a verification code"};

// The stored form: the hash of the code with the security stamp it was issued under, so that a
// new stamp voids it without a write.
Result<two_factor::TokenDigest> CodeHash(const store::User& user, std::string_view code) {
  std::string bound = user.security_stamp + ":" + std::string(code);
  auto digest = two_factor::TokenHash(bound);
  WipeString(bound);
  return digest;
}

// Six ASCII digits: only such a secret is tried as a code (a password hash never is one), so a
// wrong password does not count against a pending code.
bool LooksLikeCode(std::string_view secret) {
  if (secret.size() != 6) return false;
  for (char ch : secret) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// The body's text field `name` when it is a non-empty string, else nullptr.
const nlohmann::json* NonEmptyText(const nlohmann::json& body, std::string_view name) {
  const nlohmann::json* value = http::FindField(body, name);
  if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) return nullptr;
  return value;
}

}  // namespace

Result<bool> ConsumeVerificationCode(const AccountRoutesContext& context, const store::User& user,
                                     std::string_view code) {
  if (!LooksLikeCode(code)) return false;
  KW_ASSIGN_OR_RETURN(two_factor::TokenDigest digest, CodeHash(user, code));
  const TimeMs now = api::NowMs(context.api.clock);
  bool matched = false;
  KW_RETURN_IF_ERROR(context.api.database.Transact([&](sql::Session& session) -> Status {
    matched = false;
    const sql::Params key = sql::Params().Text(user.id).Text(kPurpose);
    KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadCode, key));
    if (rows.empty()) return OkStatus();
    KW_ASSIGN_OR_RETURN(TimeMs expires, rows.Int(0, 1));
    KW_ASSIGN_OR_RETURN(std::int64_t attempts, rows.Int(0, 2));
    if (expires <= now || attempts >= kMaxAttempts) return OkStatus();
    const std::vector<std::uint8_t> stored = rows.Bytes(0, 0);
    if (!two_factor::SameHash(digest, stored)) {
      return session.Execute(kCountAttempt, key).status();
    }
    KW_ASSIGN_OR_RETURN(sql::Rows taken,
                        session.Execute(kTakeCode, sql::Params().Text(user.id).Text(kPurpose).Bytes(stored)));
    matched = taken.affected() == 1;
    return OkStatus();
  }));
  return matched;
}

Result<bool> VerifySecret(const AccountRoutesContext& context, const store::User& user, const nlohmann::json& body) {
  // The reference's Secret: the password hash field when set, else the code field.
  const nlohmann::json* password_hash = NonEmptyText(body, "masterPasswordHash");
  if (password_hash != nullptr && user.password_hash.has_value() && VerifyMasterPassword(context, user, body)) {
    return true;
  }
  const nlohmann::json* secret = password_hash != nullptr ? password_hash : NonEmptyText(body, "otp");
  if (secret == nullptr) return false;
  return ConsumeVerificationCode(context, user, secret->get_ref<const std::string&>());
}

std::optional<http::HttpResponse> RefuseUnverified(const AccountRoutesContext& context, const store::User& user,
                                                   const nlohmann::json& body, std::string_view message) {
  auto verified = VerifySecret(context, user, body);
  if (!verified.ok()) return api::FromStatus(verified.status());
  if (!*verified) return api::BadRequest(message);
  return std::nullopt;
}

Status SendVerificationCode(const AccountRoutesContext& context, const store::User& user) {
  if (!context.send_verification_code) {
    return InvalidArgumentError("Mail is not configured on this server: no verification code can be sent.");
  }
  KW_ASSIGN_OR_RETURN(std::string code, two_factor::NewOneTimeCode());
  auto digest = CodeHash(user, code);
  if (!digest.ok()) {
    WipeString(code);
    return digest.status();
  }
  const TimeMs expires =
      api::NowMs(context.api.clock) +
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::minutes(kVerificationCodeMinutes)).count();
  Status status = context.api.database.Transact([&](sql::Session& session) {
    return session.Execute(kSaveCode, sql::Params().Text(user.id).Text(kPurpose).Bytes(*digest).Int(expires)).status();
  });
  if (status.ok()) status = context.send_verification_code(user.email, code);
  WipeString(code);
  return status;
}

}  // namespace keywarden::server
