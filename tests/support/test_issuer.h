// A test identity server on a loopback port: it publishes the discovery document and the JWKS
// that the connector fetches, and signs tokens with its one key. For the tests that run the
// connector (in process or as the binary) against a real identity endpoint over HTTP.
#ifndef KEYWARDEN_TESTS_SUPPORT_TEST_ISSUER_H_
#define KEYWARDEN_TESTS_SUPPORT_TEST_ISSUER_H_

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "http/server.h"
#include "jose/jwt_signer.h"

namespace keywarden::testing {

class TestIssuer {
 public:
  // Serves discovery with `issuer` as its "issuer", and a JWKS holding a new `alg` key named
  // `kid`. Null, with a test failure recorded, if the key or the server cannot be made.
  static std::unique_ptr<TestIssuer> Start(std::string issuer, jose::JwsAlgorithm alg, std::string kid);

  ~TestIssuer();
  TestIssuer(const TestIssuer&) = delete;
  TestIssuer& operator=(const TestIssuer&) = delete;

  // "http://127.0.0.1:PORT": the connector's identity server URL.
  std::string uri() const;
  const std::string& issuer() const { return issuer_; }
  const jose::JwtSigner& signer() const { return *signer_; }

  // The standard claims (JwtSigner::StandardClaims) for `user`, valid from now for `lifetime`.
  nlohmann::json Claims(const std::string& user, std::chrono::seconds lifetime = std::chrono::minutes(10)) const;
  // A token with those claims, signed by this issuer's key ("" and a test failure if minting fails).
  std::string Token(const std::string& user, std::chrono::seconds lifetime = std::chrono::minutes(10)) const;

 private:
  TestIssuer(std::string issuer, std::shared_ptr<const jose::JwtSigner> signer);

  const std::string issuer_;
  const std::shared_ptr<const jose::JwtSigner> signer_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_TEST_ISSUER_H_
