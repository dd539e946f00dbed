// Objects on a PKCS#11 token, seen through one borrowed session: finding keys by name and reading
// their attributes. Failures go through the pool's Failed(), so that a lost session is retried.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_OBJECT_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_OBJECT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custody/pkcs11/pkcs11_session_pool.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::custody {

// Which key: by CKA_ID when one is given (as the reference), else by CKA_LABEL.
struct Pkcs11KeyName {
  std::optional<std::vector<std::uint8_t>> id;
  std::string label;

  // "id 01a2" or "label 'x'", for messages.
  std::string ToString() const;
};

// Up to `max` token objects (CKA_TOKEN true) named `name`, of `object_class` when given.
Result<std::vector<CK_OBJECT_HANDLE>> FindPkcs11Objects(const Pkcs11SessionPool& pool,
                                                        Pkcs11SessionPool::Session& session,
                                                        std::optional<CK_OBJECT_CLASS> object_class,
                                                        const Pkcs11KeyName& name, std::size_t max);

// An attribute's value. kNotFound when the object has no such attribute or will not show it.
Result<std::vector<std::uint8_t>> GetPkcs11Attribute(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                     CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
// A CK_BBOOL attribute; `missing` when the object has no such attribute.
Result<bool> GetPkcs11Bool(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session, CK_OBJECT_HANDLE object,
                           CK_ATTRIBUTE_TYPE type, bool missing);

// The RSA public key of `object` (CKA_MODULUS and CKA_PUBLIC_EXPONENT: a public key, or a private
// key that carries them), checked as any RsaPublicKey (RSA, 2048..4096 bits).
Result<RsaPublicKey> ReadPkcs11RsaPublicKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                            CK_OBJECT_HANDLE object);

// The one private key named `name`, as a key provider finds its key. kNotFound names the setting
// (`section`.pkcs11_key_id or .pkcs11_key_label) and, for a security officer's login (`so_login`),
// says that it cannot see private keys; kInvalidArgument when two private keys have that name.
Result<CK_OBJECT_HANDLE> FindPkcs11PrivateKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                              const Pkcs11KeyName& name, bool so_login, std::string_view section);

// The public key that belongs to `private_key` (named `name`): the private key object's own
// CKA_MODULUS and CKA_PUBLIC_EXPONENT, or else, as some tokens keep the exponent only there, those
// of the one public key object of the same name. kNotFound when neither holds it.
Result<RsaPublicKey> ReadPkcs11PrivateKeysPublicKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                    CK_OBJECT_HANDLE private_key, const Pkcs11KeyName& name);

// A private RSA key a provider or signer found on the token, as it opens.
struct Pkcs11RsaPrivateKey {
  CK_OBJECT_HANDLE handle;
  RsaPublicKey public_key;   // ReadPkcs11PrivateKeysPublicKey
  bool always_authenticate;  // CKA_ALWAYS_AUTHENTICATE: every use needs its own login
};

// The one private key named `name` (FindPkcs11PrivateKey), checked to be RSA and allowed `usage`
// (CKA_DECRYPT or CKA_SIGN), with its public key. kInvalidArgument names the key and what is wrong.
Result<Pkcs11RsaPrivateKey> FindPkcs11RsaPrivateKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                    const Pkcs11KeyName& name, bool so_login, std::string_view section,
                                                    CK_ATTRIBUTE_TYPE usage);

// The public key from its big-endian modulus and exponent.
Result<RsaPublicKey> RsaPublicKeyFromComponents(std::span<const std::uint8_t> modulus,
                                                std::span<const std::uint8_t> exponent);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_OBJECT_H_
