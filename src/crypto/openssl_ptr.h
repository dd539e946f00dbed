// OpenSslPtr: std::unique_ptr for an OpenSSL object, freed by the library's own function for it.
//
//   OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
//
// One spelling for every module that holds OpenSSL objects (crypto, jose, auth, custody), instead
// of a deleter struct per type per file. The aliases below are the types several modules hold.
// (The public API's own holders, such as EvpPkeyPtr in keywarden/crypto/rsa.h, keep their
// declared deleters: public headers do not include src/.)
#ifndef KEYWARDEN_CRYPTO_OPENSSL_PTR_H_
#define KEYWARDEN_CRYPTO_OPENSSL_PTR_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace keywarden {

template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};

template <typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<Free>>;

using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Pkcs8Ptr = OpenSslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_OPENSSL_PTR_H_
