// PasswordHasher: what the server stores instead of the client's master password hash.
//
// An official client never sends the master password. It sends a hash of it (base64 of 32 bytes,
// PBKDF2 or Argon2id done on the client); that hash is the login credential, so the server must
// not store it as it came. It is hashed again with Argon2id under a fresh random salt and kept as a
// PHC string:
//
//   $argon2id$v=19$m=19456,t=2,p=1$<salt, base64 without padding>$<hash, base64 without padding>
//
// Callers pass the same bytes to Hash and Verify (the bytes of the base64 text as the client sent
// it, or its 32 decoded bytes: either works, as long as every caller picks the same one).
//
// A verification takes tens of milliseconds of CPU and `memory_kib` of memory by design: run it
// under a HashingGate permit (hashing_gate.h), so that a flood of logins cannot occupy every thread.
// That memory is mapped for each computation and given back when it ends (on huge pages, where
// the kernel offers them: internal/argon2_memory.h), so the process does not keep a block per
// thread that once hashed.
#ifndef KEYWARDEN_SERVER_IDENTITY_PASSWORD_HASHER_H_
#define KEYWARDEN_SERVER_IDENTITY_PASSWORD_HASHER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::server::identity {

// Argon2id costs. The defaults are OWASP's minimum recommendation for Argon2id (19 MiB, 2 passes,
// one lane; Password Storage Cheat Sheet): what is hashed is already a slow client-side hash of a
// password, so the server's hash only has to make a stolen database expensive to turn into
// credentials, and it must stay cheap enough to run for every login on a small machine. One lane,
// because parallel lanes would let one login occupy several cores.
struct PasswordHashParams {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;

  // kOutOfRange unless memory is 8 MiB to 4 GiB (8192 to 4194304 KiB), iterations 1 to 20 and
  // parallelism 1 to 16. The message names the setting.
  Status Check() const;

  bool operator==(const PasswordHashParams&) const = default;
};

// Thread-safe: every method is const and keeps no state between calls.
class PasswordHasher {
 public:
  // `params` should pass Check() (configuration loading checks them first). If they do not, the
  // hasher fails closed: Hash and VerifyAgainstNothing answer Check()'s error. Verify does not
  // depend on them: a stored hash carries its own costs.
  explicit PasswordHasher(const PasswordHashParams& params = {});

  const PasswordHashParams& params() const { return params_; }

  // A new PHC string for `secret`: 16-byte random salt, 32-byte hash. kOutOfRange for params that
  // fail Check(); kInternal if the random source or Argon2 fails (out of memory).
  Result<std::string> Hash(std::span<const std::uint8_t> secret) const;

  // True when `secret` matches `phc`, false when it does not. kInvalidArgument when `phc` is not a
  // well-formed argon2id PHC string of version 19 (argon2i, argon2d, bcrypt, ... included); kOutOfRange when
  // its costs are outside PasswordHashParams::Check's bounds (a login must not be made to run a
  // 100 GiB hash); kInternal when Argon2 fails.
  //
  // The stored hash and the recomputed one are compared by libargon2's argon2id_verify_ctx, whose
  // comparison (argon2_compare) ORs the XOR of every byte pair and tests the total once: it reads
  // the whole tag whatever the first differing byte, so its time says nothing about where a guess
  // went wrong.
  Result<bool> Verify(std::string_view phc, std::span<const std::uint8_t> secret) const;

  // For an account that does not exist: runs the same Argon2id computation as Verify on a dummy
  // hash with this hasher's params, and answers false (or kInternal when Argon2 fails). A login
  // for an unknown e-mail then takes as long as one with a wrong password, so response time does
  // not tell whether an account exists.
  Result<bool> VerifyAgainstNothing(std::span<const std::uint8_t> secret) const;

  // True when `phc` should be replaced by Hash() of the same secret after a successful Verify: its
  // costs, version, salt or hash length differ from what this hasher makes, or it cannot be parsed.
  bool NeedsRehash(std::string_view phc) const;

  // Argon2id computations run by Verify and VerifyAgainstNothing in this process, all hashers
  // together (for metrics, and for tests that check that a dummy verification did the work).
  static std::uint64_t VerifyComputations();

 private:
  PasswordHashParams params_;
  Status params_status_;
  // A well-formed PHC string with this hasher's costs and an all-zero salt and hash, which no
  // secret matches (that would take a 256-bit Argon2id preimage): what VerifyAgainstNothing checks
  // against.
  std::string dummy_phc_;
};

}  // namespace keywarden::server::identity

#endif  // KEYWARDEN_SERVER_IDENTITY_PASSWORD_HASHER_H_
