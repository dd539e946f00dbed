#include "custody/file/legacy_pkcs12_context.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

namespace keywarden::custody {

Result<std::unique_ptr<LegacyPkcs12Context>> LegacyPkcs12Context::Enter() {
  OSSL_LIB_CTX* context = OSSL_LIB_CTX_new();
  if (context == nullptr) return InternalError("cannot create an OpenSSL library context");
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(context, "legacy");
  // The legacy provider holds only the old ciphers; the KDF, MAC and key parsing come from default.
  OSSL_PROVIDER* base = legacy == nullptr ? nullptr : OSSL_PROVIDER_load(context, "default");
  if (legacy == nullptr || base == nullptr) {
    if (legacy != nullptr) OSSL_PROVIDER_unload(legacy);
    OSSL_LIB_CTX_free(context);
    ERR_clear_error();
    return UnsupportedError(
        "the file uses a legacy PKCS#12 cipher (RC2 or 3DES, OpenSSL 1.1's default) and OpenSSL's legacy "
        "provider is not installed (ossl-modules/legacy.so); re-export the file with OpenSSL 3 or install it");
  }
  OSSL_LIB_CTX* previous = OSSL_LIB_CTX_set0_default(context);
  return std::unique_ptr<LegacyPkcs12Context>(new LegacyPkcs12Context(context, legacy, base, previous));
}

LegacyPkcs12Context::~LegacyPkcs12Context() {
  OSSL_LIB_CTX_set0_default(previous_);
  OSSL_PROVIDER_unload(default_);
  OSSL_PROVIDER_unload(legacy_);
  OSSL_LIB_CTX_free(context_);
}

}  // namespace keywarden::custody
