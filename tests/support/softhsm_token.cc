#include "support/softhsm_token.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "custody/pkcs11/pkcs11_object.h"
#include "custody/pkcs11/pkcs11_session_pool.h"
#include "support/wait.h"

extern char** environ;

namespace keywarden::testing {
namespace {

using custody::Pkcs11SessionPool;
using Session = Pkcs11SessionPool::Session;

constexpr char kConfVariable[] = "SOFTHSM2_CONF";

std::atomic<bool> g_token_alive{false};

// How long a SoftHSM2 tool may run before it counts as hung (kTimedOut).
constexpr auto kToolDeadline = std::chrono::seconds(60);
constexpr int kTimedOut = -2;

// Runs `argv` with this process's environment, its output into `log`; the exit status, -1 when
// it did not run or exit normally, or kTimedOut (then it is killed).
int RunTool(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  const std::optional<int> status = WaitForExit(pid, kToolDeadline);
  if (!status.has_value()) {
    ::kill(pid, SIGKILL);
    (void)WaitForExit(pid, std::chrono::seconds(10));
    return kTimedOut;
  }
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One RSA component, big-endian, in secure memory.
Result<SecureBuffer> Component(const RsaPrivateKey& key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key.evp(), name, &bn) != 1) return InternalError(std::string("no RSA ") + name);
  SecureBuffer out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_clear_free(bn);
  return out;
}

CK_ATTRIBUTE Bytes(CK_ATTRIBUTE_TYPE type, SecureBuffer& value) { return {type, value.data(), value.size()}; }

}  // namespace

std::unique_ptr<SoftHsmToken> SoftHsmToken::Create(std::string* why_not, const std::string& label) {
  if (::access(kModulePath, R_OK) != 0 || ::access(kUtilPath, X_OK) != 0) {
    *why_not =
        std::string("SoftHSM2 is not installed (") + kModulePath + ", " + kUtilPath + "): apt-get install softhsm2";
    return nullptr;
  }
  if (g_token_alive.exchange(true)) std::abort();  // a test bug: SOFTHSM2_CONF is process-wide
  std::unique_ptr<SoftHsmToken> token(new SoftHsmToken);
  token->label_ = label;
  token->user_pin_ = "kw-User-Pin-4711";
  token->so_pin_ = "kw-So-Pin-0815";
  const std::string tokens = token->dir_.File("tokens");
  token->conf_path_ = token->dir_.File("softhsm2.conf");
  std::filesystem::create_directory(tokens);
  std::ofstream(token->conf_path_) << "directories.tokendir = " << tokens << "\n"
                                   << "objectstore.backend = file\n"
                                   << "log.level = ERROR\n"
                                   << "slots.removable = false\n";
  if (const char* previous = std::getenv(kConfVariable)) token->previous_conf_ = previous;
  ::setenv(kConfVariable, token->conf_path_.c_str(), 1);

  const std::string log = token->dir_.File("softhsm2-util.log");
  const int status = RunTool(
      {kUtilPath, "--init-token", "--free", "--label", label, "--pin", token->user_pin_, "--so-pin", token->so_pin_},
      log);
  if (status == kTimedOut) {
    *why_not = "softhsm2-util --init-token did not finish within 60 s; killed: " + ReadText(log);
    return nullptr;
  }
  if (status != 0) {
    *why_not = "softhsm2-util --init-token failed (" + std::to_string(status) + "): " + ReadText(log);
    return nullptr;
  }
  auto module = custody::Pkcs11Module::Load(kModulePath);
  if (!module.ok()) {
    *why_not = module.status().ToString();
    return nullptr;
  }
  auto info = (*module)->FindToken("", label);
  if (!info.ok()) {
    *why_not = info.status().ToString();
    return nullptr;
  }
  token->serial_ = info->serial;
  return token;
}

SoftHsmToken::~SoftHsmToken() {
  if (previous_conf_.has_value()) {
    ::setenv(kConfVariable, previous_conf_->c_str(), 1);
  } else {
    ::unsetenv(kConfVariable);
  }
  g_token_alive = false;
}

custody::Pkcs11Settings SoftHsmToken::Settings(const std::string& key_label) const {
  custody::Pkcs11Settings settings;
  settings.library = kModulePath;
  settings.token_serial = serial_;
  settings.pin = SecureBuffer::CopyOf(std::string_view(user_pin_));
  settings.pin_setting = "rsa_key.pkcs11_pin";
  settings.key_label = key_label;
  return settings;
}

