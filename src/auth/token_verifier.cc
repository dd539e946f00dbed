#include "auth/token_verifier.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <utility>

#include "base/ascii.h"
#include "crypto/openssl_ptr.h"

namespace keywarden::auth {
namespace {

constexpr std::string_view kScheme = "bearer";
// SHA-256 of a token, the cache's key. The digest is fetched once, and each thread keeps one
// context, so that hashing a token neither looks the algorithm up nor allocates.
bool Sha256(std::string_view data, std::array<std::uint8_t, 32>* out) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);  // never freed, like OpenSSL's own
  thread_local const EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned int length = 0;
  return md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out->data(), &length) == 1 && length == out->size();
}

// True when a refetched set still holds every key of `old` unchanged, so that tokens verified
// with `old` would verify the same way now.
bool KeepsAllKeys(const jose::JwkSet& old, const jose::JwkSet& fresh) {
  return std::all_of(old.begin(), old.end(), [&fresh](const auto& entry) {
    auto it = fresh.find(entry.first);
    return it != fresh.end() && it->second.type == entry.second.type && it->second.alg == entry.second.alg &&
           EVP_PKEY_eq(it->second.key.get(), entry.second.key.get()) == 1;
  });
}

}  // namespace

TokenVerifier::TokenVerifier(TokenVerifierOptions options, JwksFetcher fetch_jwks)
    : options_(std::move(options)), fetch_jwks_(std::move(fetch_jwks)) {
  cache_shards_ = std::clamp<std::size_t>(options_.token_cache_capacity, 1, kCacheShards);
  shard_capacity_ = options_.token_cache_capacity / cache_shards_;
}

std::size_t TokenVerifier::DigestHash::operator()(const TokenDigest& digest) const noexcept {
  std::size_t hash = 0;
  std::memcpy(&hash, digest.data(), sizeof(hash));
  return hash;
}

std::optional<jose::TokenResult<Principal>> TokenVerifier::Cached(const TokenDigest& digest, TimePoint now) {
  CacheShard& shard = ShardFor(digest);
  MutexLock lock(shard.mu);
  auto it = shard.entries.find(digest);
  if (it == shard.entries.end()) return std::nullopt;
  if (now >= it->second.expires_at + options_.policy.clock_skew) {
    shard.entries.erase(it);
    return jose::TokenError{jose::TokenFailure::kExpired, "the token has expired"};
  }
  return jose::TokenResult<Principal>(it->second);
}

void TokenVerifier::Remember(const TokenDigest& digest, const Principal& token, std::uint64_t generation,
                             TimePoint now) {
  CacheShard& shard = ShardFor(digest);
  MutexLock lock(shard.mu);
  // Checked under the shard's lock: ClearCache bumps the generation before emptying the shards,
  // so an entry verified with retired keys is either refused here or removed by the clearing.
  if (generation != cache_generation_.load()) return;
  if (shard.entries.size() >= shard_capacity_ && shard.entries.find(digest) == shard.entries.end()) {
    std::erase_if(shard.entries,
                  [&](const auto& entry) { return now >= entry.second.expires_at + options_.policy.clock_skew; });
    // Too few expired ones to make room for long: drop the lot (cheaper than tracking age, and each
    // full scan then frees at least a quarter of the shard, so inserting stays O(1) amortised).
    if (shard.entries.size() >= shard_capacity_ - shard_capacity_ / 4) shard.entries.clear();
  }
  shard.entries.insert_or_assign(digest, token);
}

void TokenVerifier::ClearCache() {
  cache_generation_.fetch_add(1);
  for (CacheShard& shard : cache_) {
    MutexLock lock(shard.mu);
    shard.entries.clear();
  }
}

std::size_t TokenVerifier::CachedTokenCount() const {
  std::size_t count = 0;
  for (const CacheShard& shard : cache_) {
    MutexLock lock(shard.mu);
    count += shard.entries.size();
  }
  return count;
}

