// `keywarden server serve --dev`: a complete server to try with the official clients, in one
// command. A temporary folder holds a fresh SQLite database, a token-signing key and a
// development TLS certificate (the official CLI refuses plain http); a test account is ready;
// the banner prints the exact lines to point the official CLI at it. Loopback only, and none of
// it exists without --dev.
#ifndef KEYWARDEN_SERVER_DEV_DEV_ENVIRONMENT_H_
#define KEYWARDEN_SERVER_DEV_DEV_ENVIRONMENT_H_

#include <memory>
#include <string>

#include "config/listen.h"
#include "keywarden/status.h"
#include "server/config/server_config.h"

namespace keywarden::server {

class DevEnvironment {
 public:
  // `listen` must be loopback; port 0 picks a free one.
  static Result<std::unique_ptr<DevEnvironment>> Create(const config::ListenAddress& listen);
  ~DevEnvironment();  // removes the folder

  const ServerConfig& config() const { return config_; }
  const std::string& folder() const { return folder_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& email() const { return email_; }
  const std::string& password() const { return password_; }

  // Stores the test account (what a client would have registered) in the database.
  Status CreateTestAccount() const;
  // What `serve --dev` prints once listening.
  std::string Banner() const;

 private:
  DevEnvironment() = default;
  std::string folder_;
  std::string ca_file_;
  std::string email_ = "demo@keywarden.test";
  std::string password_;
  ServerConfig config_;
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_DEV_DEV_ENVIRONMENT_H_
