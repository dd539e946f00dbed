// LegacyPkcs12Context: OpenSSL's legacy algorithms for one PKCS#12 decryption, and nowhere else.
//
// OpenSSL 1.1 wrote PKCS#12 files with RC2-40 (certificates) and 3DES (key) by default; the
// reference's setup guide produced such files on older systems. OpenSSL 3 keeps RC2 in its
// "legacy" provider, which this process never loads into its default library context. This
// class makes a library context of its own with the legacy and default providers, and makes it
// the calling thread's default while it lives (OSSL_LIB_CTX_set0_default is per thread), so only
// the decryption run inside its scope can reach a legacy algorithm. Every OpenSSL object made in
// the scope belongs to this context: free it before the context goes.
//
//   auto legacy = LegacyPkcs12Context::Enter();
//   if (!legacy.ok()) ...  // kUnsupported: the legacy provider module is not installed
//   ... PKCS12_parse, copy the key out as DER, free what PKCS12_parse returned ...
//   // leaving the scope restores the thread's previous default context
#ifndef KEYWARDEN_CUSTODY_FILE_LEGACY_PKCS12_CONTEXT_H_
#define KEYWARDEN_CUSTODY_FILE_LEGACY_PKCS12_CONTEXT_H_

#include <openssl/types.h>

#include <memory>

#include "keywarden/status.h"

namespace keywarden::custody {

class LegacyPkcs12Context {
 public:
  // kUnsupported when OpenSSL's legacy provider cannot be loaded (its module is not installed).
  static Result<std::unique_ptr<LegacyPkcs12Context>> Enter();
  ~LegacyPkcs12Context();  // restores the thread's previous default, then frees the context
  LegacyPkcs12Context(const LegacyPkcs12Context&) = delete;
  LegacyPkcs12Context& operator=(const LegacyPkcs12Context&) = delete;

 private:
  LegacyPkcs12Context(OSSL_LIB_CTX* context, OSSL_PROVIDER* legacy, OSSL_PROVIDER* base, OSSL_LIB_CTX* previous)
      : context_(context), legacy_(legacy), default_(base), previous_(previous) {}

  OSSL_LIB_CTX* context_;
  OSSL_PROVIDER* legacy_;
  OSSL_PROVIDER* default_;
  OSSL_LIB_CTX* previous_;  // the thread's default before Enter
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_FILE_LEGACY_PKCS12_CONTEXT_H_
