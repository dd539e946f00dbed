// A real OpenID Connect provider for the single sign-on tests: tests/sso_provider/provider.mjs
// (npm oidc-provider, OpenID-certified) in a child node process on a free loopback port, with
// the users and clients a test gives it; and the scripted browser (browser.mjs) that signs in
// at it. Skipped outside CI, and failed in CI, when node or the npm package is missing
// (support/skip.h).
#ifndef KEYWARDEN_TESTS_SERVER_SSO_OIDC_TEST_PROVIDER_H_
#define KEYWARDEN_TESTS_SERVER_SSO_OIDC_TEST_PROVIDER_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/child_process.h"
#include "support/skip.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace keywarden::server::testing {

inline constexpr char kNode[] = "/usr/bin/node";

// Whether node and the provider's npm package are installed (scripts/setup installs both).
inline bool OidcProviderAvailable() {
  return std::filesystem::exists(kNode) &&
         std::filesystem::exists(std::string(KEYWARDEN_SSO_PROVIDER_DIR) + "/node_modules/oidc-provider");
}

class OidcTestProvider {
 public:
  // `config` as provider.mjs reads it ({"clients": [...], "users": {...}}). Null on failure,
  // with a test failure recorded.
  static std::unique_ptr<OidcTestProvider> Start(const nlohmann::json& config) {
    auto provider = std::unique_ptr<OidcTestProvider>(new OidcTestProvider());
    const std::string config_file = provider->dir_.File("provider.json");
    std::ofstream(config_file) << config.dump();
    const std::string ready = provider->dir_.File("ready");
    const std::uint16_t port = keywarden::testing::FreePort();
    if (!provider->process_.Spawn({std::string(KEYWARDEN_SSO_PROVIDER_DIR) + "/provider.mjs", "--port",
                                   std::to_string(port), "--config", config_file, "--ready", ready},
                                  keywarden::testing::ChildEnvironment(), -1, kNode)) {
      ADD_FAILURE() << "cannot start node";
      return nullptr;
    }
    const bool up = keywarden::testing::WaitUntil([&] { return std::filesystem::exists(ready); },
                                                  std::chrono::seconds(30), std::chrono::milliseconds(20));
    if (!up) {
      ADD_FAILURE() << "the OpenID provider did not start: " << provider->process_.err();
      return nullptr;
    }
    provider->issuer_ = "http://127.0.0.1:" + std::to_string(port);
    return provider;
  }

  const std::string& issuer() const { return issuer_; }
  std::string log() { return process_.err() + process_.out(); }

  // What the web vault's SSO page and a browser do from `start` (the server's authorize URL):
  // sign in at the provider as `login` and stop at the redirect to a URL beginning with
  // `until`. {"url": ...} when it got there; {"status", "url", "body"} where it stopped.
  static nlohmann::json Browse(const std::string& start, const std::string& login, const std::string& password,
                               const std::string& until) {
    keywarden::testing::ChildProcess browser;
    if (!browser.Spawn({std::string(KEYWARDEN_SSO_PROVIDER_DIR) + "/browser.mjs", "--start", start, "--login", login,
                        "--password", password, "--until", until},
                       keywarden::testing::ChildEnvironment(), -1, kNode)) {
      ADD_FAILURE() << "cannot start node";
      return nullptr;
    }
    const auto exit = browser.WaitExit(std::chrono::seconds(60));
    EXPECT_EQ(exit, std::optional<int>(0)) << browser.err();
    nlohmann::json out = nlohmann::json::parse(browser.out(), nullptr, false);
    EXPECT_TRUE(out.is_object()) << browser.out() << browser.err();
    return out;
  }

 private:
  OidcTestProvider() = default;
  keywarden::testing::TempDir dir_;
  keywarden::testing::ChildProcess process_;
  std::string issuer_;
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_SSO_OIDC_TEST_PROVIDER_H_
