#include "keywarden/crypto/kdf.h"

#include <argon2.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>
#include <charconv>
#include <climits>
#include <memory>

#include "crypto/internal/pbkdf2.h"

namespace keywarden {

const KdfConfig::Limits KdfConfig::kServerLimits = {600'000, 2'000'000, 2, 10, 15, 1024, 1, 16};
const KdfConfig::Limits KdfConfig::kClientLimits = {5'000, 2'000'000, 2, 10, 16, 1024, 1, 16};

namespace {

constexpr std::size_t kKdfOutputSize = 32;
constexpr std::size_t kSha256Size = 32;

// A plain decimal uint32: digits only, no sign, no leading zero, no overflow.
bool ParseUint32(std::string_view text, std::uint32_t* out) {
  if (text.empty() || text.size() > 10 || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status MalformedSpec(std::string_view spec) {
  // The spec is a setting, never a secret; it is clipped only to keep the message one short line.
  constexpr std::size_t kShown = 64;
  std::string shown(spec.substr(0, kShown));
  if (spec.size() > kShown) shown += "...";
  return InvalidArgumentError("invalid KDF spec \"" + shown +
                              "\": expected pbkdf2[:ITERATIONS] or argon2id[:ITERATIONS,MEMORY_MIB,PARALLELISM]");
}

Status CheckRange(std::string_view who, std::string_view setting, std::uint32_t value, std::uint32_t min,
                  std::uint32_t max) {
  if (value >= min && value <= max) return OkStatus();
  return OutOfRangeError(std::string(setting) + " " + std::to_string(value) + " is outside the " + std::string(who) +
                         " range " + std::to_string(min) + ".." + std::to_string(max));
}

// std::string_view::data() may be null for an empty view; OpenSSL and libargon2 want a pointer.
const std::uint8_t* NonNull(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

Result<SecureBuffer> DeriveArgon2id(std::string_view password, std::string_view email, const KdfConfig& kdf) {
  // Bitwarden hashes the email so that Argon2's salt always has a valid (>= 8 byte) length.
  std::array<std::uint8_t, kSha256Size> salt{};
  const std::string normalized = NormalizeEmail(email);
  if (EVP_Digest(normalized.data(), normalized.size(), salt.data(), nullptr, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return InternalError("SHA-256 failed");
  }
  SecureBuffer out(kKdfOutputSize);
  const auto pwd =
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(password.data()), password.size());
  const int rc = argon2id_hash_raw(kdf.iterations(), kdf.memory_mib() * 1024, kdf.parallelism(), NonNull(pwd),
                                   pwd.size(), salt.data(), salt.size(), out.data(), out.size());
  if (rc != ARGON2_OK) return InternalError(std::string("Argon2id failed: ") + argon2_error_message(rc));
  return out;
}

}  // namespace

namespace internal {

Result<SecureBuffer> Pbkdf2Sha256(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                                  std::uint32_t iterations, std::size_t length) {
  if (password.size() > INT_MAX || salt.size() > INT_MAX || iterations == 0 || iterations > INT_MAX || length == 0 ||
      length > INT_MAX) {
    return InvalidArgumentError("PBKDF2 input out of range");
  }
  SecureBuffer out(length);
  // PKCS5_PBKDF2_HMAC skips the SP 800-132 lower-bound checks, which the password hashes
  // (1 or 2 iterations, salt = password) would fail.
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(NonNull(password)), static_cast<int>(password.size()),
                        NonNull(salt), static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(length), out.data()) != 1) {
    ERR_clear_error();
    return InternalError("PBKDF2 failed");
  }
  return out;
}

}  // namespace internal

KdfConfig KdfConfig::DefaultPbkdf2() { return Pbkdf2(600'000); }
KdfConfig KdfConfig::DefaultArgon2id() { return Argon2id(6, 32, 4); }

KdfConfig KdfConfig::Pbkdf2(std::uint32_t iterations) { return KdfConfig(Type::kPbkdf2Sha256, iterations, 0, 0); }

KdfConfig KdfConfig::Argon2id(std::uint32_t iterations, std::uint32_t memory_mib, std::uint32_t parallelism) {
  return KdfConfig(Type::kArgon2id, iterations, memory_mib, parallelism);
}

Result<KdfConfig> KdfConfig::Parse(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  const bool has_params = colon != std::string_view::npos;
  const std::string_view params = has_params ? spec.substr(colon + 1) : std::string_view();
  if (name == "pbkdf2") {
    if (!has_params) return DefaultPbkdf2();
    std::uint32_t iterations = 0;
    if (!ParseUint32(params, &iterations)) return MalformedSpec(spec);
    return Pbkdf2(iterations);
  }
  if (name == "argon2id") {
    if (!has_params) return DefaultArgon2id();
    std::array<std::uint32_t, 3> values{};
    std::string_view rest = params;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::size_t comma = rest.find(',');
      const bool last = i + 1 == values.size();
      // The last value must end the spec; the others must be followed by a comma.
      if (last != (comma == std::string_view::npos)) return MalformedSpec(spec);
      if (!ParseUint32(rest.substr(0, comma), &values[i])) return MalformedSpec(spec);
      rest = last ? std::string_view() : rest.substr(comma + 1);
    }
    return Argon2id(values[0], values[1], values[2]);
  }
  const bool plain_name =
      !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos;
  if (plain_name) return UnsupportedError("unsupported KDF \"" + std::string(name) + "\": use pbkdf2 or argon2id");
  return MalformedSpec(spec);
}

std::string KdfConfig::ToString() const {
  if (type_ == Type::kPbkdf2Sha256) return "pbkdf2:" + std::to_string(iterations_);
  return "argon2id:" + std::to_string(iterations_) + "," + std::to_string(memory_mib_) + "," +
         std::to_string(parallelism_);
}

Status KdfConfig::Validate(const Limits& limits, std::string_view who) const {
  if (type_ == Type::kPbkdf2Sha256) {
    return CheckRange(who, "PBKDF2 iterations", iterations_, limits.pbkdf2_min, limits.pbkdf2_max);
  }
  KW_RETURN_IF_ERROR(
      CheckRange(who, "Argon2id iterations", iterations_, limits.argon2_iterations_min, limits.argon2_iterations_max));
  KW_RETURN_IF_ERROR(CheckRange(who, "Argon2id memory (MiB)", memory_mib_, limits.argon2_memory_mib_min,
                                limits.argon2_memory_mib_max));
  return CheckRange(who, "Argon2id parallelism", parallelism_, limits.argon2_parallelism_min,
                    limits.argon2_parallelism_max);
}

Status KdfConfig::ValidateForServer() const { return Validate(kServerLimits, "server"); }
Status KdfConfig::ValidateForClient() const { return Validate(kClientLimits, "client"); }

Result<SecureBuffer> DeriveKdfOutput(std::string_view password, std::string_view email, const KdfConfig& kdf) {
  KW_RETURN_IF_ERROR(kdf.ValidateForClient());
  if (kdf.type() == KdfConfig::Type::kArgon2id) return DeriveArgon2id(password, email, kdf);
  const std::string salt = NormalizeEmail(email);
  return internal::Pbkdf2Sha256({reinterpret_cast<const std::uint8_t*>(password.data()), password.size()},
                                {reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size()}, kdf.iterations(),
                                kKdfOutputSize);
}

Result<SecureBuffer> HkdfExpandSha256(std::span<const std::uint8_t> prk, std::string_view info, std::size_t length) {
  constexpr std::size_t kMaxLength = 255 * kSha256Size;  // RFC 5869's limit
  if (length == 0 || length > kMaxLength) {
    return InvalidArgumentError("HKDF-Expand length " + std::to_string(length) + " is outside 1.." +
                                std::to_string(kMaxLength));
  }
  if (prk.empty()) return InvalidArgumentError("HKDF-Expand needs a non-empty PRK");
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), &EVP_KDF_free);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr,
                                                                &EVP_KDF_CTX_free);
  if (ctx == nullptr) {
    ERR_clear_error();
    return InternalError("HKDF is not available");
  }
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[] = "SHA256";
  // OSSL_PARAM takes non-const pointers but only reads input parameters. An empty info is
  // left out: OpenSSL rejects a null octet string.
  std::array<OSSL_PARAM, 5> params = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(prk.data()), prk.size()),
      OSSL_PARAM_construct_end(),
      OSSL_PARAM_construct_end(),
  };
  if (!info.empty()) {
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  }
  SecureBuffer out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) {
    ERR_clear_error();
    return InternalError("HKDF-Expand failed");
  }
  return out;
}

}  // namespace keywarden
