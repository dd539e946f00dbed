#include "support/test_issuer.h"

#include <gtest/gtest.h>

#include <utility>

#include "http/router.h"

namespace keywarden::testing {

TestIssuer::TestIssuer(std::string issuer, std::shared_ptr<const jose::JwtSigner> signer)
    : issuer_(std::move(issuer)), signer_(std::move(signer)) {}

std::unique_ptr<TestIssuer> TestIssuer::Start(std::string issuer, jose::JwsAlgorithm alg, std::string kid) {
  auto signer = jose::JwtSigner::Generate(alg, std::move(kid));
  EXPECT_TRUE(signer.ok()) << signer.status().ToString();
  if (!signer.ok()) return nullptr;
  std::unique_ptr<TestIssuer> made(
      new TestIssuer(std::move(issuer), std::make_shared<const jose::JwtSigner>(std::move(signer).value())));

  auto router = std::make_shared<http::Router>();
  const TestIssuer* self = made.get();  // the server stops in ~TestIssuer, before `self` goes
  router->Add("GET", "/.well-known/openid-configuration", [self](const http::HttpRequest&) {
    return http::JsonResponse(200, {{"issuer", self->issuer()}, {"jwks_uri", self->uri() + "/jwks"}});
  });
  router->Add("GET", "/jwks", [signer = made->signer_](const http::HttpRequest&) {
    return http::JsonResponse(200, nlohmann::json::parse(signer->JwksJson()));
  });
  http::HttpServerOptions options;
  options.port = 0;
  options.threads = 1;
  made->server_ = std::make_unique<http::HttpServer>(options, router);
  Status started = made->server_->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
  if (!started.ok()) return nullptr;
  return made;
}

TestIssuer::~TestIssuer() {
  if (server_) server_->Stop(std::chrono::milliseconds(0));
}

std::string TestIssuer::uri() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

nlohmann::json TestIssuer::Claims(const std::string& user, std::chrono::seconds lifetime) const {
  return jose::JwtSigner::StandardClaims(issuer_, user, std::chrono::system_clock::now(), lifetime);
}

std::string TestIssuer::Token(const std::string& user, std::chrono::seconds lifetime) const {
  auto token = signer_->Mint(nlohmann::json::object(), Claims(user, lifetime));
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : "";
}

}  // namespace keywarden::testing
