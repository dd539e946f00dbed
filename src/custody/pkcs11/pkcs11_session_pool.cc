#include "custody/pkcs11/pkcs11_session_pool.h"

#include <unistd.h>

#include <utility>

namespace keywarden::custody {
namespace {

// A failed C_Login, as an operator needs to read it: which setting gave the PIN, never the PIN.
Status LoginFailure(CK_RV rv, const std::string& token, const std::string& pin_setting) {
  const std::string on = "PKCS#11 token '" + token + "'";
  switch (rv) {
    case CKR_PIN_INCORRECT: return InvalidArgumentError("wrong PIN for " + on + " (" + pin_setting + ")");
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE: return InvalidArgumentError("the PIN in " + pin_setting + " is not a valid PIN for " + on);
    case CKR_PIN_LOCKED:
      return InvalidArgumentError("the PIN of " + on + " is locked; unlock it with the token's tools");
    case CKR_PIN_EXPIRED:
      return InvalidArgumentError("the PIN of " + on + " has expired; change it with the token's tools");
    case CKR_USER_PIN_NOT_INITIALIZED:
      return InvalidArgumentError(on + " has no user PIN yet; initialise it with the token's tools");
    case CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
      return InvalidArgumentError("another user type is already logged in to " + on + " in this process");
    case CKR_SESSION_READ_ONLY_EXISTS:
      return InvalidArgumentError("cannot log in to " + on +
                                  " as the security officer while read-only sessions are open");
    default: return UnavailableError("cannot log in to " + on + ": " + Pkcs11ErrorName(rv));
  }
}

Result<std::string> ModulePath(const Pkcs11Settings& settings, std::string_view section) {
  if (!settings.library.empty()) return settings.library;
  KW_ASSIGN_OR_RETURN(Pkcs11ProviderModule known, Pkcs11ProviderModuleFor(settings.provider_name));
  if (::access(known.path.c_str(), F_OK) != 0) {
    return UnavailableError("the PKCS#11 module of provider '" + settings.provider_name + "' is not installed (" +
                            known.path + "): install " + std::string(known.installed_by) + ", or set " +
                            std::string(section) + ".pkcs11_library to the module's path");
  }
  return known.path;
}

}  // namespace

Result<std::unique_ptr<Pkcs11SessionPool>> OpenPkcs11SessionPool(const Pkcs11Settings& settings, bool read_write,
                                                                 std::string_view section) {
  const std::string pin_setting =
      settings.pin_setting.empty() ? std::string(section) + ".pkcs11_pin" : settings.pin_setting;
  if (!settings.pin.has_value()) {
    return InvalidArgumentError("no PIN is configured for the PKCS#11 token (" + pin_setting + ")");
  }
  KW_ASSIGN_OR_RETURN(std::string path, ModulePath(settings, section));
  KW_ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Module> module, Pkcs11Module::Load(path));
  Pkcs11SessionPool::Options options;
  options.token_serial = settings.token_serial;
  options.token_label = settings.token_label;
  const bool so = settings.user_type == Pkcs11Settings::UserType::kSo;
  options.user_type = so ? CKU_SO : CKU_USER;
  options.pin = settings.pin->Clone();
  options.pin_setting = pin_setting;
  options.size = settings.sessions;
  options.read_write = read_write || so;
  return Pkcs11SessionPool::Open(std::move(module), std::move(options));
}

Pkcs11SessionPool::Pkcs11SessionPool(std::shared_ptr<Pkcs11Module> module, Options options,
                                     const Pkcs11TokenInfo& token)
    : module_(std::move(module)),
      options_(std::move(options)),
      token_label_(token.label),
      token_serial_(token.serial),
      slot_(token.slot) {
  if (options_.size == 0) options_.size = 1;
}

Pkcs11SessionPool::~Pkcs11SessionPool() {
  for (const auto& session : idle_) Close(session->handle);
}

Result<std::unique_ptr<Pkcs11SessionPool>> Pkcs11SessionPool::Open(std::shared_ptr<Pkcs11Module> module,
                                                                   Options options) {
  KW_ASSIGN_OR_RETURN(Pkcs11TokenInfo token, module->FindToken(options.token_serial, options.token_label));
  std::unique_ptr<Pkcs11SessionPool> pool(new Pkcs11SessionPool(std::move(module), std::move(options), token));
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Session> first, pool->Acquire());
  pool->Release(std::move(first));
  return pool;
}