Status SoftHsmToken::ImportKey(const RsaPrivateKey& key, const std::string& label, const std::vector<std::uint8_t>& id,
                               ImportOptions options) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool, custody::OpenPkcs11SessionPool(Settings(""), true));
  KW_ASSIGN_OR_RETURN(SecureBuffer n, Component(key, OSSL_PKEY_PARAM_RSA_N));
  KW_ASSIGN_OR_RETURN(SecureBuffer e, Component(key, OSSL_PKEY_PARAM_RSA_E));
  KW_ASSIGN_OR_RETURN(SecureBuffer d, Component(key, OSSL_PKEY_PARAM_RSA_D));
  KW_ASSIGN_OR_RETURN(SecureBuffer p, Component(key, OSSL_PKEY_PARAM_RSA_FACTOR1));
  KW_ASSIGN_OR_RETURN(SecureBuffer q, Component(key, OSSL_PKEY_PARAM_RSA_FACTOR2));
  KW_ASSIGN_OR_RETURN(SecureBuffer dp, Component(key, OSSL_PKEY_PARAM_RSA_EXPONENT1));
  KW_ASSIGN_OR_RETURN(SecureBuffer dq, Component(key, OSSL_PKEY_PARAM_RSA_EXPONENT2));
  KW_ASSIGN_OR_RETURN(SecureBuffer qinv, Component(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1));

  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  CK_KEY_TYPE rsa = CKK_RSA;
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL always = options.always_authenticate ? CK_TRUE : CK_FALSE;
  std::string label_copy = label;
  std::vector<std::uint8_t> id_copy = id;
  std::vector<CK_ATTRIBUTE> common = {{CKA_KEY_TYPE, &rsa, sizeof rsa},
                                      {CKA_TOKEN, &yes, sizeof yes},
                                      {CKA_LABEL, label_copy.data(), label_copy.size()},
                                      Bytes(CKA_MODULUS, n)};
  if (!id_copy.empty()) common.push_back({CKA_ID, id_copy.data(), id_copy.size()});
  std::vector<CK_ATTRIBUTE> private_template = common;
  private_template.insert(private_template.end(), {{CKA_CLASS, &private_class, sizeof private_class},
                                                   {CKA_PRIVATE, &yes, sizeof yes},
                                                   {CKA_SENSITIVE, &yes, sizeof yes},
                                                   {CKA_DECRYPT, &yes, sizeof yes},
                                                   {CKA_ALWAYS_AUTHENTICATE, &always, sizeof always},
                                                   Bytes(CKA_PRIVATE_EXPONENT, d),
                                                   Bytes(CKA_PRIME_1, p),
                                                   Bytes(CKA_PRIME_2, q),
                                                   Bytes(CKA_EXPONENT_1, dp),
                                                   Bytes(CKA_EXPONENT_2, dq),
                                                   Bytes(CKA_COEFFICIENT, qinv)});
  if (!options.exponent_on_public_key_only) private_template.push_back(Bytes(CKA_PUBLIC_EXPONENT, e));
  std::vector<CK_ATTRIBUTE> public_template = common;
  public_template.insert(public_template.end(), {{CKA_CLASS, &public_class, sizeof public_class},
                                                 {CKA_ENCRYPT, &yes, sizeof yes},
                                                 Bytes(CKA_PUBLIC_EXPONENT, e)});

  return pool->Run([&](Session& session) -> Status {
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
    CK_RV rv = pool->api()->C_CreateObject(session.handle, private_template.data(), private_template.size(), &object);
    if (rv != CKR_OK) return pool->Failed(session, rv, "C_CreateObject (private key)");
    if (!options.exponent_on_public_key_only) return OkStatus();
    rv = pool->api()->C_CreateObject(session.handle, public_template.data(), public_template.size(), &object);
    if (rv != CKR_OK) return pool->Failed(session, rv, "C_CreateObject (public key)");
    return OkStatus();
  });
}

Status SoftHsmToken::Reset() {
  KW_ASSIGN_OR_RETURN(std::shared_ptr<custody::Pkcs11Module> module, custody::Pkcs11Module::Load(kModulePath));
  KW_ASSIGN_OR_RETURN(custody::Pkcs11TokenInfo info, module->FindToken(serial_, ""));
  const CK_RV rv = module->api()->C_CloseAllSessions(info.slot);
  if (rv != CKR_OK) return UnavailableError("C_CloseAllSessions: " + custody::Pkcs11ErrorName(rv));
  return OkStatus();
}

Result<bool> SoftHsmToken::PrivateKeyFlag(const std::string& label, CK_ATTRIBUTE_TYPE type) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool, custody::OpenPkcs11SessionPool(Settings(""), false));
  bool flag = false;
  const Status status = pool->Run([&](Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> keys,
                        custody::FindPkcs11Objects(*pool, session, CKO_PRIVATE_KEY, {std::nullopt, label}, 2));
    if (keys.size() != 1) return NotFoundError(std::to_string(keys.size()) + " private keys labelled " + label);
    KW_ASSIGN_OR_RETURN(flag, custody::GetPkcs11Bool(*pool, session, keys.front(), type, false));
    return OkStatus();
  });
  if (!status.ok()) return status;
  return flag;
}

Result<std::size_t> SoftHsmToken::CountObjects(const std::string& label) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool, custody::OpenPkcs11SessionPool(Settings(""), false));
  std::size_t count = 0;
  const Status status = pool->Run([&](Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found,
                        custody::FindPkcs11Objects(*pool, session, std::nullopt, {std::nullopt, label}, 16));
    count = found.size();
    return OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

}  // namespace keywarden::testing
