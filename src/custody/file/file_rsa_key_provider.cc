#include "custody/file/file_rsa_key_provider.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "crypto/openssl_ptr.h"
#include "custody/file/legacy_pkcs12_context.h"
#include "keywarden/crypto/random.h"

namespace keywarden::custody {
namespace {

// No key file comes close; anything larger is not a key and is not read into memory.
constexpr std::size_t kMaxKeyFileBytes = std::size_t{1024} * 1024;
// PBKDF2 (and the PKCS#12 MAC KDF) iterations for new files: OWASP's 2023 figure for
// PBKDF2-HMAC-SHA256. The MAC gets the same count, or it would be the cheaper password check.
constexpr int kKdfIterations = 600000;
constexpr int kSaltBytes = 16;  // random; OpenSSL's default is 8
constexpr char kCertificateName[] = "Keywarden Key Connector";
constexpr long kCertificateValidityDays = 3653;  // ten years, leap days included

// ---- Small OpenSSL ownership helpers. ----

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using Pkcs12Ptr = OpenSslPtr<PKCS12, PKCS12_free>;
using X509SigPtr = OpenSslPtr<X509_SIG, X509_SIG_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;

void FreeCertificates(STACK_OF(X509) * certs) { sk_X509_pop_free(certs, X509_free); }

// Failed OpenSSL calls leave entries on the thread's error queue; our Status replaces them.
Status Fail(Status status) {
  ERR_clear_error();
  return status;
}

std::string ErrnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

// Prefixes a library error with the file it concerns.
Status ForFile(const std::string& path, const Status& status) {
  return Status(status.code(), "key file " + path + ": " + status.message());
}

// The password as OpenSSL's PKCS#12 and PBE calls take it: NUL-terminated, in secure memory.
Result<SecureBuffer> CString(const SecureBuffer& password) {
  if (password.view().find('\0') != std::string_view::npos) {
    return InvalidArgumentError("the key file password contains a NUL byte");
  }
  if (password.size() > INT_MAX - 1) return InvalidArgumentError("the key file password is too long");
  SecureBuffer out(password.size() + 1);
  std::memcpy(out.data(), password.data(), password.size());
  return out;
}

const char* AsChars(const SecureBuffer& c_string) { return reinterpret_cast<const char*>(c_string.data()); }
int CLength(const SecureBuffer& c_string) { return static_cast<int>(c_string.size() - 1); }

// DER of a PKCS#8 structure into secure memory, then through the library's checks (RSA,
// 2048..4096 bits), which is the one way to build an RsaPrivateKey.
Result<RsaPrivateKey> FromPkcs8(const PKCS8_PRIV_KEY_INFO* p8) {
  const int length = i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr);
  if (length <= 0) return Fail(InternalError("cannot encode the private key"));
  SecureBuffer der(static_cast<std::size_t>(length));
  unsigned char* p = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8, &p) != length) return Fail(InternalError("cannot encode the private key"));
  return RsaPrivateKey::FromPkcs8Der(der.span());
}

// ---- Reading. ----

struct KeyFileContents {
  SecureBuffer bytes;
  bool world_readable = false;
  bool group_writable = false;
};

Result<KeyFileContents> ReadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return UnavailableError("cannot read key file " + path + ": " + ErrnoText(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return UnavailableError("cannot read key file " + path + ": " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) return UnavailableError("key file " + path + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxKeyFileBytes) {
    return InvalidArgumentError("key file " + path + " is too large to be a key");
  }
  // Whoever may write the key may substitute their own, and then read every data key wrapped
  // from now on: a file anyone may write is refused. Its group is only warned about: a umask of
  // 002 (user private groups) makes such files, and the group is often the owner alone.
  if ((st.st_mode & S_IWOTH) != 0) {
    return InvalidArgumentError("key file " + path + " is writable by other users; refusing it (chmod o-w)");
  }
  KeyFileContents contents{SecureBuffer(static_cast<std::size_t>(st.st_size)), (st.st_mode & (S_IRGRP | S_IROTH)) != 0,
                           (st.st_mode & S_IWGRP) != 0};
  std::size_t used = 0;
  while (used < contents.bytes.size()) {
    const ssize_t n = ::read(fd, contents.bytes.data() + used, contents.bytes.size() - used);
    if (n == 0) break;  // shrank while we read: parse what is there
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError("cannot read key file " + path + ": " + ErrnoText(errno));
    }
    used += static_cast<std::size_t>(n);
  }
  contents.bytes.Truncate(used);
  if (used == 0) return InvalidArgumentError("key file " + path + " is empty");
  return contents;
}

