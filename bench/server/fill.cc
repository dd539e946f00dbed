// Fills a running Keywarden server for bench/server/run.sh, over HTTP, the way the clients do:
// accounts registered with keys made by libkeywarden, logged in with the password grant, and a
// vault of folders and login items encrypted under the account's own user key.
//
//   keywarden_server_fill PORT OUT_DIR CIPHERS FOLDERS LOGIN_USERS
//
// Makes, on the server at 127.0.0.1:PORT:
//  - vault@bench.example: FOLDERS folders and CIPHERS login items (the sync workload);
//  - writer@bench.example: an empty vault that the POST /api/ciphers workload fills;
//  - login-N@bench.example, N < LOGIN_USERS: accounts for the login flood.
// Writes to OUT_DIR:
//  vault.token, writer.token   an access token of each (one line)
//  cipher_ids.txt              the vault's item ids, one a line
//  cipher_bodies.txt           500 POST /api/ciphers bodies for the writer, one a line
//  logins.txt                  a password-grant form body per login user, one a line
//
// Items are what a password manager mostly holds: a name, a username, a password with its
// revision date and a URI with its checksum, each under an item key (as the 2026 clients write
// them); two in three are filed in a folder; every fifth has notes, every seventh is a favourite,
// every tenth has a second URI, a custom field and a password history entry, every twentieth a
// TOTP seed. Writes go over several keep-alive connections at once, so the server's group commit
// makes the fill quick.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/server/bench_client.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"

namespace {

using keywarden::EncString;
using keywarden::SymmetricKey;
using keywarden::bench::Account;
using keywarden::bench::Client;
using keywarden::bench::Die;
using keywarden::bench::Must;
using keywarden::bench::Register;
using nlohmann::json;

constexpr int kWriters = 8;  // connections filling the vault at once
constexpr int kCipherBodies = 500;

class ItemMaker {
 public:
  explicit ItemMaker(const SymmetricKey& user_key) : user_key_(user_key) {}

  // Item `i` as the client posts it, with a fresh item key.
  json Login(int i, const std::vector<std::string>& folders) const {
    const SymmetricKey item_key = Must(SymmetricKey::Generate(), "item key");
    const auto enc = [&](std::string_view text) {
      return Must(EncString::EncryptText(item_key, text), "enc").ToString();
    };
    const std::string n = std::to_string(i);
    json uris = json::array({{{"uri", enc("https://login.site" + n + ".example.com/signin")},
                              {"uriChecksum", enc("checksum " + n)},
                              {"match", nullptr}}});
    json body = {
        {"type", 1},
        {"folderId",
         i % 3 != 0 && !folders.empty() ? json(folders[static_cast<std::size_t>(i) % folders.size()]) : json()},
        {"organizationId", nullptr},
        {"key", Must(EncString::Encrypt(user_key_, item_key.bytes()), "wrapped item key").ToString()},
        {"name", enc("Site " + n)},
        {"notes", i % 5 == 0 ? json(enc("Recovery codes: 1234-5678 9012-3456 7890-1234")) : json()},
        {"favorite", i % 7 == 0},
        {"reprompt", 0},
        {"login",
         {{"username", enc("user" + n + "@example.com")},
          {"password", enc("pw-" + n + "-Xy7!kQ2#zR9")},
          {"passwordRevisionDate", "2025-03-04T05:06:07.890Z"},
          {"totp", i % 20 == 0 ? json(enc("otpauth://totp/Site?secret=JBSWY3DPEHPK3PXP")) : json()},
          {"autofillOnPageLoad", nullptr}}},
    };
    if (i % 10 == 0) {
      uris.push_back(
          {{"uri", enc("https://m.site" + n + ".example.com")}, {"uriChecksum", enc("m " + n)}, {"match", 1}});
      body["fields"] = {{{"name", enc("PIN")}, {"value", enc("0000")}, {"type", 1}, {"linkedId", nullptr}}};
      body["passwordHistory"] = {{{"password", enc("older-" + n)}, {"lastUsedDate", "2025-01-02T03:04:05.006Z"}}};
    }
    body["login"]["uris"] = std::move(uris);
    return body;
  }

 private:
  const SymmetricKey& user_key_;
};

// Runs `count` calls of `one(client, index)` over kWriters connections.
template <typename Fn>
void InParallel(std::uint16_t port, int count, Fn one) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&] {
      try {
        Client client(port);
        for (int i = next++; i < count; i = next++) one(client, i);
      } catch (const std::exception& e) {
        Die(e.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

void WriteLines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << '\n';
  if (!out) Die("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  keywarden::bench::program_name = "keywarden_server_fill";
  if (argc != 6) {
    std::cerr << "usage: keywarden_server_fill PORT OUT_DIR CIPHERS FOLDERS LOGIN_USERS\n";
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::strtoul(argv[1], nullptr, 10));
  const std::filesystem::path out = argv[2];
  const int ciphers = std::atoi(argv[3]);
  const int folder_count = std::atoi(argv[4]);
  const int login_users = std::atoi(argv[5]);
  std::filesystem::create_directories(out);

  try {
    Client client(port);
    const Account vault = Register(client, "vault@bench.example");
    const Account writer = Register(client, "writer@bench.example");
    WriteLines(out / "vault.token", {vault.access_token});
    WriteLines(out / "writer.token", {writer.access_token});

    std::vector<std::string> logins(static_cast<std::size_t>(login_users));
    InParallel(port, login_users, [&](Client& c, int i) {
      logins[static_cast<std::size_t>(i)] = Register(c, "login-" + std::to_string(i) + "@bench.example").login_form;
    });
    WriteLines(out / "logins.txt", logins);

    std::vector<std::string> folders(static_cast<std::size_t>(folder_count));
    InParallel(port, folder_count, [&](Client& c, int i) {
      const json name = Must(EncString::EncryptText(vault.user_key, "Folder " + std::to_string(i)), "enc").ToString();
      folders[static_cast<std::size_t>(i)] = c.PostJson("/api/folders", {{"name", name}}, vault.access_token).at("id");
    });

    const ItemMaker vault_items(vault.user_key);
    std::vector<std::string> ids(static_cast<std::size_t>(ciphers));
    InParallel(port, ciphers, [&](Client& c, int i) {
      ids[static_cast<std::size_t>(i)] =
          c.PostJson("/api/ciphers", vault_items.Login(i, folders), vault.access_token).at("id");
    });
    WriteLines(out / "cipher_ids.txt", ids);

    const ItemMaker writer_items(writer.user_key);
    std::vector<std::string> bodies;
    for (int i = 0; i < kCipherBodies; ++i) bodies.push_back(writer_items.Login(i, {}).dump());
    WriteLines(out / "cipher_bodies.txt", bodies);
  } catch (const std::exception& e) {
    Die(e.what());
  }
  std::cerr << "filled: " << folder_count << " folders, " << ciphers << " items, " << login_users
            << " login accounts\n";
  return 0;
}
