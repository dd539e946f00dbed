#include "cli/admin/key_connector_key.h"

#include <chrono>

#include "cli/admin/server_api.h"
#include "http/http_client.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::chrono::seconds kCallTimeout{60};
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

bool IsTrue(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

std::string Text(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Result<std::string> KeyConnectorUrlOf(const nlohmann::json& organizations) {
  if (organizations.is_array()) {
    for (const nlohmann::json& organization : organizations) {
      const std::string url = Text(organization, "keyConnectorUrl");
      if (!IsTrue(organization, "keyConnectorEnabled") || url.empty()) continue;
      // The same rule as a server URL: https, or http to this machine only.
      auto normalized = NormalizeServerUrl(url);
      if (!normalized.ok()) {
        return UnavailableError("the organization's Key Connector URL is not usable: " + normalized.status().message());
      }
      return *std::move(normalized);
    }
  }
  return NotFoundError("no organization of this account names a Key Connector (keyConnectorUrl)");
}

Result<MasterKey> FetchKeyConnectorKey(const std::string& url, const Session& session) {
  http::HttpClientRequest request;
  request.method = "GET";
  request.url = url + "/user-keys";
  std::string authorization = "Bearer " + session.access_token;
  request.headers.emplace_back("Authorization", authorization);
  http::HttpClientOptions options;
  options.timeout = kCallTimeout;
  options.max_body_bytes = kMaxAnswerBytes;
  if (!session.ca_file.empty()) options.ca_file = session.ca_file;
  auto response = http::HttpSend(request, options);
  WipeString(authorization);
  for (auto& header : request.headers) WipeString(header.second);
  if (!response.ok()) return UnavailableError("the Key Connector: " + response.status().message());
  if (response->status == 404) return NotFoundError("the Key Connector holds no key for this account");
  if (response->status == 401 || response->status == 403) {
    return AuthenticationError("the Key Connector refused this session's token: run keywarden admin login");
  }
  if (response->status != 200) {
    return UnavailableError("the Key Connector answered HTTP " + std::to_string(response->status));
  }
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  WipeString(response->body);
  const nlohmann::json* key = body.is_object() ? http::FindField(body, "key") : nullptr;
  if (key == nullptr || !key->is_string()) return UnavailableError("the Key Connector's answer has no key");
  std::string text = key->get<std::string>();
  auto master_key = MasterKey::FromBase64(text);
  WipeString(text);
  if (!master_key.ok()) return UnavailableError("the Key Connector's key is not a 32-byte key");
  return master_key;
}

}  // namespace keywarden::cli::admin
