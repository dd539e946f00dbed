#include "server/identity/password_hasher.h"

#include <argon2.h>

#include <array>
#include <atomic>
#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/secure_buffer.h"
#include "server/identity/internal/argon2_memory.h"

namespace keywarden::server::identity {
namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kHashSize = 32;
// What a stored string may carry: libargon2's own minimum salt, and no tag short enough to guess.
constexpr std::size_t kMinSaltSize = ARGON2_MIN_SALT_LENGTH;
constexpr std::size_t kMinHashSize = 16;
constexpr std::size_t kMaxFieldSize = 64;
constexpr std::string_view kPrefix = "$argon2id$v=19$";

std::atomic<std::uint64_t> verify_computations{0};

// What a PHC string says, once it is known to be one of ours in form.
struct ParsedPhc {
  PasswordHashParams params;
  SecureBuffer salt;
  SecureBuffer hash;  // the stored tag
};

// "name=<decimal>" with no sign, no leading zero and no overflow, so one value has one spelling.
std::optional<std::uint32_t> ParseField(std::string_view text, std::string_view name) {
  if (text.size() <= name.size() + 1 || text.substr(0, name.size()) != name || text[name.size()] != '=') {
    return std::nullopt;
  }
  text.remove_prefix(name.size() + 1);
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Unpadded standard base64 (the PHC form) decoded, or nullopt when it is not canonical. The bytes
// go to a SecureBuffer, which wipes the stored tag when it is dropped.
std::optional<SecureBuffer> DecodeUnpadded(std::string_view unpadded) {
  if (unpadded.empty() || unpadded.size() % 4 == 1) return std::nullopt;
  std::string padded;
  padded.reserve(unpadded.size() + 3);  // one buffer, so that WipeString reaches every copy
  padded.append(unpadded);
  padded.append((4 - unpadded.size() % 4) % 4, '=');
  auto bytes = Base64DecodeSecret(padded);
  WipeString(padded);
  if (!bytes.ok()) return std::nullopt;
  return *std::move(bytes);
}

// Unpadded standard base64, as libargon2 writes PHC strings.
std::string EncodeUnpadded(std::span<const std::uint8_t> bytes) {
  std::string text = Base64Encode(bytes);
  text.erase(text.find_last_not_of('=') + 1);
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t at = text.find(separator); at != std::string_view::npos; at = text.find(separator)) {
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  return parts;
}

// "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH", strictly: fields in that order, nothing before or after.
Result<ParsedPhc> ParsePhc(std::string_view phc) {
  const Status malformed = InvalidArgumentError("not an argon2id PHC string of version 19");
  if (phc.substr(0, kPrefix.size()) != kPrefix) return malformed;
  const std::vector<std::string_view> parts = Split(phc.substr(kPrefix.size()), '$');  // costs, salt, hash
  if (parts.size() != 3) return malformed;
  const std::vector<std::string_view> costs = Split(parts[0], ',');
  if (costs.size() != 3) return malformed;
  const auto memory = ParseField(costs[0], "m");
  const auto iterations = ParseField(costs[1], "t");
  const auto parallelism = ParseField(costs[2], "p");
  auto salt = DecodeUnpadded(parts[1]);
  auto hash = DecodeUnpadded(parts[2]);
  if (!memory || !iterations || !parallelism || !salt || !hash) return malformed;
  if (salt->size() < kMinSaltSize || salt->size() > kMaxFieldSize || hash->size() < kMinHashSize ||
      hash->size() > kMaxFieldSize) {
    return malformed;
  }
  ParsedPhc parsed;
  parsed.params.memory_kib = *memory;
  parsed.params.iterations = *iterations;
  parsed.params.parallelism = *parallelism;
  parsed.salt = *std::move(salt);
  parsed.hash = *std::move(hash);
  return parsed;
}

Status CheckBound(std::string_view name, std::uint32_t value, std::uint32_t min, std::uint32_t max) {
  if (value >= min && value <= max) return OkStatus();
  return OutOfRangeError("password hash " + std::string(name) + " must be " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not " + std::to_string(value));
}

// The PHC string of `salt` and `hash` at `params`, exactly as libargon2's encoder writes it.
std::string PhcString(const PasswordHashParams& params, std::span<const std::uint8_t> salt,
                      std::span<const std::uint8_t> hash) {
  return std::string(kPrefix) + "m=" + std::to_string(params.memory_kib) + ",t=" + std::to_string(params.iterations) +
         ",p=" + std::to_string(params.parallelism) + "$" + EncodeUnpadded(salt) + "$" + EncodeUnpadded(hash);
}

// A PHC string whose salt and hash are all zero bytes, in the form Hash() writes.
std::string DummyPhc(const PasswordHashParams& params) {
  const std::array<std::uint8_t, kSaltSize> salt{};
  const std::array<std::uint8_t, kHashSize> hash{};
  return PhcString(params, salt, hash);
}

// libargon2 takes a pointer even for an empty secret (and never writes through it: no
// ARGON2_FLAG_CLEAR_PASSWORD).
std::uint8_t* NonNull(std::span<const std::uint8_t> bytes) {
  static std::uint8_t nothing = 0;
  return bytes.empty() ? &nothing : const_cast<std::uint8_t*>(bytes.data());
}

// An Argon2id (version 19) computation of `secret` under `salt` into `out`, with its memory from
// internal/argon2_memory.h, so that it is given back to the system when the computation ends.
argon2_context Argon2idContext(const PasswordHashParams& params, std::span<const std::uint8_t> secret,
                               std::span<const std::uint8_t> salt, std::span<std::uint8_t> out) {
  argon2_context context{};
  context.out = out.data();
  context.outlen = static_cast<std::uint32_t>(out.size());
  context.pwd = NonNull(secret);
  context.pwdlen = static_cast<std::uint32_t>(secret.size());
  context.salt = const_cast<std::uint8_t*>(salt.data());
  context.saltlen = static_cast<std::uint32_t>(salt.size());
  context.t_cost = params.iterations;
  context.m_cost = params.memory_kib;
  context.lanes = params.parallelism;
  context.threads = params.parallelism;
  context.version = ARGON2_VERSION_13;
  context.allocate_cbk = internal::AllocateArgon2Memory;
  context.free_cbk = internal::FreeArgon2Memory;
  context.flags = ARGON2_DEFAULT_FLAGS;
  return context;
}

}  // namespace

Status PasswordHashParams::Check() const {
  KW_RETURN_IF_ERROR(CheckBound("memory (KiB)", memory_kib, 8 * 1024, 4 * 1024 * 1024));
  KW_RETURN_IF_ERROR(CheckBound("iterations", iterations, 1, 20));
  return CheckBound("parallelism", parallelism, 1, 16);
}

PasswordHasher::PasswordHasher(const PasswordHashParams& params)
    : params_(params), params_status_(params.Check()), dummy_phc_(DummyPhc(params)) {}

Result<std::string> PasswordHasher::Hash(std::span<const std::uint8_t> secret) const {
  KW_RETURN_IF_ERROR(params_status_);
  if (secret.size() > ARGON2_MAX_PWD_LENGTH) return InvalidArgumentError("password hash input too long");
  std::array<std::uint8_t, kSaltSize> salt{};
  KW_RETURN_IF_ERROR(RandomBytes(salt));
  SecureBuffer hash(kHashSize);
  // libargon2 wipes its memory blocks before they are freed; the salt is public.
  argon2_context context = Argon2idContext(params_, secret, salt, std::span<std::uint8_t>(hash.data(), hash.size()));
  const int rc = argon2_ctx(&context, Argon2_id);
  if (rc != ARGON2_OK) return InternalError(std::string("Argon2id failed: ") + argon2_error_message(rc));
  return PhcString(params_, salt, hash.span());
}

Result<bool> PasswordHasher::Verify(std::string_view phc, std::span<const std::uint8_t> secret) const {
  KW_ASSIGN_OR_RETURN(const ParsedPhc parsed, ParsePhc(phc));
  KW_RETURN_IF_ERROR(parsed.params.Check());
  if (secret.size() > ARGON2_MAX_PWD_LENGTH) return InvalidArgumentError("password hash input too long");
  verify_computations.fetch_add(1, std::memory_order_relaxed);
  // argon2id_verify_ctx recomputes the tag into `computed` and compares it with the stored one
  // with argon2_compare (constant time, see the header). The recomputed tag is Argon2 of the
  // submitted secret; it lives in a SecureBuffer, wiped when dropped.
  SecureBuffer computed(parsed.hash.size());
  argon2_context context = Argon2idContext(parsed.params, secret, parsed.salt.span(),
                                           std::span<std::uint8_t>(computed.data(), computed.size()));
  const int rc = argon2id_verify_ctx(&context, reinterpret_cast<const char*>(parsed.hash.data()));
  switch (rc) {
    case ARGON2_OK: return true;
    case ARGON2_VERIFY_MISMATCH: return false;
    default: return InternalError(std::string("Argon2id failed: ") + argon2_error_message(rc));
  }
}

Result<bool> PasswordHasher::VerifyAgainstNothing(std::span<const std::uint8_t> secret) const {
  KW_RETURN_IF_ERROR(params_status_);
  KW_ASSIGN_OR_RETURN(const bool matched, Verify(dummy_phc_, secret));
  (void)matched;  // a 256-bit preimage of zero; false whatever it says
  return false;
}

bool PasswordHasher::NeedsRehash(std::string_view phc) const {
  const auto parsed = ParsePhc(phc);
  return !parsed.ok() || parsed->params != params_ || parsed->salt.size() != kSaltSize ||
         parsed->hash.size() != kHashSize;
}

std::uint64_t PasswordHasher::VerifyComputations() { return verify_computations.load(std::memory_order_relaxed); }

}  // namespace keywarden::server::identity
