// Prepares a benchmark identity issuer: a fresh RS256 signing key, its discovery document and
// JWKS (served by nginx during the benchmark), and bearer tokens for the connector.
//
//   keywarden_mint_tokens DIR ISSUER_URL USERS NEW_TOKENS
//
// Writes DIR/.well-known/openid-configuration, DIR/jwks.json, DIR/users.txt (one user id and one
// reusable token per line, tab-separated) and DIR/new_tokens.txt (NEW_TOKENS tokens, every one
// for a user in users.txt and never repeated). Signing runs on all cores.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "jose/jwt_signer.h"
#include "keywarden/crypto/random.h"

namespace {

std::string UserId(unsigned index) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%08x-0000-4000-8000-%012x", index, index);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  using keywarden::jose::JwtSigner;
  if (argc != 5) {
    std::cerr << "usage: keywarden_mint_tokens DIR ISSUER_URL USERS NEW_TOKENS\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::string issuer = argv[2];
  const unsigned users = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));
  const unsigned new_tokens = static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10));
  if (users == 0) {
    std::cerr << "keywarden_mint_tokens: USERS must be at least 1\n";
    return 2;
  }

  auto signer = JwtSigner::Generate(keywarden::jose::JwsAlgorithm::kRs256, "bench-1");
  if (!signer.ok()) {
    std::cerr << "keywarden_mint_tokens: " << signer.status().ToString() << "\n";
    return 1;
  }
  std::filesystem::create_directories(dir / ".well-known");
  std::ofstream(dir / ".well-known" / "openid-configuration")
      << nlohmann::json{{"issuer", issuer}, {"jwks_uri", issuer + "/jwks.json"}}.dump();
  std::ofstream(dir / "jwks.json") << signer->JwksJson();

  // Token i belongs to user (i % users); a distinct `jti` makes every token unique.
  const unsigned total = users + new_tokens;
  std::vector<std::string> tokens(total);
  std::atomic<unsigned> next{0};
  std::atomic<bool> failed{false};
  const auto now = std::chrono::system_clock::now();
  auto work = [&] {
    for (unsigned i = next++; i < total; i = next++) {
      nlohmann::json claims = JwtSigner::StandardClaims(issuer, UserId(i % users), now, std::chrono::hours(4));
      claims["jti"] = std::to_string(i);
      auto token = signer->Mint(nlohmann::json::object(), claims);
      if (!token.ok()) {
        failed = true;
        return;
      }
      tokens[i] = std::move(token).value();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t) threads.emplace_back(work);
  for (auto& thread : threads) thread.join();
  if (failed) {
    std::cerr << "keywarden_mint_tokens: signing failed\n";
    return 1;
  }
  std::ofstream users_file(dir / "users.txt");
  for (unsigned i = 0; i < users; ++i) users_file << UserId(i) << '\t' << tokens[i] << '\n';
  std::ofstream new_file(dir / "new_tokens.txt");
  for (unsigned i = users; i < total; ++i) new_file << tokens[i] << '\n';
  std::cout << "minted " << total << " tokens for " << users << " users in " << dir.string() << "\n";
  return 0;
}
