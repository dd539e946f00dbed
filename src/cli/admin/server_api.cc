#include "cli/admin/server_api.h"

#include <chrono>

#include "http/http_client.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "net/loopback.h"
#include "net/percent_encoding.h"
#include "net/url.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::chrono::seconds kCallTimeout{60};
constexpr std::size_t kMaxAnswerBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxShownMessage = 300;

std::string Shorten(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > kMaxShownMessage) text = text.substr(0, kMaxShownMessage) + "...";
  return text;
}

std::string StringField(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* field = http::FindField(object, name);
  return field != nullptr && field->is_string() ? field->get<std::string>() : std::string();
}

// The reference's error body: the first validation error ("Field: message"), else `message`.
std::string ErrorMessage(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  if (const nlohmann::json* errors = http::FindField(body, "validationErrors"); errors && errors->is_object()) {
    for (const auto& [field, messages] : errors->items()) {
      if (messages.is_array() && !messages.empty() && messages.front().is_string()) {
        return field + ": " + messages.front().get<std::string>();
      }
    }
  }
  if (const nlohmann::json* model = http::FindField(body, "ErrorModel"); model && model->is_object()) {
    if (std::string message = StringField(*model, "message"); !message.empty()) return message;
  }
  if (std::string message = StringField(body, "message"); !message.empty()) return message;
  if (std::string description = StringField(body, "error_description"); !description.empty()) return description;
  return StringField(body, "error");
}

nlohmann::json ParseBody(const http::HttpClientResponse& response) {
  if (response.body.empty()) return nullptr;
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

Status StatusOf(std::string_view what, const http::HttpClientResponse& response) {
  const std::string message = Shorten(ErrorMessage(ParseBody(response)));
  const std::string said = message.empty() ? "" : ": " + message;
  switch (response.status) {
    case 400: return {ErrorCode::kConflict, "the server refused" + (said.empty() ? ": " + std::string(what) : said)};
    case 401:
    case 403: return AuthenticationError("the session is no longer valid: run keywarden admin login");
    case 404: return NotFoundError("not found, or not visible to this account: " + std::string(what));
    case 429: return UnavailableError("the server is rate limiting this client; try again later");
    default: break;
  }
  return UnavailableError(std::string(what) + ": HTTP " + std::to_string(response.status) + said);
}

}  // namespace

ServerApi::ServerApi(std::string server, std::string ca_file)
    : server_(std::move(server)), ca_file_(std::move(ca_file)) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

Result<nlohmann::json> ServerApi::Call(std::string_view method, std::string_view path, const nlohmann::json& body,
                                       std::string_view bearer) const {
  http::HttpClientRequest request;
  request.method = std::string(method);
  request.url = server_ + std::string(path);
  request.headers.emplace_back("Device-Type", "25");
  if (!body.is_null()) {
    request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string authorization;
  if (!bearer.empty()) {
    authorization = "Bearer " + std::string(bearer);
    request.headers.emplace_back("Authorization", authorization);
  }
  http::HttpClientOptions options;
  options.timeout = kCallTimeout;
  options.max_body_bytes = kMaxAnswerBytes;
  if (!ca_file_.empty()) options.ca_file = ca_file_;
  auto response = http::HttpSend(request, options);
  WipeString(authorization);
  for (auto& header : request.headers) WipeString(header.second);
  if (!response.ok()) return response.status();
  const std::string what = std::string(method) + " " + std::string(path.substr(0, path.find('?')));
  if (response->status < 200 || response->status > 299) return StatusOf(what, *response);
  nlohmann::json parsed = ParseBody(*response);
  if (parsed.is_discarded()) return UnavailableError(what + ": the answer is not JSON");
  return parsed;
}

Result<nlohmann::json> ServerApi::Token(const FormFields& fields) const {
  http::HttpClientRequest request;
  request.method = "POST";
  request.url = server_ + "/identity/connect/token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Device-Type", "25"}};
  request.body = net::FormEncode(fields);
  http::HttpClientOptions options;
  options.timeout = kCallTimeout;
  if (!ca_file_.empty()) options.ca_file = ca_file_;
  auto response = http::HttpSend(request, options);
  WipeString(request.body);
  if (!response.ok()) return response.status();
  nlohmann::json body = ParseBody(*response);
  if (response->status == 200) {
    if (!body.is_object()) return UnavailableError("the token endpoint's answer is not JSON");
    return body;
  }
  if (response->status != 400) return StatusOf("POST /identity/connect/token", *response);
  if (!body.is_object()) return AuthenticationError("the server refused the login");
  if (const nlohmann::json* providers = http::FindField(body, "TwoFactorProviders2");
      providers && providers->is_object() && !providers->empty()) {
    std::string list;
    for (const auto& [provider, _] : providers->items()) list += (list.empty() ? "" : ", ") + provider;
    return AuthenticationError("two-step login is required: give --code and --method (this account has " + list + ")");
  }
  if (StringField(body, "error") == "invalid_client") {
    return AuthenticationError("client_id or client_secret is incorrect");
  }
  const std::string message = Shorten(ErrorMessage(body));
  return AuthenticationError(message.empty() ? "the server refused the login" : message);
}

Result<std::string> NormalizeServerUrl(std::string_view url) {
  std::string text(url);
  while (!text.empty() && text.back() == '/') text.pop_back();
  auto parsed = net::ParseHttpUrl(text);
  if (!parsed.ok()) return InvalidArgumentError("--server: " + parsed.status().message());
  if (!parsed->path.empty() || parsed->query || parsed->has_fragment) {
    return InvalidArgumentError("--server: give the server's base URL, with no path or query");
  }
  if (!parsed->https && !net::IsLoopbackHost(parsed->host)) {
    return InvalidArgumentError("--server: plain http is allowed only to this machine (loopback); use https");
  }
  return text;
}

}  // namespace keywarden::cli::admin
