#include "auth/token_verifier.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "crypto/openssl_ptr.h"
#include "telemetry/log.h"

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
  {
    MutexLock lock(refresh_mutex_);
    next_timed_fetch_ = std::chrono::steady_clock::now() + options_.jwks_refresh_interval;
  }
  refresher_ = std::thread([this] { RefreshLoop(); });
}

TokenVerifier::~TokenVerifier() {
  {
    MutexLock lock(refresh_mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  refresher_.join();
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
  const std::shared_ptr<const jose::JwkSet> keys = Snapshot();
  if (keys == nullptr) {
    RequestFetch(now);
    MutexLock lock(state_mutex_);
    return jose::TokenError{jose::TokenFailure::kKeysUnavailable,
                            last_failure_.empty() ? "the JWKS has not been fetched" : last_failure_};
  }
  const auto key = keys->find(jws->kid);
  if (key == keys->end()) {
    // Perhaps a key the identity server has just begun to sign with: 503 (try again) while the
    // fetch that may bring it is pending, rather than a 401 that would log the client out.
    if (RequestFetch(now)) {
      return jose::TokenError{jose::TokenFailure::kKeysUnavailable,
                              "the token's kid is not in the JWKS; the keys are being fetched again"};
    }
    return jose::TokenError{jose::TokenFailure::kUnknownKey, "the token's kid is not in the JWKS"};
  }
  if (std::optional<jose::TokenError> bad = jose::VerifyJwsSignature(*jws, key->second)) {
    // The identity server may have re-issued the key under the same kid.
    if (bad->reason == jose::TokenFailure::kBadSignature) RequestFetch(now);
    return *bad;
  }
  jose::TokenResult<Principal> verified = options_.policy.Check(jws->claims, std::move(jws->kid), now);
  if (cacheable && verified.ok()) Remember(digest, *verified, generation, now);
  return verified;
}

std::shared_ptr<const jose::JwkSet> TokenVerifier::Snapshot() const {
  MutexLock lock(state_mutex_);
  return keys_;
}

bool TokenVerifier::AllowFetchLocked(TimePoint now) {
  if (last_request_) {
    // A clock that jumped back by more than the interval must not block fetches for as long.
    const auto elapsed = now - *last_request_;
    if (elapsed < options_.jwks_refresh_min_interval && elapsed > -options_.jwks_refresh_min_interval) return false;
  }
  last_request_ = now;
  return true;
}

bool TokenVerifier::RequestFetch(TimePoint now) {
  MutexLock lock(refresh_mutex_);
  if (requested_ || fetching_) return true;
  if (!AllowFetchLocked(now)) return false;
  requested_ = true;
  wake_.notify_one();
  return true;
}

Status TokenVerifier::Refresh(TimePoint now) {
  {
    MutexLock lock(refresh_mutex_);
    if (!AllowFetchLocked(now)) return OkStatus();
  }
  return FetchNow();
}

bool TokenVerifier::AwaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(refresh_mutex_);
  while (requested_ || fetching_) {
    if (idle_.wait_until(lock.unique_lock(), deadline) == std::cv_status::timeout) return !requested_ && !fetching_;
  }
  return true;
}

void TokenVerifier::RefreshLoop() {
  MutexLock lock(refresh_mutex_);
  while (!stop_) {
    const bool timed = options_.jwks_refresh_interval.count() > 0;
    if (!requested_ && !(timed && std::chrono::steady_clock::now() >= next_timed_fetch_)) {
      if (timed) {
        wake_.wait_until(lock.unique_lock(), next_timed_fetch_);
      } else {
        wake_.wait(lock.unique_lock());
      }
      continue;
    }
    requested_ = false;
    fetching_ = true;
    lock.Unlock();
    (void)FetchNow();  // its outcome is in the log and in the keys held
    lock.Lock();
    fetching_ = false;
    idle_.notify_all();
  }
}

Status TokenVerifier::FetchNow() {
  Status outcome = OkStatus();
  {
    MutexLock lock(fetch_mutex_);
    outcome = [this]() -> Status {
      Result<std::string> text = UnavailableError("cannot fetch the JWKS");
      try {
        text = fetch_jwks_();
      } catch (const std::exception&) {
        // The fetcher should return a Status; an exception is still no reason to take the process down.
      }
      if (!text.ok()) return UnavailableError("cannot fetch the JWKS: " + text.status().message());
      std::vector<std::string> skipped;
      Result<jose::JwkSet> set = jose::ParseJwks(*text, &skipped);
      if (!set.ok()) return UnavailableError("the JWKS is unusable: " + set.status().message());
      if (!skipped.empty()) {
        std::string line = "identity server keys skipped (the rest are used):";
        for (const std::string& reason : skipped) line += " [" + reason + "]";
        telemetry::LogWarning(line);
      }
      if (set->empty()) return UnavailableError("the JWKS holds no usable signing key");
      auto shared = std::make_shared<const jose::JwkSet>(std::move(*set));
      std::shared_ptr<const jose::JwkSet> old;
      {
        MutexLock state_lock(state_mutex_);
        old = std::exchange(keys_, shared);
        last_failure_.clear();
      }
      // A key retired or replaced: tokens it signed must stop being accepted from the cache too.
      if (old != nullptr && !KeepsAllKeys(*old, *shared)) {
        ClearCache();
        telemetry::LogInfo("identity server keys changed: " + std::to_string(shared->size()) + " held");
      }
      return OkStatus();
    }();
    if (!outcome.ok()) {
      MutexLock state_lock(state_mutex_);
      last_failure_ = outcome.message();
    }
  }
  if (!outcome.ok()) telemetry::LogWarning("identity server keys not refreshed: " + outcome.message());
  {
    // A failed fetch is retried sooner than the timer's usual round.
    MutexLock lock(refresh_mutex_);
    const auto wait = outcome.ok() ? options_.jwks_refresh_interval
                                   : std::min<std::chrono::milliseconds>(options_.jwks_refresh_interval,
                                                                         options_.jwks_refresh_min_interval);
    next_timed_fetch_ = std::chrono::steady_clock::now() + wait;
  }
  wake_.notify_all();
  return outcome;
}

}  // namespace keywarden::auth