// One PEM block, decoded into the secure heap.
class PemBlock {
 public:
  PemBlock() = default;
  ~PemBlock() {
    OPENSSL_secure_free(name_);
    OPENSSL_secure_free(header_);
    OPENSSL_secure_clear_free(data_, static_cast<std::size_t>(length_));
  }
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;

  // False at the end of the input (or at a block that does not decode).
  bool Read(BIO* bio) {
    return PEM_read_bio_ex(bio, &name_, &header_, &data_, &length_, PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) == 1;
  }
  std::string_view name() const { return name_; }
  bool has_headers() const { return header_[0] != '\0'; }  // legacy "Proc-Type: 4,ENCRYPTED" keys
  std::span<const std::uint8_t> der() const { return {data_, static_cast<std::size_t>(length_)}; }

 private:
  char* name_ = nullptr;
  char* header_ = nullptr;
  unsigned char* data_ = nullptr;
  long length_ = 0;
};

// A PEM label is quoted in errors only when it looks like one (it comes from the file).
std::string Label(std::string_view name) {
  constexpr std::string_view kLabelChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
  const bool plain = !name.empty() && name.size() <= 40 && name.find_first_not_of(kLabelChars) == name.npos;
  return plain ? "\"" + std::string(name) + "\"" : "unrecognised";
}

Result<RsaPrivateKey> DecryptPkcs8(const std::string& path, std::span<const std::uint8_t> der,
                                   const SecureBuffer* password) {
  if (password == nullptr) return InvalidArgumentError("key file " + path + " is encrypted; a password is required");
  const unsigned char* p = der.data();
  X509SigPtr sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) return Fail(InvalidArgumentError("key file " + path + " holds a malformed encrypted key"));
  KW_ASSIGN_OR_RETURN(SecureBuffer pass, CString(*password));
  Pkcs8Ptr p8(PKCS8_decrypt(sig.get(), AsChars(pass), CLength(pass)));
  if (p8 == nullptr) return Fail(InvalidArgumentError("wrong password for key file " + path));
  auto key = FromPkcs8(p8.get());
  if (!key.ok()) return ForFile(path, key.status());
  return key;
}

// The first private key in a PEM file; certificates and other blocks around it are skipped.
Result<RsaPrivateKey> LoadPem(const std::string& path, const SecureBuffer& bytes, const SecureBuffer* password) {
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (bio == nullptr) return Fail(InternalError("cannot create a memory BIO"));
  std::string first_label;
  for (;;) {
    PemBlock block;
    if (!block.Read(bio.get())) break;
    if (block.name() == "PRIVATE KEY" && !block.has_headers()) {
      auto key = RsaPrivateKey::FromPkcs8Der(block.der());
      if (!key.ok()) return ForFile(path, key.status());
      return key;
    }
    if (block.name() == "ENCRYPTED PRIVATE KEY") return DecryptPkcs8(path, block.der(), password);
    if (first_label.empty()) first_label = Label(block.name());
  }
  ERR_clear_error();
  if (first_label.empty()) return InvalidArgumentError("key file " + path + " holds no readable PEM block");
  return InvalidArgumentError("key file " + path + " holds a PEM " + first_label +
                              " block, not a PKCS#8 private key (convert with openssl pkcs8 -topk8)");
}

