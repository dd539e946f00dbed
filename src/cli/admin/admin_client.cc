#include "cli/admin/admin_client.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include "http/json.h"
#include "jose/base64url.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::int64_t kRenewMarginSeconds = 60;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Result<nlohmann::json> JwtClaims(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return InvalidArgumentError("the access token is not a JWT");
  auto payload = jose::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return InvalidArgumentError("the access token's payload is not base64url");
  nlohmann::json claims = nlohmann::json::parse(payload->begin(), payload->end(), nullptr, false);
  if (!claims.is_object()) return InvalidArgumentError("the access token's payload is not a JSON object");
  return claims;
}

Status ApplyTokenResponse(const nlohmann::json& response, Session& session) {
  const auto access = response.find("access_token");
  if (access == response.end() || !access->is_string()) {
    return UnavailableError("the token endpoint's answer has no access_token");
  }
  KW_ASSIGN_OR_RETURN(nlohmann::json claims, JwtClaims(access->get<std::string>()));
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string()) return UnavailableError("the access token names no user (sub)");
  if (!session.user_id.empty() && session.user_id != sub->get<std::string>()) {
    return AuthenticationError("the server issued a token for another account");
  }
  session.user_id = sub->get<std::string>();
  if (const auto email = claims.find("email"); email != claims.end() && email->is_string() && session.email.empty()) {
    session.email = email->get<std::string>();
  }
  const auto exp = claims.find("exp");
  session.access_token_expires = exp != claims.end() && exp->is_number() ? exp->get<std::int64_t>() : 0;
  session.access_token = access->get<std::string>();
  if (const auto refresh = response.find("refresh_token"); refresh != response.end() && refresh->is_string()) {
    session.refresh_token = refresh->get<std::string>();
  }
  return OkStatus();
}

FormFields DeviceFields(const Session& session) {
  return {{"deviceType", "25"}, {"deviceIdentifier", session.device_identifier}, {"deviceName", "keywarden-admin"}};
}

AdminClient::AdminClient(std::string path, Session session)
    : path_(std::move(path)), session_(std::move(session)), api_(session_.server, session_.ca_file) {}

Result<AdminClient> AdminClient::Open(const std::string& session_path, const std::string& server) {
  KW_ASSIGN_OR_RETURN(Session session, LoadSession(session_path));
  if (!session.logged_in()) return NotFoundError("not logged in: run keywarden admin login");
  if (!server.empty()) {
    KW_ASSIGN_OR_RETURN(std::string wanted, NormalizeServerUrl(server));
    if (wanted != session.server) {
      return InvalidArgumentError("--server: the session is for " + session.server +
                                  "; log in to the other server with its own --session-file");
    }
  }
  return AdminClient(session_path, std::move(session));
}

Status AdminClient::EnsureFreshToken() {
  if (session_.access_token_expires == 0 || session_.access_token_expires - kRenewMarginSeconds > NowSeconds()) {
    return OkStatus();
  }
  FormFields fields;
  if (!session_.refresh_token.empty()) {
    fields = {{"grant_type", "refresh_token"},
              {"client_id", session_.client_id.empty() ? "cli" : session_.client_id},
              {"refresh_token", session_.refresh_token}};
  } else if (session_.client_id.starts_with("user.") && Env("BW_CLIENTID") == session_.client_id &&
             !Env("BW_CLIENTSECRET").empty()) {
    fields = {{"grant_type", "client_credentials"},
              {"client_id", session_.client_id},
              {"client_secret", Env("BW_CLIENTSECRET")},
              {"scope", "api"}};
    for (auto& field : DeviceFields(session_)) fields.push_back(std::move(field));
  } else {
    return AuthenticationError("the session has expired: run keywarden admin login");
  }
  auto renewed = api_.Token(fields);
  for (auto& field : fields) WipeString(field.second);
  if (!renewed.ok()) {
    return AuthenticationError("the session has expired (" + renewed.status().message() +
                               "): run keywarden admin login");
  }
  KW_RETURN_IF_ERROR(ApplyTokenResponse(*renewed, session_));
  return SaveSession(path_, session_);
}

Result<nlohmann::json> AdminClient::Call(std::string_view method, std::string_view path, const nlohmann::json& body) {
  KW_RETURN_IF_ERROR(EnsureFreshToken());
  return api_.Call(method, path, body, session_.access_token);
}

}  // namespace keywarden::cli::admin
