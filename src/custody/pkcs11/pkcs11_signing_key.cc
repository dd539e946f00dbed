#include "custody/pkcs11/pkcs11_signing_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "custody/file/file_rsa_key_provider.h"

namespace keywarden::custody {
namespace {

using Session = Pkcs11SessionPool::Session;

// The configuration section errors name.
constexpr std::string_view kSection = "signing_key";

}  // namespace

Pkcs11SigningKey::Pkcs11SigningKey(std::unique_ptr<Pkcs11SessionPool> pool, Pkcs11KeyName name, RsaPublicKey public_key,
                                   std::string kid, nlohmann::json jwk, bool always_authenticate, bool so_login)
    : pool_(std::move(pool)),
      name_(std::move(name)),
      public_key_(std::move(public_key)),
      fingerprint_(SpkiFingerprint(public_key_)),
      kid_(std::move(kid)),
      jwk_(std::move(jwk)),
      signature_size_(static_cast<std::size_t>(EVP_PKEY_get_size(public_key_.evp()))),
      always_authenticate_(always_authenticate),
      so_login_(so_login) {}

Result<std::unique_ptr<Pkcs11SigningKey>> Pkcs11SigningKey::Open(const Pkcs11Settings& settings, std::string kid) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool,
                      OpenPkcs11SessionPool(settings, /*read_write=*/false, kSection));
  const Pkcs11KeyName name{settings.key_id, settings.key_label};
  const bool so_login = settings.user_type == Pkcs11Settings::UserType::kSo;

  std::optional<RsaPublicKey> public_key;
  bool always_authenticate = false;
  Pkcs11SessionPool& p = *pool;
  const Status ran = p.Run([&](Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(Pkcs11RsaPrivateKey found,
                        FindPkcs11RsaPrivateKey(p, session, name, so_login, kSection, CKA_SIGN));
    session.key = found.handle;
    always_authenticate = found.always_authenticate;
    public_key = std::move(found.public_key);
    return OkStatus();
  });
  if (!ran.ok()) return ran;

  if (kid.empty()) kid = DefaultSigningKeyId(*public_key);
  KW_ASSIGN_OR_RETURN(nlohmann::json jwk, jose::RsaPublicJwk(*public_key, kid, jose::JwsAlgorithm::kRs256));
  std::unique_ptr<Pkcs11SigningKey> signing_key(new Pkcs11SigningKey(std::move(pool), name,
                                                                     std::move(public_key).value(), std::move(kid),
                                                                     std::move(jwk), always_authenticate, so_login));
  // Sign once now: a key that cannot, or whose public key is another key's, fails start-up.
  if (Status works = jose::CheckSigningKey(*signing_key); !works.ok()) {
    return Status(works.code(), "the private key with " + name.ToString() + " on PKCS#11 token '" +
                                    signing_key->token_label() + "' cannot sign tokens: " + works.message());
  }
  return signing_key;
}

Status Pkcs11SigningKey::FindKey(Session& session) const {
  if (session.key != CK_INVALID_HANDLE) return OkStatus();
  KW_ASSIGN_OR_RETURN(session.key, FindPkcs11PrivateKey(*pool_, session, name_, so_login_, kSection));
  return OkStatus();
}

Result<std::vector<std::uint8_t>> Pkcs11SigningKey::Sign(std::string_view signing_input) const {
  std::vector<std::uint8_t> signature;
  const Status ran = pool_->Run([&](Session& session) -> Status {
    KW_RETURN_IF_ERROR(FindKey(session));
    CK_FUNCTION_LIST* api = pool_->api();
    CK_MECHANISM mechanism{CKM_SHA256_RSA_PKCS, nullptr, 0};
    CK_RV rv = api->C_SignInit(session.handle, &mechanism, session.key);
    if (rv != CKR_OK) return pool_->Failed(session, rv, "C_SignInit");
    if (always_authenticate_) {
      Status login = pool_->ReAuthenticate(session);
      if (!login.ok()) {
        session.discard = true;  // the signature is still initialised on it
        return login;
      }
    }
    std::vector<std::uint8_t> out(signature_size_);
    CK_ULONG length = out.size();
    // The input is only read; PKCS#11's C signature is not const.
    auto* data = reinterpret_cast<CK_BYTE*>(const_cast<char*>(signing_input.data()));
    rv = api->C_Sign(session.handle, data, signing_input.size(), out.data(), &length);
    if (rv != CKR_OK) {
      if (rv == CKR_BUFFER_TOO_SMALL) session.discard = true;  // the only error that leaves it active
      return pool_->Failed(session, rv, "C_Sign");
    }
    if (length == 0 || length > out.size()) {
      return UnavailableError("PKCS#11 C_Sign on token '" + pool_->token_label() + "' returned a signature of " +
                              std::to_string(length) + " bytes for a " + std::to_string(out.size()) + "-byte key");
    }
    // RS256 signatures are as long as the modulus (RFC 7518 3.3); a token that drops leading zero
    // bytes gets them back.
    std::rotate(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length), out.end());
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out.size() - length), 0);
    signature = std::move(out);
    return OkStatus();
  });
  if (!ran.ok()) return ran;
  return signature;
}

}  // namespace keywarden::custody