jose::TokenResult<Principal> TokenVerifier::Verify(std::string_view authorization_header_value, TimePoint now) {
  const std::string_view value = authorization_header_value;
  if (value.empty()) return jose::TokenError{jose::TokenFailure::kMissing, "no bearer token"};
  if (value.size() > options_.max_token_bytes + kScheme.size() + 1) {
    return jose::TokenError{jose::TokenFailure::kTooLarge, "the token is too large"};
  }
  const std::size_t space = value.find(' ');
  if (!EqualsIgnoreAsciiCase(value.substr(0, space), kScheme)) {
    return jose::TokenError{jose::TokenFailure::kWrongScheme, "the Authorization scheme is not Bearer"};
  }
  const std::string_view token = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
  if (token.empty()) return jose::TokenError{jose::TokenFailure::kMalformed, "the bearer token is empty"};

  TokenDigest digest{};
  const bool cacheable = shard_capacity_ > 0 && token.size() <= options_.max_token_bytes && Sha256(token, &digest);
  if (cacheable) {
    if (std::optional<jose::TokenResult<Principal>> hit = Cached(digest, now)) return std::move(*hit);
  }
  // Read before the keys are: see Remember.
  const std::uint64_t generation = cache_generation_.load();

  jose::TokenResult<jose::ParsedJws> jws = jose::ParseJws(token, options_.max_token_bytes);
  if (!jws.ok()) return jws.error();
  jose::TokenResult<std::shared_ptr<const jose::JwkSet>> keys = KeysWith(jws->kid, now);
  if (!keys.ok()) return keys.error();
  const jose::JwkKey& key = (*keys)->find(jws->kid)->second;
  if (std::optional<jose::TokenError> bad = jose::VerifyJwsSignature(*jws, key)) return *bad;
  jose::TokenResult<Principal> verified = options_.policy.Check(jws->claims, std::move(jws->kid), now);
  if (cacheable && verified.ok()) Remember(digest, *verified, generation, now);
  return verified;
}

std::shared_ptr<const jose::JwkSet> TokenVerifier::Snapshot() const {
  MutexLock lock(state_mutex_);
  return keys_;
}

jose::TokenResult<std::shared_ptr<const jose::JwkSet>> TokenVerifier::KeysWith(std::string_view kid, TimePoint now) {
  const auto has_kid = [kid](const std::shared_ptr<const jose::JwkSet>& set) {
    return set != nullptr && set->find(kid) != set->end();
  };
  std::shared_ptr<const jose::JwkSet> keys = Snapshot();
  if (has_kid(keys)) return keys;

  // Slow path. Whoever waited here while another thread fetched sees the new set below and, the
  // interval not having passed, does not fetch again.
  MutexLock lock(fetch_mutex_);
  keys = Snapshot();
  if (has_kid(keys)) return keys;
  const std::optional<Status> fetched = FetchLocked(now);
  if (fetched && !fetched->ok()) return jose::TokenError{jose::TokenFailure::kKeysUnavailable, fetched->message()};
  keys = Snapshot();
  if (keys == nullptr) {
    return jose::TokenError{jose::TokenFailure::kKeysUnavailable,
                            last_fetch_status_.ok() ? "the JWKS has not been fetched" : last_fetch_status_.message()};
  }
  if (!has_kid(keys)) return jose::TokenError{jose::TokenFailure::kUnknownKey, "the token's kid is not in the JWKS"};
  return keys;
}

Status TokenVerifier::Refresh(TimePoint now) {
  MutexLock lock(fetch_mutex_);
  return FetchLocked(now).value_or(OkStatus());
}

std::optional<Status> TokenVerifier::FetchLocked(TimePoint now) {
  if (last_fetch_) {
    // A clock that jumped back by more than the interval must not block refetches for as long.
    const auto elapsed = now - *last_fetch_;
    if (elapsed < options_.jwks_refresh_min_interval && elapsed > -options_.jwks_refresh_min_interval) {
      return std::nullopt;
    }
  }
  last_fetch_ = now;
  Result<std::string> text = UnavailableError("cannot fetch the JWKS");
  try {
    text = fetch_jwks_();
  } catch (const std::exception&) {
    // The fetcher should return a Status; an exception is still no reason to take the process down.
  }
  if (!text.ok()) {
    last_fetch_status_ = UnavailableError("cannot fetch the JWKS: " + text.status().message());
    return last_fetch_status_;
  }
  Result<jose::JwkSet> set = jose::ParseJwks(*text);
  if (!set.ok()) {
    last_fetch_status_ = UnavailableError("the JWKS is unusable: " + set.status().message());
    return last_fetch_status_;
  }
  auto shared = std::make_shared<const jose::JwkSet>(std::move(*set));
  std::shared_ptr<const jose::JwkSet> old;
  {
    MutexLock state_lock(state_mutex_);
    old = std::exchange(keys_, shared);
  }
  // A key retired or replaced: tokens it signed must stop being accepted from the cache too.
  if (old != nullptr && !KeepsAllKeys(*old, *shared)) ClearCache();
  last_fetch_status_ = OkStatus();
  return last_fetch_status_;
}

}  // namespace keywarden::auth
