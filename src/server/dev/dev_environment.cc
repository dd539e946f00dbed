#include "server/dev/dev_environment.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "auth/user_id.h"
#include "custody/file/file_rsa_key_provider.h"
#include "http/self_signed_certificate.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/random.h"
#include "keywarden/keys/account.h"
#include "net/loopback.h"
#include "server/accounts/account_fields.h"
#include "server/identity/password_hasher.h"
#include "server/store/server_database.h"
#include "server/store/users.h"

namespace keywarden::server {
namespace {

// "kw-" and 16 letters and digits: easy to type, about 80 bits.
Result<std::string> NewPassword() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  std::uint8_t bytes[16];
  KW_RETURN_IF_ERROR(RandomBytes(bytes));
  std::string password = "kw-";
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) password.push_back('-');
    password.push_back(kAlphabet[bytes[i] % kAlphabet.size()]);  // 32 divides 256: no bias
  }
  return password;
}

}  // namespace

Result<std::unique_ptr<DevEnvironment>> DevEnvironment::Create(const config::ListenAddress& listen) {
  if (!net::IsLoopbackHost(listen.host)) {
    return InvalidArgumentError("--dev listens on loopback only (127.0.0.1, ::1 or localhost), not " + listen.host);
  }
  std::unique_ptr<DevEnvironment> env(new DevEnvironment());
  std::string pattern = (std::filesystem::temp_directory_path() / "keywarden-server-dev-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return UnavailableError("cannot create a temporary folder");
  env->folder_ = pattern;
  const std::filesystem::path folder(env->folder_);

  KW_ASSIGN_OR_RETURN(http::DevelopmentCertificate certificate, http::MakeDevelopmentCertificate(folder));
  env->ca_file_ = certificate.ca_file;
  const std::string signing_key = (folder / "signing-key.pem").string();
  KW_RETURN_IF_ERROR(custody::CreateKeyFile(signing_key, custody::KeyFileFormat::kPemPkcs8, nullptr).status());
  KW_ASSIGN_OR_RETURN(env->password_, NewPassword());

  ServerConfig& config = env->config_;
  config.listen = listen;
  if (config.listen.port == 0) {
    KW_ASSIGN_OR_RETURN(config.listen.port, net::FreeLoopbackPort());
  }
  config.public_url = "https://localhost:" + std::to_string(config.listen.port);
  config.database.sqlite_path = (folder / "server.db").string();
  config.signing_key.key_file = signing_key;
  config.tls.cert_file = certificate.server.cert_file;
  config.tls.key_file = certificate.server.key_file;
  config.metrics.sample_seconds = 1;
  return env;
}

DevEnvironment::~DevEnvironment() {
  WipeString(password_);
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

Status DevEnvironment::CreateTestAccount() const {
  const KdfConfig kdf = KdfConfig::DefaultPbkdf2();
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(password_, email_, kdf));
  KW_ASSIGN_OR_RETURN(std::string client_hash, master_key.ServerHash(password_));
  KW_ASSIGN_OR_RETURN(NewAccount account, InitializeAccount(master_key));
  KW_ASSIGN_OR_RETURN(SecureBuffer hash_bytes, Base64DecodeSecret(client_hash));
  WipeString(client_hash);
  identity::PasswordHashParams params;
  params.memory_kib = config_.password_hash.memory_kib;
  params.iterations = config_.password_hash.iterations;
  params.parallelism = config_.password_hash.parallelism;
  KW_ASSIGN_OR_RETURN(std::string password_hash, identity::PasswordHasher(params).Hash(std::span<const std::uint8_t>(
                                                     hash_bytes.data(), hash_bytes.size())));

  store::User user;
  KW_ASSIGN_OR_RETURN(user.id, auth::NewGuid());
  user.email = email_;
  user.email_verified = true;
  user.name = "Demo";
  user.premium = true;
  user.password_hash = password_hash;
  user.salt = email_;
  user.kdf.type = 0;
  user.kdf.iterations = kdf.iterations();
  user.user_key = account.stored.encrypted_user_key.ToString();
  user.public_key = account.stored.public_key.ToBase64();
  user.private_key = account.stored.encrypted_private_key.ToString();
  KW_ASSIGN_OR_RETURN(user.security_stamp, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(user.api_key, NewApiKey());
  const TimeMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  user.creation_date = user.revision_date = user.account_revision_date = now;
  KW_ASSIGN_OR_RETURN(auto database, OpenServerDatabase(config_.database));
  return database->Transact([&](sql::Session& session) { return store::InsertUser(session, user); });
}

std::string DevEnvironment::Banner() const {
  const std::string& url = config_.public_url;
  std::string out;
  out += "Keywarden server (development mode) at " + url + "\n";
  out += "  data, keys and certificate in " + folder_ + " (removed on exit)\n";
  out += "  test account: " + email_ + " / " + password_ + "\n\n";
  out += "Try it with the official Bitwarden CLI (npm install -g @bitwarden/cli):\n";
  out += "  export NODE_EXTRA_CA_CERTS=" + ca_file_ + "\n";
  out += "  export BITWARDENCLI_APPDATA_DIR=$(mktemp -d)\n";
  out += "  bw config server " + url + "\n";
  out += "  bw login " + email_ + " '" + password_ + "'\n";
  out += "  bw sync && bw list items\n";
  return out;
}

}  // namespace keywarden::server
