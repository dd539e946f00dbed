// The server benchmarks' client side, shared by keywarden_server_fill and keywarden_hub_bench:
// a blocking keep-alive HTTP/1.1 connection to a server on 127.0.0.1, and an account registered
// and logged in over it the way the web vault and the CLI do it, with keys made by libkeywarden.
// A benchmark has no use for a partial result, so every failure ends the program with a message.
#ifndef KEYWARDEN_BENCH_SERVER_BENCH_CLIENT_H_
#define KEYWARDEN_BENCH_SERVER_BENCH_CLIENT_H_

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/keys/account.h"
#include "keywarden/status.h"
#include "net/percent_encoding.h"

namespace keywarden::bench {

// Set by each program's main, for the messages of Die.
inline std::string_view program_name = "bench";

[[noreturn]] inline void Die(const std::string& what) {
  std::cerr << program_name << ": " << what << "\n";
  std::exit(1);
}

template <typename T>
T Must(Result<T> result, std::string_view what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.status().ToString());
  return std::move(result).value();
}

// One keep-alive HTTP/1.1 connection to the server, opened by the first request: the server
// allows a new connection request_timeout for its first request, which a slow client-side KDF on
// a busy machine could exceed. Every request carries the Device-Type header the clients send.
class Client {
 public:
  explicit Client(std::uint16_t port) : port_(port), stream_(io_) {}

  // The response body of a 200; anything else ends the program.
  std::string Send(boost::beast::http::verb method, const std::string& target, const std::string& body,
                   std::string_view content_type, const std::string& token = "") {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    request.set("Device-Type", "25");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();
    if (!connected_) {
      stream_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
      connected_ = true;
    }
    http::write(stream_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    if (parser.get().result_int() != 200) {
      Die(std::string(http::to_string(method)) + " " + target + ": HTTP " + std::to_string(parser.get().result_int()) +
          " " + parser.get().body());
    }
    return parser.get().body();
  }

  nlohmann::json SendJson(boost::beast::http::verb method, const std::string& target, const nlohmann::json& body,
                          const std::string& token = "") {
    return nlohmann::json::parse(Send(method, target, body.dump(), "application/json; charset=utf-8", token));
  }
  nlohmann::json PostJson(const std::string& target, const nlohmann::json& body, const std::string& token = "") {
    return SendJson(boost::beast::http::verb::post, target, body, token);
  }

 private:
  std::uint16_t port_;
  bool connected_ = false;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

// Forms are encoded by the project's one encoder.
using ::keywarden::net::FormEncode;

// An account as its client knows it.
struct Account {
  std::string email;
  std::string client_hash;  // what the client sends as the password
  SymmetricKey user_key;
  std::string login_form;  // a password grant for it, from the device Register signed in on
  std::string access_token;
};

// The password grant of `account` from the device `device_identifier`, as the CLI sends it.
inline std::string LoginForm(const Account& account, const std::string& device_identifier) {
  return FormEncode({{"grant_type", "password"},
                     {"username", account.email},
                     {"password", account.client_hash},
                     {"scope", "api offline_access"},
                     {"client_id", "cli"},
                     {"deviceType", "8"},
                     {"deviceIdentifier", device_identifier},
                     {"deviceName", "linux"}});
}

// Signs `account` in from `device_identifier`: the access token of that device.
inline std::string LogIn(Client& client, const Account& account, const std::string& device_identifier) {
  const nlohmann::json grant =
      nlohmann::json::parse(client.Send(boost::beast::http::verb::post, "/identity/connect/token",
                                        LoginForm(account, device_identifier), "application/x-www-form-urlencoded"));
  return grant.at("access_token");
}

// The device Register signs in from.
inline std::string FirstDevice(const std::string& email) { return "bench-device-" + email; }

// Registers `email` as the web vault does, with the clients' default KDF, and logs in from
// FirstDevice(email).
inline Account Register(Client& client, const std::string& email) {
  const std::string password = "correct horse battery staple for " + email;
  const KdfConfig kdf = KdfConfig::DefaultPbkdf2();
  const MasterKey master_key = Must(MasterKey::Derive(password, email, kdf), "master key");
  const std::string client_hash = Must(master_key.ServerHash(password), "password hash");
  auto created = Must(InitializeAccount(master_key), "account keys");
  const nlohmann::json kdf_json = {
      {"kdfType", 0}, {"iterations", kdf.iterations()}, {"memory", nullptr}, {"parallelism", nullptr}};
  client.PostJson("/identity/accounts/register/finish",
                  {{"email", email},
                   {"name", "Bench"},
                   {"masterPasswordHint", nullptr},
                   {"masterPasswordAuthentication",
                    {{"salt", email}, {"kdf", kdf_json}, {"masterPasswordAuthenticationHash", client_hash}}},
                   {"masterPasswordUnlock",
                    {{"salt", email},
                     {"kdf", kdf_json},
                     {"masterKeyWrappedUserKey", created.stored.encrypted_user_key.ToString()}}},
                   {"userAsymmetricKeys",
                    {{"publicKey", created.stored.public_key.ToBase64()},
                     {"encryptedPrivateKey", created.stored.encrypted_private_key.ToString()}}}});
  Account account{email, client_hash, std::move(created.user_key), "", ""};
  account.login_form = LoginForm(account, FirstDevice(email));
  account.access_token = LogIn(client, account, FirstDevice(email));
  return account;
}

}  // namespace keywarden::bench

#endif  // KEYWARDEN_BENCH_SERVER_BENCH_CLIENT_H_
