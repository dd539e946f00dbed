// admin login and logout: the password grant (prelogin, the master key, its server hash) and
// the API-key grant, as the official CLI performs them (core.md 11.1, 11.2).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <memory>

#include "auth/user_id.h"
#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/lookup.h"
#include "cli/admin/server_api.h"
#include "cli/admin/session.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"

namespace keywarden::cli::admin {
namespace {

struct LoginOptions {
  std::string email;
  std::string ca_file;
  bool api_key = false;
  std::string code;
  int method = -1;
};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The session a new login starts from: the same device identifier as before when it is the same
// server and account, so that the server sees one device, not one per login.
Result<Session> FreshSession(const std::string& path, const std::string& server, const std::string& ca_file) {
  Session session;
  session.server = server;
  session.ca_file = ca_file;
  auto previous = LoadSession(path);
  if (previous.ok() && previous->server == server && !previous->device_identifier.empty()) {
    session.device_identifier = previous->device_identifier;
  } else {
    KW_ASSIGN_OR_RETURN(session.device_identifier, auth::NewGuid());
  }
  return session;
}

Result<std::string> ServerFor(const CommonOptions& common) {
  if (!common.server.empty()) return NormalizeServerUrl(common.server);
  auto saved = LoadSession(common.session_file);
  if (saved.ok()) return saved->server;
  return InvalidArgumentError("--server is required (no saved session names one)");
}

// Whether a token response says the account must replace its master password first (after an
// administrator's account recovery).
bool MustReplacePassword(const nlohmann::json& token) {
  const nlohmann::json* flag = http::FindField(token, "ForcePasswordReset");
  return flag != nullptr && flag->is_boolean() && flag->get<bool>();
}

Result<Session> PasswordLogin(const CommonOptions& common, const LoginOptions& login, const std::string& server,
                              bool* force_password_reset) {
  if (login.email.empty()) return InvalidArgumentError("--email is required (or --api-key)");
  const std::string email = NormalizeEmail(login.email);
  ServerApi api(server, login.ca_file);
  KW_ASSIGN_OR_RETURN(nlohmann::json prelogin,
                      api.Call("POST", "/identity/accounts/prelogin/password", {{"email", email}}, ""));
  const nlohmann::json* settings = http::FindField(prelogin, "kdfSettings");
  KW_ASSIGN_OR_RETURN(KdfConfig kdf,
                      settings != nullptr
                          ? KdfFromFields(*settings, "kdfType", "iterations", "memory", "parallelism")
                          : KdfFromFields(prelogin, "kdf", "kdfIterations", "kdfMemory", "kdfParallelism"));
  std::string salt = Field(prelogin, "salt");
  if (salt.empty()) salt = email;

  KW_ASSIGN_OR_RETURN(SecureBuffer password, ReadPassword(common.password_file));
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(password.view(), salt, kdf));
  KW_ASSIGN_OR_RETURN(std::string hash, master_key.ServerHash(password.view()));

