#include "custody/pkcs11/pkcs11_object.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "crypto/openssl_ptr.h"

namespace keywarden::custody {
namespace {

using ParamBuildPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = EvpPkeyCtxPtr;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;

Status OpenSslFailed(const char* what) {
  ERR_clear_error();
  return InternalError(what);
}

}  // namespace

std::string Pkcs11KeyName::ToString() const {
  return id.has_value() ? "id " + Pkcs11IdHex(*id) : "label '" + label + "'";
}

Result<std::vector<CK_OBJECT_HANDLE>> FindPkcs11Objects(const Pkcs11SessionPool& pool,
                                                        Pkcs11SessionPool::Session& session,
                                                        std::optional<CK_OBJECT_CLASS> object_class,
                                                        const Pkcs11KeyName& name, std::size_t max) {
  CK_BBOOL on_token = CK_TRUE;
  CK_OBJECT_CLASS wanted_class = object_class.value_or(0);
  std::vector<CK_ATTRIBUTE> query = {{CKA_TOKEN, &on_token, sizeof on_token}};
  if (object_class.has_value()) query.push_back({CKA_CLASS, &wanted_class, sizeof wanted_class});
  // The template is only read; PKCS#11's C signature is not const.
  if (name.id.has_value()) {
    query.push_back({CKA_ID, const_cast<std::uint8_t*>(name.id->data()), name.id->size()});
  } else {
    query.push_back({CKA_LABEL, const_cast<char*>(name.label.data()), name.label.size()});
  }
  CK_FUNCTION_LIST* api = pool.api();
  CK_RV rv = api->C_FindObjectsInit(session.handle, query.data(), query.size());
  if (rv != CKR_OK) return pool.Failed(session, rv, "C_FindObjectsInit");
  std::vector<CK_OBJECT_HANDLE> found(max);
  CK_ULONG count = 0;
  rv = api->C_FindObjects(session.handle, found.data(), found.size(), &count);
  // Always end the search, or the session cannot search again.
  const CK_RV final_rv = api->C_FindObjectsFinal(session.handle);
  if (rv != CKR_OK) return pool.Failed(session, rv, "C_FindObjects");
  if (final_rv != CKR_OK) return pool.Failed(session, final_rv, "C_FindObjectsFinal");
  found.resize(count);
  return found;
}

Result<std::vector<std::uint8_t>> GetPkcs11Attribute(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                     CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attribute{type, nullptr, 0};
  CK_RV rv = pool.api()->C_GetAttributeValue(session.handle, object, &attribute, 1);
  if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
      attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    char name[48];
    std::snprintf(name, sizeof name, "attribute 0x%lx", static_cast<unsigned long>(type));
    return NotFoundError(std::string("the object on token '") + pool.token_label() + "' has no readable " + name);
  }
  if (rv != CKR_OK) return pool.Failed(session, rv, "C_GetAttributeValue");
  std::vector<std::uint8_t> value(attribute.ulValueLen);
  attribute.pValue = value.data();
  rv = pool.api()->C_GetAttributeValue(session.handle, object, &attribute, 1);
  if (rv != CKR_OK) return pool.Failed(session, rv, "C_GetAttributeValue");
  value.resize(attribute.ulValueLen);
  return value;
}

Result<bool> GetPkcs11Bool(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session, CK_OBJECT_HANDLE object,
                           CK_ATTRIBUTE_TYPE type, bool missing) {
  auto value = GetPkcs11Attribute(pool, session, object, type);
  if (!value.ok()) {
    if (value.status().code() == ErrorCode::kNotFound) return missing;
    return value.status();
  }
  return value->size() == sizeof(CK_BBOOL) && (*value)[0] != CK_FALSE;
}

Result<RsaPublicKey> ReadPkcs11RsaPublicKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                            CK_OBJECT_HANDLE object) {
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> modulus, GetPkcs11Attribute(pool, session, object, CKA_MODULUS));
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> exponent,
                      GetPkcs11Attribute(pool, session, object, CKA_PUBLIC_EXPONENT));
  // Private key objects may carry the attributes empty (SoftHSM2 does when they were not given).
  if (modulus.empty() || exponent.empty()) {
    return NotFoundError("the object on token '" + pool.token_label() + "' does not hold its public key");
  }
  return RsaPublicKeyFromComponents(modulus, exponent);
}