// PKCS12_parse's private key as PKCS#8 DER in secure memory, so that no OpenSSL object made
// here outlives the library context it was made in. Empty when the file holds no private key;
// kAuthenticationFailed when PKCS12_parse cannot decrypt it.
Result<std::optional<SecureBuffer>> ParsePkcs12Key(PKCS12* p12, const char* pass) {
  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_chain = nullptr;
  const int parsed = PKCS12_parse(p12, pass, &raw_key, &raw_cert, &raw_chain);
  internal::EvpPkeyPtr key(raw_key);
  X509Ptr cert(raw_cert);
  FreeCertificates(raw_chain);
  if (parsed != 1) return Fail(AuthenticationError("decryption failed"));  // see LoadPkcs12
  if (key == nullptr) return std::optional<SecureBuffer>();
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(key.get()));
  if (p8 == nullptr) return Fail(InvalidArgumentError("the private key cannot be encoded as PKCS#8"));
  const int length = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (length <= 0) return Fail(InternalError("cannot encode the private key"));
  SecureBuffer der(static_cast<std::size_t>(length));
  unsigned char* p = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != length) return Fail(InternalError("cannot encode the private key"));
  return std::optional<SecureBuffer>(std::move(der));
}

Result<RsaPrivateKey> LoadPkcs12(const std::string& path, PKCS12* p12, const SecureBuffer* password) {
  std::optional<SecureBuffer> pass;
  if (password != nullptr) {
    KW_ASSIGN_OR_RETURN(pass, CString(*password));
  }
  // Checking the MAC first tells a wrong password apart from a file OpenSSL cannot decrypt.
  if (PKCS12_mac_present(p12) == 1) {
    // Without a password, both spellings of "none" are tried, as PKCS12_parse does.
    const bool mac_ok = pass.has_value()
                            ? PKCS12_verify_mac(p12, AsChars(*pass), CLength(*pass)) == 1
                            : PKCS12_verify_mac(p12, nullptr, 0) == 1 || PKCS12_verify_mac(p12, "", 0) == 1;
    if (!mac_ok) {
      return Fail(InvalidArgumentError(pass.has_value() ? "wrong password for key file " + path
                                                        : "key file " + path + " needs a password"));
    }
  }
  const char* c_pass = pass.has_value() ? AsChars(*pass) : nullptr;
  auto der = ParsePkcs12Key(p12, c_pass);
  if (!der.ok() && der.status().code() == ErrorCode::kAuthenticationFailed) {
    // OpenSSL 1.1's default ciphers (RC2-40, 3DES): retried with the legacy provider, for this
    // one call; the key leaves that context only as DER.
    auto legacy = LegacyPkcs12Context::Enter();
    if (!legacy.ok()) return ForFile(path, legacy.status());
    der = ParsePkcs12Key(p12, c_pass);
  }
  if (!der.ok()) {
    if (der.status().code() != ErrorCode::kAuthenticationFailed) return ForFile(path, der.status());
    return InvalidArgumentError("cannot decrypt key file " + path +
                                " (wrong password, or a cipher this OpenSSL does not know)");
  }
  if (!der->has_value()) return InvalidArgumentError("key file " + path + " holds no private key");
  auto rsa = RsaPrivateKey::FromPkcs8Der((*der)->span());
  if (!rsa.ok()) return ForFile(path, rsa.status());
  return rsa;
}

struct LoadedKey {
  KeyFileFormat format;
  RsaPrivateKey key;
};

Result<LoadedKey> ParseKeyFile(const std::string& path, const SecureBuffer& bytes, const SecureBuffer* password) {
  if (bytes.view().find("-----BEGIN ") != std::string_view::npos) {
    KW_ASSIGN_OR_RETURN(RsaPrivateKey key, LoadPem(path, bytes, password));
    return LoadedKey{KeyFileFormat::kPemPkcs8, std::move(key)};
  }
  const unsigned char* p = bytes.data();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  if (p12 == nullptr || p != bytes.data() + bytes.size()) {
    return Fail(InvalidArgumentError("key file " + path + " is neither a PEM PKCS#8 key nor a PKCS#12 file"));
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey key, LoadPkcs12(path, p12.get(), password));
  return LoadedKey{KeyFileFormat::kPkcs12, std::move(key)};
}

