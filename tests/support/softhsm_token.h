// SoftHsmToken: a SoftHSM2 token of its own in a temporary folder, for tests and benchmarks.
//
// SoftHSM2 (Debian's softhsm2) reads its configuration file, named by SOFTHSM2_CONF, each time its
// module is initialised; Create() writes one that keeps the token store in the temporary folder,
// points SOFTHSM2_CONF at it for the whole process (child processes such as the CLI inherit it)
// and initialises a token with `softhsm2-util --init-token --free`. Because that variable is
// process-wide, only one SoftHsmToken may exist at a time; the module must not be in use by
// anything else while one is created (the module is initialised anew, with the new file, when
// its last user lets go of it).
//
// Everything here goes through the connector's own PKCS#11 layer (connector/pkcs11_*.h).
#ifndef KEYWARDEN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_
#define KEYWARDEN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custody/pkcs11/pkcs11_module.h"
#include "custody/pkcs11/pkcs11_settings.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

class SoftHsmToken {
 public:
  // Debian's paths.
  static constexpr char kModulePath[] = "/usr/lib/softhsm/libsofthsm2.so";
  static constexpr char kUtilPath[] = "/usr/bin/softhsm2-util";

  // A new token labelled `label`, or null with `*why_not` set when SoftHSM2 is not installed or
  // the token cannot be made.
  static std::unique_ptr<SoftHsmToken> Create(std::string* why_not, const std::string& label = "keywarden-test");

  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;
  // Removes the folder and restores SOFTHSM2_CONF as it was.
  ~SoftHsmToken();

  const std::string& label() const { return label_; }
  const std::string& serial() const { return serial_; }
  const std::string& user_pin() const { return user_pin_; }
  const std::string& so_pin() const { return so_pin_; }
  const std::string& conf_path() const { return conf_path_; }
  const TempDir& dir() const { return dir_; }

  // Settings that name this token (by serial), the user PIN and the key labelled `key_label`.
  custody::Pkcs11Settings Settings(const std::string& key_label) const;

  struct ImportOptions {
    bool always_authenticate = false;  // CKA_ALWAYS_AUTHENTICATE on the private key
    // Put the public exponent only on a separate public key object, as some HSMs do.
    bool exponent_on_public_key_only = false;
  };
  // Stores `key` on the token (C_CreateObject) as a sensitive private key under `label` and `id`
  // (an empty id sets none), as an HSM holds a key that was imported into it.
  Status ImportKey(const RsaPrivateKey& key, const std::string& label, const std::vector<std::uint8_t>& id,
                   ImportOptions options);
  Status ImportKey(const RsaPrivateKey& key, const std::string& label, const std::vector<std::uint8_t>& id) {
    return ImportKey(key, label, id, ImportOptions());
  }

  // Closes every session this process has on the token (C_CloseAllSessions), which also logs the
  // process out: what a token reset or re-plug does to a running connector. No call may be in
  // flight on those sessions meanwhile: PKCS#11 leaves closing a session that another thread is
  // using undefined, and SoftHSM2 crashes.
  Status Reset();

  // A CK_BBOOL attribute of the one private key labelled `label`, read as the token's user.
  Result<bool> PrivateKeyFlag(const std::string& label, CK_ATTRIBUTE_TYPE type);
  // How many token objects (of any class) carry `label`.
  Result<std::size_t> CountObjects(const std::string& label);

 private:
  SoftHsmToken() = default;

  TempDir dir_;
  std::string label_;
  std::string serial_;
  std::string user_pin_;
  std::string so_pin_;
  std::string conf_path_;
  std::optional<std::string> previous_conf_;
};

}  // namespace keywarden::testing

// In a test or a fixture's SetUp: sets `var` (a std::unique_ptr<SoftHsmToken>) to a new token,
// or skips the test when SoftHSM2 is missing, except in CI, where it fails (support/skip.h).
#define KW_SOFTHSM_TOKEN_OR_SKIP(var)                               \
  std::string var##_why_not;                                        \
  var = ::keywarden::testing::SoftHsmToken::Create(&var##_why_not); \
  if (var == nullptr) KW_SKIP_OR_FAIL_IN_CI(var##_why_not)

#endif  // KEYWARDEN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_