  KW_ASSIGN_OR_RETURN(Session session, FreshSession(common.session_file, server, login.ca_file));
  FormFields fields = {{"grant_type", "password"},
                       {"username", email},
                       {"password", hash},
                       {"scope", "api offline_access"},
                       {"client_id", "cli"}};
  for (auto& field : DeviceFields(session)) fields.push_back(std::move(field));
  if (!login.code.empty()) {
    if (login.method < 0) return InvalidArgumentError("--code needs --method (0 authenticator, 1 e-mail, 8 recovery)");
    fields.emplace_back("twoFactorToken", login.code);
    fields.emplace_back("twoFactorProvider", std::to_string(login.method));
    fields.emplace_back("twoFactorRemember", "0");
  }
  auto token = api.Token(fields);
  WipeString(hash);
  for (auto& field : fields) WipeString(field.second);
  if (!token.ok()) return token.status();
  *force_password_reset = MustReplacePassword(*token);
  session.email = email;
  session.kdf = kdf;
  session.salt = salt;
  session.client_id = "cli";
  KW_RETURN_IF_ERROR(ApplyTokenResponse(*token, session));
  return session;
}

Result<Session> ApiKeyLogin(const CommonOptions& common, const LoginOptions& login, const std::string& server,
                            bool* force_password_reset) {
  std::string client_id = Env("BW_CLIENTID");
  std::string client_secret = Env("BW_CLIENTSECRET");
  if (client_id.empty() || client_secret.empty()) {
    return InvalidArgumentError("--api-key reads BW_CLIENTID and BW_CLIENTSECRET from the environment; set both");
  }
  if (!client_id.starts_with("user.")) {
    return InvalidArgumentError(
        "BW_CLIENTID must be a personal API key (user.<id>); organization keys are not "
        "supported");
  }
  ServerApi api(server, login.ca_file);
  KW_ASSIGN_OR_RETURN(Session session, FreshSession(common.session_file, server, login.ca_file));
  FormFields fields = {{"grant_type", "client_credentials"},
                       {"client_id", client_id},
                       {"client_secret", client_secret},
                       {"scope", "api"}};
  for (auto& field : DeviceFields(session)) fields.push_back(std::move(field));
  auto token = api.Token(fields);
  WipeString(client_secret);
  for (auto& field : fields) WipeString(field.second);
  if (!token.ok()) return token.status();
  *force_password_reset = MustReplacePassword(*token);
  KW_ASSIGN_OR_RETURN(KdfConfig kdf, KdfFromFields(*token, "Kdf", "KdfIterations", "KdfMemory", "KdfParallelism"));
  session.kdf = kdf;
  session.client_id = client_id;
  KW_RETURN_IF_ERROR(ApplyTokenResponse(*token, session));
  if (!login.email.empty() && NormalizeEmail(login.email) != NormalizeEmail(session.email)) {
    return AuthenticationError("the API key belongs to another account than --email");
  }
  session.email = NormalizeEmail(session.email);
  if (const nlohmann::json* options = http::FindField(*token, "UserDecryptionOptions")) {
    if (const nlohmann::json* unlock = http::FindField(*options, "MasterPasswordUnlock")) {
      session.salt = Field(*unlock, "Salt");
    }
  }
  if (session.salt.empty()) session.salt = session.email;
  return session;
}

}  // namespace

void AddLoginVerbs(CLI::App& admin, VerbAdder& verbs) {
  auto login = std::make_shared<LoginOptions>();
  CLI::App* verb = verbs.Add(
      admin, "login", "Log in to a server and keep the session (never a key) in a 0600 file",
      [login](const CommonOptions& common) -> Result<Report> {
        KW_ASSIGN_OR_RETURN(std::string server, ServerFor(common));
        bool force_password_reset = false;
        KW_ASSIGN_OR_RETURN(Session session, login->api_key
                                                 ? ApiKeyLogin(common, *login, server, &force_password_reset)
                                                 : PasswordLogin(common, *login, server, &force_password_reset));
        KW_RETURN_IF_ERROR(SaveSession(common.session_file, session));
        Report report;
        report.json = {{"server", session.server},
                       {"email", session.email},
                       {"user_id", session.user_id},
                       {"session_file", common.session_file}};
        if (force_password_reset) {
          report.json["force_password_reset"] = true;
          report.json["next"] = "an administrator reset this master password: keywarden admin update-temp-password";
        }
        return report;
      },
      NeedsPassword::kYes);
  verb->add_option("--email", login->email, "the account's e-mail address");
  verb->add_option("--ca-file", login->ca_file, "PEM certificates to trust for the server (default: the system's)")
      ->type_name("FILE");
  verb->add_flag("--api-key", login->api_key, "log in with the personal API key in BW_CLIENTID and BW_CLIENTSECRET");
  verb->add_option("--code", login->code, "a two-step login code");
  verb->add_option("--method", login->method, "the two-step login method of --code (0 app, 1 e-mail, 8 recovery)");

  verbs.Add(admin, "logout", "Forget the saved session", [](const CommonOptions& common) -> Result<Report> {
    KW_RETURN_IF_ERROR(RemoveSession(common.session_file));
    Report report;
    report.json = {{"logged_out", true}, {"session_file", common.session_file}};
    return report;
  });
}

}  // namespace keywarden::cli::admin