// ---- Writing. ----

Result<SecureBuffer> DrainBio(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0) return Fail(InternalError("cannot encode the key file"));
  return SecureBuffer::CopyOf(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length)));
}

Result<SecureBuffer> EncodePem(const RsaPrivateKey& key, const SecureBuffer* pass) {
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(key.evp()));
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (p8 == nullptr || bio == nullptr) return Fail(InternalError("cannot encode the private key"));
  if (pass == nullptr) {
    if (PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio.get(), p8.get()) != 1) {
      return Fail(InternalError("cannot encode the private key"));
    }
    return DrainBio(bio.get());
  }
  // PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, with a random salt and IV (null salt = random).
  X509_ALGOR* pbe =
      PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), kKdfIterations, nullptr, kSaltBytes, nullptr, NID_hmacWithSHA256);
  if (pbe == nullptr) return Fail(InternalError("cannot set up PBES2"));
  X509SigPtr sig(PKCS8_set0_pbe(AsChars(*pass), CLength(*pass), p8.get(), pbe));
  if (sig == nullptr) {
    X509_ALGOR_free(pbe);  // only a successful call takes it over
    return Fail(InternalError("cannot encrypt the private key"));
  }
  if (PEM_write_bio_PKCS8(bio.get(), sig.get()) != 1) return Fail(InternalError("cannot encode the private key"));
  return DrainBio(bio.get());
}

// A self-signed certificate for `key`: the reference reads its key file as a certificate.
Result<X509Ptr> SelfSignedCertificate(const RsaPrivateKey& key) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return Fail(InternalError("cannot create a certificate"));
  std::uint8_t serial[16];
  KW_RETURN_IF_ERROR(RandomBytes(serial));
  serial[0] &= 0x7f;  // positive, as RFC 5280 requires
  BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool ok =
      bn != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr &&
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), kCertificateValidityDays, 0, nullptr) != nullptr &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(kCertificateName), -1,
                                 -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.evp()) == 1 &&
      X509_sign(cert.get(), key.evp(), EVP_sha256()) > 0;
  if (!ok) return Fail(InternalError("cannot create a certificate"));
  return cert;
}

Result<SecureBuffer> EncodePkcs12(const RsaPrivateKey& key, const SecureBuffer& pass) {
  KW_ASSIGN_OR_RETURN(X509Ptr cert, SelfSignedCertificate(key));
  // Key and certificate bags under PBES2/AES-256-CBC; the MAC is set separately so that it
  // is HMAC-SHA256 with the same iteration count, whatever this OpenSSL's defaults are.
  Pkcs12Ptr p12(PKCS12_create(AsChars(pass), kCertificateName, key.evp(), cert.get(), nullptr, NID_aes_256_cbc,
                              NID_aes_256_cbc, kKdfIterations, /*mac_iter=*/-1, 0));
  if (p12 == nullptr ||
      PKCS12_set_mac(p12.get(), AsChars(pass), CLength(pass), nullptr, 0, kKdfIterations, EVP_sha256()) != 1) {
    return Fail(InternalError("cannot create the PKCS#12 file"));
  }
  const int length = i2d_PKCS12(p12.get(), nullptr);
  if (length <= 0) return Fail(InternalError("cannot encode the PKCS#12 file"));
  SecureBuffer der(static_cast<std::size_t>(length));
  unsigned char* p = der.data();
  if (i2d_PKCS12(p12.get(), &p) != length) return Fail(InternalError("cannot encode the PKCS#12 file"));
  return der;
}

// Creates `path` (never replacing anything), writes `contents`, and makes it durable.
Status WriteNewFile(const std::string& path, std::span<const std::uint8_t> contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExistsError(path + " exists; refusing to overwrite");
    return UnavailableError("cannot create key file " + path + ": " + ErrnoText(errno));
  }
  int error = 0;
  // The umask can only have removed bits; fchmod states the intended mode outright.
  if (::fchmod(fd, 0600) != 0) error = errno;
  std::size_t written = 0;
  while (error == 0 && written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? errno : EIO;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());  // a half-written key file must not be mistaken for a key
    return UnavailableError("cannot write key file " + path + ": " + ErrnoText(error));
  }
  // Best effort: make the new directory entry durable too. A failure here loses nothing
  // that the caller could act on.
  const std::string::size_type slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return OkStatus();
}

