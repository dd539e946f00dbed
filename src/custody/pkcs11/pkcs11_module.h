// Pkcs11Module: one PKCS#11 library (an HSM's driver), loaded with dlopen and initialised once
// per process, shared by everything in the process that uses it.
//
// PKCS#11 state is per process, not per caller: C_Initialize may run once, C_Finalize ends every
// session of every caller, and a login holds for all of the process's sessions on that token. So
// modules are shared by path: the first Load() initialises the library, the last owner to go
// finalises it (unless something else in the process had initialised it first, in which case it
// is left as found). Thread-safe; the library is initialised for OS locking.
//
// Types come from p11-kit's pkcs11.h (Debian libp11-kit-dev), the standard's names.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_MODULE_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_MODULE_H_

#include <p11-kit-1/p11-kit/pkcs11.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::custody {

// "CKR_PIN_INCORRECT", or "CKR 0x1234" for a code without a name here.
std::string Pkcs11ErrorName(CK_RV rv);

// True when `rv` means the session can no longer be used but a new one might work: the token
// was removed or reset, the session was closed under us, or the login was lost.
bool IsPkcs11SessionLost(CK_RV rv);

// The module of a `pkcs11Provider` short name: the reference's "yubihsm" and "opensc" (at the
// paths it uses) and "softhsm" (Debian's softhsm2). Names ignore case. kInvalidArgument for
// other names.
struct Pkcs11ProviderModule {
  std::string path;
  std::string_view installed_by;  // what installs it, for "not installed" errors
};
Result<Pkcs11ProviderModule> Pkcs11ProviderModuleFor(std::string_view provider);

// A CKA_ID as lower-case hex, as configured and printed ("01a2").
std::string Pkcs11IdHex(std::span<const std::uint8_t> id);

// A token's identity as its token info gives it, blank padding removed.
struct Pkcs11TokenInfo {
  CK_SLOT_ID slot = 0;
  std::string label;
  std::string serial;
  CK_FLAGS flags = 0;
};

class Pkcs11Module {
 public:
  // The module at `path`, loaded and initialised on first use. kUnavailable when the file
  // cannot be loaded or is not a PKCS#11 module, naming the path.
  static Result<std::shared_ptr<Pkcs11Module>> Load(const std::string& path);

  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;
  ~Pkcs11Module();

  CK_FUNCTION_LIST* api() const { return api_; }
  const std::string& path() const { return path_; }

  // Every slot with a token present.
  Result<std::vector<Pkcs11TokenInfo>> Tokens() const;
  // The one token whose serial number (case-insensitive, as the reference) or, when `serial` is
  // empty, whose label equals the one given. kNotFound lists the tokens present (labels and serial
  // numbers are not secret); kInvalidArgument when two tokens match.
  Result<Pkcs11TokenInfo> FindToken(std::string_view serial, std::string_view label) const;

 private:
  struct Registry;
  Pkcs11Module(std::string path, void* library, CK_FUNCTION_LIST* api, bool finalize);

  std::string path_;
  void* library_;
  CK_FUNCTION_LIST* api_;
  bool finalize_;  // false when the library was initialised before we came
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_MODULE_H_
