// `keywarden connector serve --dev`: a complete connector for trying it out, in one command.
//
// A fresh RSA key and SQLite database in a temporary folder, and a development identity issuer
// served by the connector itself on the same loopback port (its own discovery document and
// JWKS), whose tokens it prints with ready-made curl commands. It refuses to listen anywhere but
// loopback, and none of it exists without --dev.
#ifndef KEYWARDEN_CONNECTOR_DEV_MODE_H_
#define KEYWARDEN_CONNECTOR_DEV_MODE_H_

#include <memory>
#include <string>

#include "config/listen.h"
#include "connector/config/connector_config.h"
#include "connector/connector_service.h"
#include "jose/jwt_signer.h"
#include "keywarden/status.h"

namespace keywarden::connector {

class DevEnvironment {
 public:
  // `listen` must be a loopback address; port 0 picks a free one.
  static Result<std::unique_ptr<DevEnvironment>> Create(const config::ListenAddress& listen);
  ~DevEnvironment();  // removes the temporary folder

  const ConnectorConfig& config() const { return config_; }
  ConnectorServiceOptions service_options() const;
  const std::string& issuer() const { return issuer_; }
  const std::string& folder() const { return folder_; }

  // A signed token for `user_id` (a GUID), valid for `lifetime`.
  Result<std::string> MintToken(const std::string& user_id, std::chrono::seconds lifetime) const;
  // The banner `serve --dev` prints: the URL, a token for a new user, and curl commands.
  Result<std::string> Banner(std::uint16_t port) const;

 private:
  DevEnvironment() = default;
  std::string folder_;
  std::string issuer_;
  ConnectorConfig config_;
  std::shared_ptr<jose::JwtSigner> signer_;
};

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_DEV_MODE_H_