Status Pkcs11SessionPool::Failed(Session& session, CK_RV rv, std::string_view what) const {
  if (IsPkcs11SessionLost(rv)) session.lost = true;
  return UnavailableError("PKCS#11 " + std::string(what) + " on token '" + token_label_ +
                          "' failed: " + Pkcs11ErrorName(rv));
}

Status Pkcs11SessionPool::Run(const Operation& op) {
  for (int attempt = 0;; ++attempt) {
    KW_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Acquire());
    Status status = op(*session);
    const bool lost = session->lost;
    const std::uint64_t generation = session->generation;
    Release(std::move(session));
    if (status.ok() || !lost || attempt > 0) return status;
    Invalidate(generation);
  }
}

Status Pkcs11SessionPool::ReAuthenticate(Session& session) {
  const CK_RV rv = api()->C_Login(session.handle, CKU_CONTEXT_SPECIFIC, options_.pin.data(), options_.pin.size());
  if (rv == CKR_OK) return OkStatus();
  if (IsPkcs11SessionLost(rv)) return Failed(session, rv, "C_Login (context specific)");
  return LoginFailure(rv, token_label_, options_.pin_setting);
}

std::size_t Pkcs11SessionPool::open_sessions() const {
  MutexLock lock(mutex_);
  return open_;
}

Result<std::unique_ptr<Pkcs11SessionPool::Session>> Pkcs11SessionPool::Acquire() {
  MutexLock lock(mutex_);
  while (idle_.empty() && open_ >= options_.size) available_.wait(lock.unique_lock());
  if (!idle_.empty()) {
    std::unique_ptr<Session> session = std::move(idle_.back());
    idle_.pop_back();
    return session;
  }
  ++open_;
  const std::uint64_t generation = generation_;
  lock.Unlock();
  auto session = Connect(generation);
  if (!session.ok()) {
    lock.Lock();
    --open_;
    available_.notify_one();
  }
  return session;
}

void Pkcs11SessionPool::Release(std::unique_ptr<Session> session) {
  MutexLock lock(mutex_);
  if (!session->lost && !session->discard && session->generation == generation_) {
    idle_.push_back(std::move(session));
    available_.notify_one();
    return;
  }
  --open_;
  available_.notify_one();
  lock.Unlock();
  Close(session->handle);
}

void Pkcs11SessionPool::Invalidate(std::uint64_t generation) {
  std::vector<std::unique_ptr<Session>> stale;
  {
    MutexLock lock(mutex_);
    if (generation != generation_) return;  // another thread already did
    ++generation_;
    stale.swap(idle_);
    open_ -= stale.size();
    available_.notify_all();
  }
  for (const auto& session : stale) Close(session->handle);
}

void Pkcs11SessionPool::Close(CK_SESSION_HANDLE handle) const {
  // Fails harmlessly when the token already dropped the session.
  (void)api()->C_CloseSession(handle);
}

Status Pkcs11SessionPool::Login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type) {
  const CK_RV rv = api()->C_Login(session, user_type, options_.pin.data(), options_.pin.size());
  // Logging in a second time is no failure: the login belongs to the process, not the session.
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return OkStatus();
  return LoginFailure(rv, token_label_, options_.pin_setting);
}

Result<std::unique_ptr<Pkcs11SessionPool::Session>> Pkcs11SessionPool::Connect(std::uint64_t generation) {
  MutexLock lock(connect_mutex_);
  if (slot_generation_ != generation) {
    // The token was lost since we last looked: it may be back in another slot.
    KW_ASSIGN_OR_RETURN(Pkcs11TokenInfo token, module_->FindToken(options_.token_serial, options_.token_label));
    slot_ = token.slot;
    slot_generation_ = generation;
  }
  CK_FLAGS flags = CKF_SERIAL_SESSION;
  if (options_.read_write) flags |= CKF_RW_SESSION;
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  const CK_RV rv = api()->C_OpenSession(slot_, flags, nullptr, nullptr, &handle);
  if (rv != CKR_OK) {
    return UnavailableError("cannot open a session on PKCS#11 token '" + token_label_ + "': " + Pkcs11ErrorName(rv));
  }
  if (Status login = Login(handle, options_.user_type); !login.ok()) {
    Close(handle);
    return login;
  }
  auto session = std::make_unique<Session>();
  session->handle = handle;
  session->generation = generation;
  return session;
}

}  // namespace keywarden::custody