Result<CK_OBJECT_HANDLE> FindPkcs11PrivateKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                              const Pkcs11KeyName& name, bool so_login, std::string_view section) {
  KW_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> keys, FindPkcs11Objects(pool, session, CKO_PRIVATE_KEY, name, 2));
  if (keys.empty()) {
    const std::string setting = std::string(section) + (name.id.has_value() ? ".pkcs11_key_id" : ".pkcs11_key_label");
    return NotFoundError(
        "no private key with " + name.ToString() + " on PKCS#11 token '" + pool.token_label() + "' (" + setting + ")" +
        (so_login ? "; the security officer cannot see private keys on most tokens: log in as user" : ""));
  }
  if (keys.size() > 1) {
    return InvalidArgumentError("more than one private key with " + name.ToString() + " on PKCS#11 token '" +
                                pool.token_label() + "': name the key by its id");
  }
  return keys.front();
}

Result<Pkcs11RsaPrivateKey> FindPkcs11RsaPrivateKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                    const Pkcs11KeyName& name, bool so_login, std::string_view section,
                                                    CK_ATTRIBUTE_TYPE usage) {
  KW_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE handle, FindPkcs11PrivateKey(pool, session, name, so_login, section));
  const std::string key = "the private key with " + name.ToString() + " on PKCS#11 token '" + pool.token_label() + "'";
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> type, GetPkcs11Attribute(pool, session, handle, CKA_KEY_TYPE));
  CK_KEY_TYPE rsa = CKK_RSA;
  if (type.size() != sizeof rsa || std::memcmp(type.data(), &rsa, sizeof rsa) != 0) {
    return InvalidArgumentError(key + " is not an RSA key");
  }
  KW_ASSIGN_OR_RETURN(bool allowed, GetPkcs11Bool(pool, session, handle, usage, true));
  if (!allowed) {
    return InvalidArgumentError(
        key + (usage == CKA_SIGN ? " may not sign (CKA_SIGN is false)" : " may not decrypt (CKA_DECRYPT is false)"));
  }
  KW_ASSIGN_OR_RETURN(bool always_authenticate, GetPkcs11Bool(pool, session, handle, CKA_ALWAYS_AUTHENTICATE, false));
  KW_ASSIGN_OR_RETURN(RsaPublicKey public_key, ReadPkcs11PrivateKeysPublicKey(pool, session, handle, name));
  return Pkcs11RsaPrivateKey{handle, std::move(public_key), always_authenticate};
}

Result<RsaPublicKey> ReadPkcs11PrivateKeysPublicKey(const Pkcs11SessionPool& pool, Pkcs11SessionPool::Session& session,
                                                    CK_OBJECT_HANDLE private_key, const Pkcs11KeyName& name) {
  auto from_private = ReadPkcs11RsaPublicKey(pool, session, private_key);
  if (from_private.ok() || from_private.status().code() != ErrorCode::kNotFound) return from_private;
  KW_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> publics, FindPkcs11Objects(pool, session, CKO_PUBLIC_KEY, name, 2));
  if (publics.size() != 1) {
    return NotFoundError("cannot read the public key of the private key with " + name.ToString() +
                         " on PKCS#11 token '" + pool.token_label() +
                         "': neither the private key nor one public key object of that name holds it");
  }
  return ReadPkcs11RsaPublicKey(pool, session, publics.front());
}

Result<RsaPublicKey> RsaPublicKeyFromComponents(std::span<const std::uint8_t> modulus,
                                                std::span<const std::uint8_t> exponent) {
  if (modulus.empty() || exponent.empty() || modulus.size() > 1024 || exponent.size() > 64) {
    return InvalidArgumentError("the token's RSA public key has an unusable modulus or exponent");
  }
  BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (n == nullptr || e == nullptr || build == nullptr ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OpenSslFailed("cannot build the RSA public key");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslFailed("cannot build the RSA public key");
  }
  PkeyPtr key(raw);
  // Through SPKI DER, the one way in to RsaPublicKey and its checks.
  const int length = i2d_PUBKEY(key.get(), nullptr);
  if (length <= 0) return OpenSslFailed("cannot encode the RSA public key");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(key.get(), &p) != length) return OpenSslFailed("cannot encode the RSA public key");
  return RsaPublicKey::FromSpkiDer(der);
}

}  // namespace keywarden::custody
