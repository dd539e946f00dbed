#include "cli/admin/credentials.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "cli/admin/lookup.h"
#include "cli/common/input.h"
#include "http/json.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/master_key.h"
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

Result<SecureBuffer> ReadNewPassword(std::string_view flag, const std::string& raw, const std::string& password_file) {
  const std::string name(flag);
  if (raw.empty()) return InvalidArgumentError(name + ": give @FILE or - (standard input)");
  const ArgumentSource source = ClassifyArgument(raw);
  if (source == ArgumentSource::kLiteral) {
    return InvalidArgumentError(name + ": give @FILE or - (standard input), never the password itself: " +
                                "on the command line it would show in the process list");
  }
  if (source == ArgumentSource::kStdin && password_file == "-") {
    return InvalidArgumentError(name + " and --password-file cannot both read standard input");
  }
  ArgumentReader reader(std::map<std::string, std::string, std::less<>>{{name, raw}});
  KW_ASSIGN_OR_RETURN(SecureBuffer password, reader.Text(name));
  if (password.empty()) return InvalidArgumentError(name + ": the password is empty");
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
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(password.view(), salt, *session.kdf));
  // The master key is kept (not UnlockWithPassword) because its server hash is needed too.
  auto user_key = UnlockWithKeyConnector(master_key, encrypted_user_key);
  if (!user_key.ok()) {
    if (user_key.status().code() == ErrorCode::kAuthenticationFailed ||
        user_key.status().code() == ErrorCode::kWrongKey) {
      return AuthenticationError("wrong password for " + session.email);
    }
    return user_key.status();
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey opened, DecryptPrivateKey(*user_key, encrypted_private_key));
  KW_ASSIGN_OR_RETURN(std::string hash, master_key.ServerHash(password.view()));
  SecureBuffer password_hash = SecureBuffer::CopyOf(hash);
  WipeString(hash);
  return UnlockedAccount{*std::move(user_key), std::move(opened), std::move(sync), std::move(password_hash),
                         std::move(master_key)};
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

Result<KdfConfig> KdfFromFields(const nlohmann::json& object, std::string_view type_field,
                                std::string_view iterations_field, std::string_view memory_field,
                                std::string_view parallelism_field) {
  const long long type = IntField(object, type_field, -1);
  const long long iterations = IntField(object, iterations_field, 0);
  if (iterations <= 0 || iterations > UINT32_MAX) return UnavailableError("the server's KDF settings are incomplete");
  KdfConfig kdf = KdfConfig::Pbkdf2(static_cast<std::uint32_t>(iterations));
  if (type == 1) {
    const long long memory = IntField(object, memory_field, 0);
    const long long parallelism = IntField(object, parallelism_field, 0);
    if (memory <= 0 || memory > UINT32_MAX || parallelism <= 0 || parallelism > UINT32_MAX) {
      return UnavailableError("the server's KDF settings are incomplete");
    }
    kdf = KdfConfig::Argon2id(static_cast<std::uint32_t>(iterations), static_cast<std::uint32_t>(memory),
                              static_cast<std::uint32_t>(parallelism));
  } else if (type != 0) {
    return UnavailableError("the server named no KDF this client knows");
  }
  if (Status valid = kdf.ValidateForClient(); !valid.ok()) {
    return UnavailableError("the server's KDF settings are below what clients accept: " + valid.message());
  }
  return kdf;
}

std::string DescribeKdf(const KdfConfig& kdf) {
  if (kdf.type() == KdfConfig::Type::kPbkdf2Sha256) {
    return "PBKDF2-SHA256, " + std::to_string(kdf.iterations()) + " iterations";
  }
  return "Argon2id, " + std::to_string(kdf.iterations()) + " iterations, " + std::to_string(kdf.memory_mib()) +
         " MiB, " + std::to_string(kdf.parallelism()) + " lanes";
}

}  // namespace keywarden::cli::admin
