// Pkcs11SessionPool: a few logged-in sessions on one token, each lent to one operation at a time.
//
// On many HSMs opening a session and logging in costs more than the decryption itself; the
// reference does both for every operation. Here at most `size` sessions are opened, on demand,
// and reused. A login belongs to the process and the token, not to a session, so one login
// serves them all; each new session still logs in, and "already logged in" counts as success.
//
// When a call reports that the token went away (IsPkcs11SessionLost: removed, reset, sessions
// closed under us, login lost), Run() drops every session opened before, finds the token again
// (by serial number or label: it may come back in another slot), logs in anew and retries the
// operation once. A wrong PIN is never retried: HSMs lock the PIN after a few attempts.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_SESSION_POOL_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_SESSION_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "custody/pkcs11/pkcs11_module.h"
#include "custody/pkcs11/pkcs11_settings.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::custody {

class Pkcs11SessionPool {
 public:
  struct Options {
    std::string token_serial;           // the token, by serial number...
    std::string token_label;            // ...or, when the serial is empty, by label
    CK_USER_TYPE user_type = CKU_USER;  // CKU_USER or CKU_SO
    SecureBuffer pin;
    std::string pin_setting;  // the setting that gave the PIN, for errors (the PIN is never shown)
    std::size_t size = 4;
    bool read_write = false;  // key generation and SO logins need read/write sessions
  };

  // Finds the token, opens one session and logs in, so that a missing token or a wrong PIN is
  // reported now. Errors: kNotFound (no such token), kInvalidArgument (wrong, invalid or locked
  // PIN, two tokens matching), kUnavailable (the module or token fails).
  static Result<std::unique_ptr<Pkcs11SessionPool>> Open(std::shared_ptr<Pkcs11Module> module, Options options);

  Pkcs11SessionPool(const Pkcs11SessionPool&) = delete;
  Pkcs11SessionPool& operator=(const Pkcs11SessionPool&) = delete;
  // Closes our sessions one by one: C_CloseAllSessions would close other users' sessions too.
  ~Pkcs11SessionPool();

  // A session lent to one operation. Operations may keep what they look up on it (`key`); a
  // replacement session starts empty.
  struct Session {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    std::uint64_t generation = 0;
    bool lost = false;     // the token went away: reconnect and retry
    bool discard = false;  // left mid-operation: close it rather than lend it again
  };

  // The Status for `what` having failed with `rv` ("PKCS#11 C_Decrypt on token 'x': CKR_..."),
  // marking the session lost when `rv` says the token went away.
  Status Failed(Session& session, CK_RV rv, std::string_view what) const;

  using Operation = std::function<Status(Session&)>;
  // Runs `op` on a borrowed session, waiting while all `size` are busy. When `op` fails with the
  // session marked lost, reconnects and runs it once more.
  Status Run(const Operation& op);

  // C_Login(CKU_CONTEXT_SPECIFIC) with the PIN, for keys that demand it before each use
  // (CKA_ALWAYS_AUTHENTICATE); call it after the operation's Init.
  Status ReAuthenticate(Session& session);

  CK_FUNCTION_LIST* api() const { return module_->api(); }
  const Pkcs11Module& module() const { return *module_; }
  const std::string& token_label() const { return token_label_; }
  const std::string& token_serial() const { return token_serial_; }
  // Sessions open right now (tests check the pool's bound).
  std::size_t open_sessions() const;

 private:
  Pkcs11SessionPool(std::shared_ptr<Pkcs11Module> module, Options options, const Pkcs11TokenInfo& token);

  Result<std::unique_ptr<Session>> Acquire() KW_EXCLUDES(mutex_);
  void Release(std::unique_ptr<Session> session) KW_EXCLUDES(mutex_);
  // A new logged-in session for `generation`, finding the token again if it was lost.
  Result<std::unique_ptr<Session>> Connect(std::uint64_t generation) KW_EXCLUDES(connect_mutex_);
  Status Login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type);
  // Forgets every session of `generation` and before (idle ones are closed now, borrowed ones
  // when they come back).
  void Invalidate(std::uint64_t generation) KW_EXCLUDES(mutex_);
  void Close(CK_SESSION_HANDLE handle) const;

  std::shared_ptr<Pkcs11Module> module_;
  Options options_;
  std::string token_label_;
  std::string token_serial_;

  Mutex connect_mutex_;  // one Connect at a time: finding the slot and logging in
  CK_SLOT_ID slot_ KW_GUARDED_BY(connect_mutex_);
  std::uint64_t slot_generation_ KW_GUARDED_BY(connect_mutex_) = 0;

  mutable Mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Session>> idle_ KW_GUARDED_BY(mutex_);
  std::size_t open_ KW_GUARDED_BY(mutex_) = 0;  // idle + borrowed
  std::uint64_t generation_ KW_GUARDED_BY(mutex_) = 0;
};

// The pool `settings` describe: the module (by path, or by the provider's short name, saying so
// when that module is not installed), the token, the user type and the PIN. Logs in as the user
// for "user" and "context_specific", as the security officer for "so" (read/write sessions, as
// the token requires). `read_write` asks for read/write sessions (key generation). `section` is
// the configuration section the settings came from ("rsa_key", "signing_key"), which errors name.
Result<std::unique_ptr<Pkcs11SessionPool>> OpenPkcs11SessionPool(const Pkcs11Settings& settings, bool read_write,
                                                                 std::string_view section = "rsa_key");

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_SESSION_POOL_H_
