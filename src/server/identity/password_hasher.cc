#include "server/identity/password_hasher.h"

#include <argon2.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/secure_buffer.h"

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
  std::size_t salt_size = 0;
  std::size_t hash_size = 0;
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

// Decoded size of unpadded standard base64 (the PHC form), or nullopt when it is not canonical.
// The bytes go to a SecureBuffer, which wipes the stored tag when it is dropped.
std::optional<std::size_t> DecodedSize(std::string_view unpadded) {
  if (unpadded.empty() || unpadded.size() % 4 == 1) return std::nullopt;
  std::string padded;
  padded.reserve(unpadded.size() + 3);  // one buffer, so that WipeString reaches every copy
  padded.append(unpadded);
  padded.append((4 - unpadded.size() % 4) % 4, '=');
  auto bytes = Base64DecodeSecret(padded);
  WipeString(padded);
  if (!bytes.ok()) return std::nullopt;
  return bytes->size();
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
  const auto salt_size = DecodedSize(parts[1]);
  const auto hash_size = DecodedSize(parts[2]);
  if (!memory || !iterations || !parallelism || !salt_size || !hash_size) return malformed;
  if (*salt_size < kMinSaltSize || *salt_size > kMaxFieldSize || *hash_size < kMinHashSize ||
      *hash_size > kMaxFieldSize) {
    return malformed;
  }
  ParsedPhc parsed;
  parsed.params.memory_kib = *memory;
  parsed.params.iterations = *iterations;
  parsed.params.parallelism = *parallelism;
  parsed.salt_size = *salt_size;
  parsed.hash_size = *hash_size;
  return parsed;
}

Status CheckBound(std::string_view name, std::uint32_t value, std::uint32_t min, std::uint32_t max) {
  if (value >= min && value <= max) return OkStatus();
  return OutOfRangeError("password hash " + std::string(name) + " must be " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not " + std::to_string(value));
}

// A PHC string whose salt and hash are all zero bytes, in the form Hash() writes.
std::string DummyPhc(const PasswordHashParams& params) {
  const std::array<std::uint8_t, kSaltSize> salt{};
  const std::array<std::uint8_t, kHashSize> hash{};
  auto unpadded = [](std::string text) {
    text.erase(text.find_last_not_of('=') + 1);
    return text;
  };
  return std::string(kPrefix) + "m=" + std::to_string(params.memory_kib) + ",t=" + std::to_string(params.iterations) +
         ",p=" + std::to_string(params.parallelism) + "$" + unpadded(Base64Encode(salt)) + "$" +
         unpadded(Base64Encode(hash));
}

// libargon2 takes a pointer even for an empty secret.
const void* NonNull(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kNothing = 0;
  return bytes.empty() ? &kNothing : bytes.data();
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
  std::string encoded(
      argon2_encodedlen(params_.iterations, params_.memory_kib, params_.parallelism, kSaltSize, kHashSize, Argon2_id),
      '\0');
  // libargon2 wipes its memory blocks and the raw tag before returning; the salt is public.
  const int rc =
      argon2id_hash_encoded(params_.iterations, params_.memory_kib, params_.parallelism, NonNull(secret), secret.size(),
                            salt.data(), salt.size(), kHashSize, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    WipeString(encoded);
    return InternalError(std::string("Argon2id failed: ") + argon2_error_message(rc));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

Result<bool> PasswordHasher::Verify(std::string_view phc, std::span<const std::uint8_t> secret) const {
  KW_ASSIGN_OR_RETURN(const ParsedPhc parsed, ParsePhc(phc));
  KW_RETURN_IF_ERROR(parsed.params.Check());
  if (secret.size() > ARGON2_MAX_PWD_LENGTH) return InvalidArgumentError("password hash input too long");
  // libargon2 wants a C string; this copy holds the stored tag, so it lives in a SecureBuffer.
  SecureBuffer terminated(phc.size() + 1);
  std::memcpy(terminated.data(), phc.data(), phc.size());
  verify_computations.fetch_add(1, std::memory_order_relaxed);
  // argon2id_verify recomputes the tag and compares it with argon2_compare (constant time, see the
  // header). It wipes its memory blocks; the recomputed 32-byte tag it frees unwiped is Argon2 of
  // the submitted secret, which tells a reader of freed memory less than the request buffer that
  // held the secret itself.
  const int rc = argon2id_verify(reinterpret_cast<const char*>(terminated.data()), NonNull(secret), secret.size());
  switch (rc) {
    case ARGON2_OK: return true;
    case ARGON2_VERIFY_MISMATCH: return false;
    case ARGON2_DECODING_FAIL:
    case ARGON2_DECODING_LENGTH_FAIL: return InvalidArgumentError("not an argon2id PHC string of version 19");
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
  return !parsed.ok() || parsed->params != params_ || parsed->salt_size != kSaltSize || parsed->hash_size != kHashSize;
}

std::uint64_t PasswordHasher::VerifyComputations() { return verify_computations.load(std::memory_order_relaxed); }

}  // namespace keywarden::server::identity
