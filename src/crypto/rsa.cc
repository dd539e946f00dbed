#include "keywarden/crypto/rsa.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "crypto/openssl_ptr.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden {
namespace internal {

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

}  // namespace internal

namespace {

using internal::EvpPkeyPtr;

// Bitwarden keys are RSA-2048; larger keys up to 4096 bits are accepted for interoperability.
constexpr int kMinBits = 2048;
constexpr int kMaxBits = 4096;

using PkeyCtxPtr = EvpPkeyCtxPtr;
// Pkcs8Ptr's free (PKCS8_PRIV_KEY_INFO_free) wipes the embedded private key octets.

// Failed OpenSSL calls leave entries on the thread's error queue; our Status replaces them.
template <typename T>
T Fail(T status) {
  ERR_clear_error();
  return status;
}

Status CheckRsaKey(EVP_PKEY* key) {
  // EVP_PKEY_is_a(.., "RSA") is false for RSA-PSS keys, which Bitwarden never uses.
  if (EVP_PKEY_is_a(key, "RSA") != 1) return InvalidArgumentError("not an RSA key");
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinBits || bits > kMaxBits) {
    return InvalidArgumentError("RSA key size " + std::to_string(bits) + " bits is outside 2048..4096");
  }
  return OkStatus();
}

bool ParseLength(std::size_t size, long* out) {
  if (size > static_cast<std::size_t>(LONG_MAX)) return false;
  *out = static_cast<long>(size);
  return true;
}

Result<EvpPkeyPtr> ParseSpki(std::span<const std::uint8_t> der) {
  long length = 0;
  if (der.empty() || !ParseLength(der.size(), &length)) return InvalidArgumentError("invalid SPKI DER public key");
  const unsigned char* p = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, length));
  if (key == nullptr) return Fail(InvalidArgumentError("invalid SPKI DER public key"));
  if (p != der.data() + der.size()) return InvalidArgumentError("trailing bytes after the SPKI DER public key");
  KW_RETURN_IF_ERROR(CheckRsaKey(key.get()));
  return key;
}

// The SPKI DER of any key with a public half (public or private EVP_PKEY).
std::vector<std::uint8_t> EncodeSpki(EVP_PKEY* key) {
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) return {};
  std::vector<std::uint8_t> out(static_cast<std::size_t>(length));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(key, &p) != length) return {};
  return out;
}

// An RSA key that is always valid is the class invariant, so encoding can only fail when
// memory runs out; like operator new without exceptions, that is fatal.
[[noreturn]] void OutOfMemory() { std::abort(); }

Result<PkeyCtxPtr> NewOaepContext(EVP_PKEY* key, bool encrypt, const EVP_MD* md) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr) return Fail(InternalError("cannot create an RSA context"));
  const int init = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
  if (init != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return Fail(InternalError("cannot set up RSA-OAEP"));
  }
  return ctx;
}

}  // namespace

// ---- RsaPublicKey ----

Result<RsaPublicKey> RsaPublicKey::FromSpkiDer(std::span<const std::uint8_t> der) {
  KW_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseSpki(der));
  return RsaPublicKey(std::move(key));
}

Result<RsaPublicKey> RsaPublicKey::FromBase64(std::string_view spki_b64) {
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> der, Base64Decode(spki_b64));
  return FromSpkiDer(der);
}

RsaPublicKey RsaPublicKey::Clone() const {
  // A public key is immutable, so sharing the EVP_PKEY is a faithful copy.
  if (EVP_PKEY_up_ref(key_.get()) != 1) OutOfMemory();
  return RsaPublicKey(EvpPkeyPtr(key_.get()));
}

std::vector<std::uint8_t> RsaPublicKey::ToSpkiDer() const {
  std::vector<std::uint8_t> der = EncodeSpki(key_.get());
  if (der.empty()) OutOfMemory();
  return der;
}

std::string RsaPublicKey::ToBase64() const { return Base64Encode(ToSpkiDer()); }

int RsaPublicKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

bool RsaPublicKey::Equals(const RsaPublicKey& other) const { return EVP_PKEY_eq(key_.get(), other.key_.get()) == 1; }

Result<std::vector<std::uint8_t>> RsaPublicKey::EncryptOaepSha1(std::span<const std::uint8_t> plaintext) const {
  // OAEP carries at most k - 2*hLen - 2 bytes (214 for RSA-2048 with SHA-1).
  const std::size_t max_plaintext = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get())) - 2 * 20 - 2;
  if (plaintext.size() > max_plaintext) {
    return InvalidArgumentError("plaintext of " + std::to_string(plaintext.size()) +
                                " bytes is too long for RSA-OAEP (max " + std::to_string(max_plaintext) + ")");
  }
  KW_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, NewOaepContext(key_.get(), /*encrypt=*/true, EVP_sha1()));
  std::size_t length = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, plaintext.data(), plaintext.size()) != 1) {
    return Fail(InternalError("RSA-OAEP encryption failed"));
  }
  std::vector<std::uint8_t> out(length);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &length, plaintext.data(), plaintext.size()) != 1) {
    return Fail(InternalError("RSA-OAEP encryption failed"));
  }
  out.resize(length);
  return out;
}

