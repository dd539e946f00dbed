#include "cli/admin/credentials.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "cli/common/input.h"
#include "http/json.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::size_t kMaxPasswordBytes = 1024;

// Reads one line from the terminal with echo off, restoring the terminal's settings after.
Result<SecureBuffer> PromptOnTerminal() {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return InvalidArgumentError("a password is needed: give --password-file (no terminal to prompt on)");
  }
  static constexpr char kPrompt[] = "Master password: ";
  (void)!::write(fd, kPrompt, sizeof kPrompt - 1);
  termios saved{};
  const bool is_terminal = ::tcgetattr(fd, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  SecureBuffer line(kMaxPasswordBytes);
  std::size_t used = 0;
  bool ended = false;
  while (used < line.size()) {
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n' || c == '\r') {
      ended = true;
      break;
    }
    line.data()[used++] = static_cast<std::uint8_t>(c);
  }
  if (is_terminal) ::tcsetattr(fd, TCSAFLUSH, &saved);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (!ended && used == line.size()) return InvalidArgumentError("the password is too long");
  line.Truncate(used);
  return line;
}

}  // namespace

Result<SecureBuffer> ReadPassword(const std::string& password_file) {
  SecureBuffer password;
  if (password_file.empty()) {
    KW_ASSIGN_OR_RETURN(password, PromptOnTerminal());
  } else {
    ArgumentReader reader({{"--password-file", password_file == "-" ? "-" : "@" + password_file}});
    KW_ASSIGN_OR_RETURN(password, reader.Text("--password-file"));
  }
  if (password.empty()) return InvalidArgumentError("the password is empty");
  return password;
}

Result<UnlockedAccount> UnlockAccount(AdminClient& client, const std::string& password_file) {
  const Session& session = client.session();
  if (!session.kdf) return InvalidArgumentError("the session has no KDF settings: log in again");
  KW_ASSIGN_OR_RETURN(SecureBuffer password, ReadPassword(password_file));
  KW_ASSIGN_OR_RETURN(nlohmann::json sync, client.Get("/api/sync?excludeDomains=true"));
  const nlohmann::json* profile = http::FindField(sync, "profile");
  const nlohmann::json* key = profile ? http::FindField(*profile, "key") : nullptr;
  const nlohmann::json* private_key = profile ? http::FindField(*profile, "privateKey") : nullptr;
  if (key == nullptr || !key->is_string() || private_key == nullptr || !private_key->is_string()) {
    return UnavailableError("the account's sync has no keys (profile.key, profile.privateKey)");
  }
  KW_ASSIGN_OR_RETURN(EncString encrypted_user_key, EncString::Parse(key->get<std::string>()));
  KW_ASSIGN_OR_RETURN(EncString encrypted_private_key, EncString::Parse(private_key->get<std::string>()));
  const std::string salt = session.salt.empty() ? NormalizeEmail(session.email) : session.salt;
  auto user_key = UnlockWithPassword(password.view(), salt, *session.kdf, encrypted_user_key);
  if (!user_key.ok()) {
    if (user_key.status().code() == ErrorCode::kAuthenticationFailed ||
        user_key.status().code() == ErrorCode::kWrongKey) {
      return AuthenticationError("wrong password for " + session.email);
    }
    return user_key.status();
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey opened, DecryptPrivateKey(*user_key, encrypted_private_key));
  return UnlockedAccount{*std::move(user_key), std::move(opened), std::move(sync)};
}

Result<SymmetricKey> OrganizationKeyOf(const UnlockedAccount& account, const std::string& organization_id) {
  const nlohmann::json* profile = http::FindField(account.sync, "profile");
  const nlohmann::json* organizations = profile ? http::FindField(*profile, "organizations") : nullptr;
  if (organizations != nullptr && organizations->is_array()) {
    for (const nlohmann::json& organization : *organizations) {
      const nlohmann::json* id = http::FindField(organization, "id");
      if (id == nullptr || !id->is_string() || id->get<std::string>() != organization_id) continue;
      const nlohmann::json* key = http::FindField(organization, "key");
      if (key == nullptr || !key->is_string()) break;
      KW_ASSIGN_OR_RETURN(AsymmetricEncString shared, AsymmetricEncString::Parse(key->get<std::string>()));
      return OpenOrganizationKey(shared, account.private_key);
    }
  }
  return NotFoundError("this account holds no key for the organization (it must be a confirmed member)");
}

}  // namespace keywarden::cli::admin
