// KdfConfig: how a master key is derived from a master password.
//
// Two validations exist because the two sides differ:
//  - ValidateForServer: the range a server accepts for new settings (formats.md table).
//  - ValidateForClient: the minimum a client derives with at all (older accounts may sit
//    below the server minimum; no client goes below PBKDF2 5,000 or Argon2id 2 / 16 MiB / 1).
// Derivation refuses anything that fails ValidateForClient, and an upper bound on
// memory and work so that hostile settings cannot exhaust the machine.
#ifndef KEYWARDEN_CRYPTO_KDF_H_
#define KEYWARDEN_CRYPTO_KDF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden {

class KdfConfig {
 public:
  enum class Type { kPbkdf2Sha256 = 0, kArgon2id = 1 };

  struct Limits {
    std::uint32_t pbkdf2_min, pbkdf2_max;
    std::uint32_t argon2_iterations_min, argon2_iterations_max;
    std::uint32_t argon2_memory_mib_min, argon2_memory_mib_max;
    std::uint32_t argon2_parallelism_min, argon2_parallelism_max;
  };
  static const Limits kServerLimits;  // 600,000..2,000,000; 2..10; 15..1024; 1..16
  static const Limits kClientLimits;  // 5,000..2,000,000; 2..10; 16..1024; 1..16

  // Defaults: PBKDF2 600,000; Argon2id 6 iterations, 32 MiB, 4 lanes.
  static KdfConfig DefaultPbkdf2();
  static KdfConfig DefaultArgon2id();
  static KdfConfig Pbkdf2(std::uint32_t iterations);
  static KdfConfig Argon2id(std::uint32_t iterations, std::uint32_t memory_mib, std::uint32_t parallelism);

  // "pbkdf2:ITER" or "argon2id:ITER,MIB,PAR" (also "pbkdf2" / "argon2id" for the defaults).
  // Parses syntax only; call a Validate* for ranges.
  static Result<KdfConfig> Parse(std::string_view spec);
  std::string ToString() const;

  Status ValidateForServer() const;
  Status ValidateForClient() const;

  Type type() const { return type_; }
  std::uint32_t iterations() const { return iterations_; }
  std::uint32_t memory_mib() const { return memory_mib_; }    // Argon2id only
  std::uint32_t parallelism() const { return parallelism_; }  // Argon2id only

  bool operator==(const KdfConfig&) const = default;

 private:
  KdfConfig(Type type, std::uint32_t iterations, std::uint32_t memory_mib, std::uint32_t parallelism)
      : type_(type), iterations_(iterations), memory_mib_(memory_mib), parallelism_(parallelism) {}
  Status Validate(const Limits& limits, std::string_view who) const;
  Type type_;
  std::uint32_t iterations_;
  std::uint32_t memory_mib_;
  std::uint32_t parallelism_;
};

// email.trim().toLowerCase() as the clients do it, with Unicode rules: White_Space trimmed,
// full lower-case mapping (ICU, root locale). Input that is not UTF-8 is trimmed and lower-cased
// as ASCII only.
std::string NormalizeEmail(std::string_view email);

// The raw 32-byte KDF output. Fails with kOutOfRange if `kdf` fails ValidateForClient.
// Argon2id lanes run on `parallelism` threads.
Result<SecureBuffer> DeriveKdfOutput(std::string_view password, std::string_view email, const KdfConfig& kdf);

// HKDF-Expand-SHA256 (no Extract step) of `length` bytes, as Bitwarden's stretch uses it.
Result<SecureBuffer> HkdfExpandSha256(std::span<const std::uint8_t> prk, std::string_view info, std::size_t length);

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_KDF_H_