// ---- RsaPrivateKey ----

Result<RsaPrivateKey> RsaPrivateKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return Fail(InternalError("cannot create an RSA key generator"));
  }
  unsigned int bits = kBits;
  unsigned int exponent = 65537;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
      OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &exponent),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return Fail(InternalError("RSA key generation failed"));
  }
  return RsaPrivateKey(EvpPkeyPtr(raw));
}

Result<RsaPrivateKey> RsaPrivateKey::FromPkcs8Der(std::span<const std::uint8_t> der) {
  long length = 0;
  if (der.empty() || !ParseLength(der.size(), &length)) return InvalidArgumentError("invalid PKCS#8 DER private key");
  // Parsing PrivateKeyInfo explicitly (rather than d2i_AutoPrivateKey) rejects the bare
  // PKCS#1 form, so only what Bitwarden stores is accepted.
  const unsigned char* p = der.data();
  Pkcs8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, length));
  if (p8 == nullptr) return Fail(InvalidArgumentError("invalid PKCS#8 DER private key"));
  if (p != der.data() + der.size()) return InvalidArgumentError("trailing bytes after the PKCS#8 DER private key");
  EvpPkeyPtr key(EVP_PKCS82PKEY(p8.get()));
  if (key == nullptr) return Fail(InvalidArgumentError("invalid PKCS#8 DER private key"));
  KW_RETURN_IF_ERROR(CheckRsaKey(key.get()));
  return RsaPrivateKey(std::move(key));
}

Result<RsaPrivateKey> RsaPrivateKey::FromBase64(std::string_view pkcs8_b64) {
  KW_ASSIGN_OR_RETURN(SecureBuffer der, Base64DecodeSecret(pkcs8_b64));
  return FromPkcs8Der(der.span());
}

Result<RsaPrivateKey> RsaPrivateKey::FromPem(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN PRIVATE KEY-----";
  constexpr std::string_view kEnd = "-----END PRIVATE KEY-----";
  const std::size_t first = pem.find_first_not_of(" \t\r\n");
  const std::size_t last = pem.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos || !pem.substr(first).starts_with(kBegin) ||
      !pem.substr(0, last + 1).ends_with(kEnd) || pem.size() > INT_MAX) {
    return InvalidArgumentError("expected one unencrypted PEM \"PRIVATE KEY\" block");
  }
  // OpenSSL only finds a BEGIN line that starts a line, so surrounding whitespace goes first.
  pem = pem.substr(first, last + 1 - first);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (bio == nullptr) return Fail(InternalError("cannot create a memory BIO"));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  // PEM_FLAG_SECURE keeps the decoded key in the secure heap.
  const int ok = PEM_read_bio_ex(bio.get(), &name, &header, &data, &length, PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE);
  const bool plain = ok == 1 && std::strcmp(name, "PRIVATE KEY") == 0 && header[0] == '\0';
  Result<RsaPrivateKey> key = plain ? FromPkcs8Der({data, static_cast<std::size_t>(length)})
                                    : Result<RsaPrivateKey>(InvalidArgumentError("invalid PEM private key"));
  OPENSSL_secure_free(name);
  OPENSSL_secure_free(header);
  OPENSSL_secure_clear_free(data, static_cast<std::size_t>(length));
  if (!key.ok()) ERR_clear_error();
  return key;
}

Result<SecureBuffer> RsaPrivateKey::ToPkcs8Der() const {
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(key_.get()));
  if (p8 == nullptr) return Fail(InternalError("cannot encode the private key"));
  const int length = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (length <= 0) return Fail(InternalError("cannot encode the private key"));
  SecureBuffer out(static_cast<std::size_t>(length));
  unsigned char* p = out.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != length) return Fail(InternalError("cannot encode the private key"));
  return out;
}

RsaPublicKey RsaPrivateKey::PublicKey() const {
  // A DER round trip yields an EVP_PKEY with no private half at all.
  const std::vector<std::uint8_t> der = EncodeSpki(key_.get());
  if (der.empty()) OutOfMemory();
  Result<EvpPkeyPtr> key = ParseSpki(der);
  if (!key.ok()) OutOfMemory();
  return RsaPublicKey(std::move(key).value());
}

Result<SecureBuffer> RsaPrivateKey::DecryptOaep(std::span<const std::uint8_t> ciphertext, OaepHash hash) const {
  const EVP_MD* md = hash == OaepHash::kSha1 ? EVP_sha1() : EVP_sha256();
  KW_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, NewOaepContext(key_.get(), /*encrypt=*/false, md));
  std::size_t length = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &length, ciphertext.data(), ciphertext.size()) != 1) {
    return Fail(AuthenticationError("decryption failed"));
  }
  SecureBuffer out(length);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &length, ciphertext.data(), ciphertext.size()) != 1) {
    return Fail(AuthenticationError("decryption failed"));
  }
  out.Truncate(length);
  return out;
}

}  // namespace keywarden
