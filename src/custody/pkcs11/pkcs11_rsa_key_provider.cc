#include "custody/pkcs11/pkcs11_rsa_key_provider.h"

#include <openssl/evp.h>

#include <optional>
#include <utility>

#include "custody/file/file_rsa_key_provider.h"

namespace keywarden::custody {
namespace {

using Session = Pkcs11SessionPool::Session;

constexpr std::string_view kSection = "rsa_key";

// RSA-OAEP as the reference asks the token for it: SHA-1 for the hash and MGF1, no label.
CK_RSA_PKCS_OAEP_PARAMS OaepSha1() { return {CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, nullptr, 0}; }

}  // namespace

Pkcs11RsaKeyProvider::Pkcs11RsaKeyProvider(std::unique_ptr<Pkcs11SessionPool> pool, Pkcs11KeyName name,
                                           RsaPublicKey public_key, std::vector<std::uint8_t> modulus,
                                           bool always_authenticate, bool so_login)
    : pool_(std::move(pool)),
      name_(std::move(name)),
      public_key_(std::move(public_key)),
      modulus_(std::move(modulus)),
      fingerprint_(SpkiFingerprint(public_key_)),
      always_authenticate_(always_authenticate),
      so_login_(so_login) {}

Result<std::unique_ptr<Pkcs11RsaKeyProvider>> Pkcs11RsaKeyProvider::Open(const Pkcs11Settings& settings) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool, OpenPkcs11SessionPool(settings, /*read_write=*/false));
  const Pkcs11KeyName name{settings.key_id, settings.key_label};
  const bool so_login = settings.user_type == Pkcs11Settings::UserType::kSo;

  std::optional<RsaPublicKey> public_key;
  std::vector<std::uint8_t> modulus;
  bool always_authenticate = false;
  Pkcs11SessionPool& p = *pool;
  const Status ran = p.Run([&](Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(Pkcs11RsaPrivateKey found,
                        FindPkcs11RsaPrivateKey(p, session, name, so_login, kSection, CKA_DECRYPT));
    session.key = found.handle;
    always_authenticate = found.always_authenticate;
    public_key = std::move(found.public_key);
    // Check() compares the private key's modulus, when it shows one, with this one.
    auto own_modulus = GetPkcs11Attribute(p, session, session.key, CKA_MODULUS);
    if (own_modulus.ok()) {
      modulus = std::move(own_modulus).value();
    } else if (own_modulus.status().code() != ErrorCode::kNotFound) {
      return own_modulus.status();
    }
    return OkStatus();
  });
  if (!ran.ok()) return ran;
  return std::unique_ptr<Pkcs11RsaKeyProvider>(new Pkcs11RsaKeyProvider(
      std::move(pool), name, std::move(public_key).value(), std::move(modulus), always_authenticate, so_login));
}

Status Pkcs11RsaKeyProvider::FindKey(Session& session) const {
  if (session.key != CK_INVALID_HANDLE) return OkStatus();
  KW_ASSIGN_OR_RETURN(session.key, FindPkcs11PrivateKey(*pool_, session, name_, so_login_, kSection));
  return OkStatus();
}

Result<std::vector<std::uint8_t>> Pkcs11RsaKeyProvider::Wrap(std::span<const std::uint8_t> data_key) const {
  return public_key_.EncryptOaepSha1(data_key);
}

Result<SecureBuffer> Pkcs11RsaKeyProvider::Unwrap(std::span<const std::uint8_t> wrapped) const {
  const auto size = static_cast<std::size_t>(EVP_PKEY_get_size(public_key_.evp()));
  // Not a ciphertext of this key: no need to ask the token.
  if (wrapped.size() != size) return AuthenticationError("decryption failed");
  SecureBuffer plaintext;
  const Status ran = pool_->Run([&](Session& session) -> Status {
    KW_RETURN_IF_ERROR(FindKey(session));
    CK_FUNCTION_LIST* api = pool_->api();
    CK_RSA_PKCS_OAEP_PARAMS params = OaepSha1();
    CK_MECHANISM mechanism{CKM_RSA_PKCS_OAEP, &params, sizeof params};
    CK_RV rv = api->C_DecryptInit(session.handle, &mechanism, session.key);
    if (rv != CKR_OK) return pool_->Failed(session, rv, "C_DecryptInit");
    if (always_authenticate_) {
      Status login = pool_->ReAuthenticate(session);
      if (!login.ok()) {
        session.discard = true;  // the decryption is still initialised on it
        return login;
      }
    }
    SecureBuffer out(size);
    CK_ULONG length = out.size();
    // The input is only read; PKCS#11's C signature is not const.
    rv = api->C_Decrypt(session.handle, const_cast<std::uint8_t*>(wrapped.data()), wrapped.size(), out.data(), &length);
    // A ciphertext made for another key: the standard's codes, and SoftHSM2's (its OAEP decoding
    // failure is CKR_GENERAL_ERROR). A failing device reports CKR_DEVICE_ERROR and the like.
    if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE || rv == CKR_GENERAL_ERROR) {
      return AuthenticationError("decryption failed");
    }
    if (rv != CKR_OK) {
      if (rv == CKR_BUFFER_TOO_SMALL) session.discard = true;  // the only error that leaves it active
      return pool_->Failed(session, rv, "C_Decrypt");
    }
    out.Truncate(length);
    plaintext = std::move(out);
    return OkStatus();
  });
  if (!ran.ok()) return ran;
  return plaintext;
}

Status Pkcs11RsaKeyProvider::Check() const {
  Status status = pool_->Run([&](Session& session) -> Status {
    KW_RETURN_IF_ERROR(FindKey(session));
    if (modulus_.empty()) return GetPkcs11Attribute(*pool_, session, session.key, CKA_KEY_TYPE).status();
    KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> modulus,
                        GetPkcs11Attribute(*pool_, session, session.key, CKA_MODULUS));
    if (modulus != modulus_) {
      return WrongKeyError("the private key with " + name_.ToString() + " on PKCS#11 token '" + pool_->token_label() +
                           "' is no longer the key the connector started with");
    }
    return OkStatus();
  });
  if (status.ok() || status.code() == ErrorCode::kUnavailable) return status;
  return UnavailableError(status.message());
}

}  // namespace keywarden::custody