std::string Hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

}  // namespace

std::string_view KeyFileFormatName(KeyFileFormat format) { return format == KeyFileFormat::kPkcs12 ? "pkcs12" : "pem"; }

std::string SpkiFingerprint(const RsaPublicKey& key) {
  const std::vector<std::uint8_t> der = key.ToSpkiDer();
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // SHA-256 of a small buffer fails only when memory runs out (see rsa.cc).
    std::abort();
  }
  return Hex({digest, length});
}

std::string DefaultSigningKeyId(const RsaPublicKey& key) { return SpkiFingerprint(key).substr(0, 16); }

FileRsaKeyProvider::FileRsaKeyProvider(std::string path, KeyFileFormat format, bool world_readable, bool group_writable,
                                       RsaPrivateKey private_key)
    : path_(std::move(path)),
      format_(format),
      world_readable_(world_readable),
      group_writable_(group_writable),
      private_key_(std::move(private_key)),
      public_key_(private_key_.PublicKey()),
      fingerprint_(SpkiFingerprint(public_key_)) {}

Result<RsaKeyFile> ReadRsaKeyFile(const std::string& path, const SecureBuffer* password) {
  KW_ASSIGN_OR_RETURN(KeyFileContents contents, ReadKeyFile(path));
  KW_ASSIGN_OR_RETURN(LoadedKey loaded, ParseKeyFile(path, contents.bytes, password));
  return RsaKeyFile{loaded.format, contents.world_readable, contents.group_writable, std::move(loaded.key)};
}

Result<std::unique_ptr<FileRsaKeyProvider>> FileRsaKeyProvider::Load(const std::string& path,
                                                                     const SecureBuffer* password) {
  KW_ASSIGN_OR_RETURN(RsaKeyFile file, ReadRsaKeyFile(path, password));
  return std::unique_ptr<FileRsaKeyProvider>(
      new FileRsaKeyProvider(path, file.format, file.world_readable, file.group_writable, std::move(file.key)));
}

Result<std::vector<std::uint8_t>> FileRsaKeyProvider::Wrap(std::span<const std::uint8_t> data_key) const {
  return public_key_.EncryptOaepSha1(data_key);
}

Result<SecureBuffer> FileRsaKeyProvider::Unwrap(std::span<const std::uint8_t> wrapped) const {
  return private_key_.DecryptOaep(wrapped, RsaPrivateKey::OaepHash::kSha1);
}

std::vector<std::string> FileRsaKeyProvider::Warnings() const {
  // One sentence: `check` prints a single warning field.
  if (world_readable_ && group_writable_) return {"the key file is readable by other users and writable by its group"};
  if (world_readable_) return {"the key file is readable by other users"};
  if (group_writable_) return {"the key file is writable by its group"};
  return {};
}

Result<std::string> CreateKeyFile(const std::string& path, KeyFileFormat format, const SecureBuffer* password) {
  if (password != nullptr && password->empty()) return InvalidArgumentError("the key file password is empty");
  if (format == KeyFileFormat::kPkcs12 && password == nullptr) {
    return InvalidArgumentError("a PKCS#12 key file needs a password");
  }
  std::optional<SecureBuffer> pass;
  if (password != nullptr) {
    KW_ASSIGN_OR_RETURN(pass, CString(*password));
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey key, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(SecureBuffer contents, format == KeyFileFormat::kPkcs12
                                                 ? EncodePkcs12(key, *pass)
                                                 : EncodePem(key, pass.has_value() ? &*pass : nullptr));
  KW_RETURN_IF_ERROR(WriteNewFile(path, contents.span()));
  return SpkiFingerprint(key.PublicKey());
}

}  // namespace keywarden::custody
