#include "connector/dev_mode.h"

#include "auth/user_id.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "custody/file/file_rsa_key_provider.h"
#include "http/http_types.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "net/loopback.h"

namespace keywarden::connector {
namespace {

constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";
constexpr std::string_view kJwksPath = "/.well-known/jwks";

}  // namespace

Result<std::unique_ptr<DevEnvironment>> DevEnvironment::Create(const config::ListenAddress& listen) {
  if (!net::IsLoopbackHost(listen.host)) {
    return InvalidArgumentError("--dev listens on loopback only (127.0.0.1, ::1 or localhost), not " + listen.host);
  }
  std::unique_ptr<DevEnvironment> env(new DevEnvironment());
  std::string pattern = (std::filesystem::temp_directory_path() / "keywarden-dev-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return UnavailableError("cannot create a temporary folder");
  env->folder_ = pattern;

  config::ListenAddress address = listen;
  if (address.port == 0) {
    KW_ASSIGN_OR_RETURN(address.port, net::FreeLoopbackPort());
  }
  const std::string host = address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  env->issuer_ = "http://" + host + ":" + std::to_string(address.port);

  ConnectorConfig& config = env->config_;
  config.listen = address;
  config.identity_server_uri = env->issuer_;
  config.database.sqlite_path = env->folder_ + "/connector.db";
  config.rsa_key.key_file = env->folder_ + "/key.pem";
  config.last_access_flush_seconds = 5;
  config.metrics.sample_seconds = 1;  // someone trying it out sees their writes counted at once
  KW_ASSIGN_OR_RETURN(std::string fingerprint,
                      custody::CreateKeyFile(config.rsa_key.key_file, custody::KeyFileFormat::kPemPkcs8, nullptr));
  (void)fingerprint;
  KW_ASSIGN_OR_RETURN(jose::JwtSigner signer, jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "keywarden-dev"));
  env->signer_ = std::make_shared<jose::JwtSigner>(std::move(signer));
  return env;
}

DevEnvironment::~DevEnvironment() {
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

ConnectorServiceOptions DevEnvironment::service_options() const {
  ConnectorServiceOptions options;
  std::shared_ptr<jose::JwtSigner> signer = signer_;
  options.local_issuer =
      ConnectorServiceOptions::LocalIssuer{issuer_, [signer]() -> Result<std::string> { return signer->JwksJson(); }};
  const std::string issuer = issuer_;
  options.extra_routes = [signer, issuer](http::Router& router) {
    router.Add("GET", std::string(kDiscoveryPath), [issuer](const http::HttpRequest&) {
      return http::JsonResponse(200, {{"issuer", issuer}, {"jwks_uri", issuer + std::string(kJwksPath)}});
    });
    router.Add("GET", std::string(kJwksPath), [signer](const http::HttpRequest&) {
      http::HttpResponse response = http::JsonResponse(200, nlohmann::json::parse(signer->JwksJson()));
      return response;
    });
  };
  return options;
}

Result<std::string> DevEnvironment::MintToken(const std::string& user_id, std::chrono::seconds lifetime) const {
  return signer_->Mint(nlohmann::json::object(),
                       jose::JwtSigner::StandardClaims(issuer_, user_id, std::chrono::system_clock::now(), lifetime));
}

Result<std::string> DevEnvironment::Banner(std::uint16_t port) const {
  KW_ASSIGN_OR_RETURN(std::string user_id, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(std::string token, MintToken(user_id, std::chrono::hours(8)));
  std::uint8_t key[32];
  KW_RETURN_IF_ERROR(RandomBytes(key));
  const std::string url =
      "http://" +
      std::string(config_.listen.host.find(':') != std::string::npos ? "[" + config_.listen.host + "]"
                                                                     : config_.listen.host) +
      ":" + std::to_string(port);
  std::string out;
  out += "Keywarden Key Connector (development mode: nothing here is for production)\n";
  out += "  listening on   " + url + "\n";
  out += "  data folder    " + folder_ + " (deleted on exit)\n";
  out += "  issuer         " + issuer_ + " (served by this process)\n";
  out += "  (configuration files and KEYWARDEN_* settings are not used in development mode)\n\n";
  out += "A token for user " + user_id + ", valid for 8 hours:\n\n";
  out += "  export TOKEN='" + token + "'\n\n";
  out += "Try it:\n";
  out += "  curl -s " + url + "/alive\n";
  out += "  curl -s -X POST " + url +
         "/user-keys -H \"Authorization: Bearer $TOKEN\" "
         "-H 'Content-Type: application/json' -d '{\"key\":\"" +
         Base64Encode(key) + "\"}'\n";
  out += "  curl -s " + url + "/user-keys -H \"Authorization: Bearer $TOKEN\"\n";
  out += "  curl -s " + url + "/metrics\n";
  return out;
}

}  // namespace keywarden::connector
