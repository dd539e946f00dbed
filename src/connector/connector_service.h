// ConnectorService: a running Key Connector, assembled from its configuration.
//
//   RSA key provider (file or PKCS#11) -> data keyring <- key store (SQLite, PostgreSQL or MariaDB)
//   identity server (OIDC discovery, JWKS) -> token verifier
//   user key service + routes -> HTTP server, with metrics and audit logs
//
// Start() fails with one readable line naming the part that could not start (key file,
// database, identity server, listen address), so `serve` can exit with it.
#ifndef KEYWARDEN_CONNECTOR_CONNECTOR_SERVICE_H_
#define KEYWARDEN_CONNECTOR_CONNECTOR_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/token_verifier.h"
#include "base/clock.h"
#include "connector/config/connector_config.h"
#include "http/router.h"
#include "keywarden/status.h"

namespace keywarden::connector {

struct ConnectorServiceOptions {
  // Development identity issuer (serve --dev): tokens are checked against this issuer and JWKS
  // directly instead of fetching the identity server's discovery document.
  struct LocalIssuer {
    std::string issuer;
    std::function<Result<std::string>()> jwks;
  };
  std::optional<LocalIssuer> local_issuer;
  // Extra routes (the development issuer's discovery and JWKS documents).
  std::function<void(http::Router&)> extra_routes;
  // The wall clock: token lifetimes, key dates, last accesses. Must outlive the service.
  const Clock* clock = &Clock::System();
};

class ConnectorService {
 public:
  static Result<std::unique_ptr<ConnectorService>> Start(const ConnectorConfig& config,
                                                         ConnectorServiceOptions options = {});
  ~ConnectorService();

  std::uint16_t port() const;
  // Graceful: stops accepting, lets requests in flight finish (up to `drain`), flushes the
  // batched last-access times, closes the database.
  void Stop(std::chrono::milliseconds drain);

 private:
  struct Parts;
  explicit ConnectorService(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// The identity server's discovery document, fetched once at start-up.
Result<jose::OidcDiscovery> FetchDiscovery(const ConnectorConfig& config);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_CONNECTOR_SERVICE_H_
