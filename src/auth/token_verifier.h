// TokenVerifier: decides whether an `Authorization` header value is a valid bearer token, and
// for whom.
//
//  - "Bearer <jwt>": scheme case-insensitive, exactly one space, then the token;
//  - the JWS checks of jose/jws.h, with the key named by `kid` from the identity server's JWKS;
//  - then the claims, by the ClaimPolicy the service passed in (auth/claim_policy.h).
// Failures are TokenErrors (jose/jws.h); auth/bearer.h turns them into 401, 403 or 503.
//
// Keys: the JWKS is fetched through a callback (the HTTP client is not this class's concern) on
// first use, and again when a token names an unknown kid, which covers key rotation. Refetches
// happen at most once per `jwks_refresh_min_interval`, so a flood of tokens with invented kids
// cannot turn into a flood of requests to the identity server; concurrent callers that miss at
// the same moment share one fetch. A failed fetch keeps the keys already held.
//
// Verified tokens are cached, so that a client reusing its token (the common case: one token per
// session) costs a hash instead of a signature check and two JSON parses. The key is SHA-256 of the
// token's bytes, never the token itself; the value is the Principal. A hit re-checks only `exp`
// (with the skew) against `now`; everything else about the token was decided by its bytes and the
// key that signed it. Failures are never cached. The cache is bounded (`token_cache_capacity`,
// spread over shards that each have their own lock; a full shard drops its expired entries, and
// if that frees less than a quarter of it, all of them), an expired entry is removed when it is next looked up or
// when its shard fills, and a JWKS refetch that retires or replaces a key empties the cache.
//
// Thread-safe: Verify may be called from any number of threads at once.
#ifndef KEYWARDEN_AUTH_TOKEN_VERIFIER_H_
#define KEYWARDEN_AUTH_TOKEN_VERIFIER_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/claim_policy.h"
#include "auth/principal.h"
#include "base/mutex.h"
#include "base/time.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "keywarden/status.h"

namespace keywarden::auth {

struct TokenVerifierOptions {
  ClaimPolicy policy;  // what the claims must say; policy.issuer from jose::OidcDiscovery::issuer
  std::size_t max_token_bytes = jose::kDefaultMaxTokenBytes;
  std::chrono::seconds jwks_refresh_min_interval{30};
  // Verified tokens remembered (see above); 0 turns the cache off.
  std::size_t token_cache_capacity = 100'000;
};

// Returns the JWKS document's text (e.g. a GET of jose::OidcDiscovery::jwks_uri). Called without any
// lock that Verify's fast path needs, but never by two threads at once.
using JwksFetcher = std::function<Result<std::string>()>;

class TokenVerifier {
 public:
  TokenVerifier(TokenVerifierOptions options, JwksFetcher fetch_jwks);

  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  // `authorization_header_value` is the header's value; pass "" when the header is absent (kMissing).
  // `now` is the wall-clock time, also used to pace JWKS refetches.
  jose::TokenResult<Principal> Verify(std::string_view authorization_header_value, TimePoint now);

  // Fetches the JWKS now if the refresh interval allows it (e.g. at start-up, to fail early).
  // kUnavailable if the fetch or the document failed; OK if the interval did not allow a fetch.
  Status Refresh(TimePoint now);

  // Tokens in the cache now (for tests and metrics).
  std::size_t CachedTokenCount() const;

 private:
  using TokenDigest = std::array<std::uint8_t, 32>;  // SHA-256 of a token
  struct DigestHash {
    std::size_t operator()(const TokenDigest& digest) const noexcept;
  };
  static constexpr std::size_t kCacheShards = 16;
  struct CacheShard {
    mutable Mutex mu;
    std::unordered_map<TokenDigest, Principal, DigestHash> entries KW_GUARDED_BY(mu);
  };

  CacheShard& ShardFor(const TokenDigest& digest) { return cache_[digest[31] % cache_shards_]; }
  std::optional<jose::TokenResult<Principal>> Cached(const TokenDigest& digest, TimePoint now);
  void Remember(const TokenDigest& digest, const Principal& token, std::uint64_t generation, TimePoint now);
  void ClearCache();

  // The key for `kid`, fetching the JWKS if it is unknown and the interval allows.
  jose::TokenResult<std::shared_ptr<const jose::JwkSet>> KeysWith(std::string_view kid, TimePoint now);
  std::shared_ptr<const jose::JwkSet> Snapshot() const;
  // Fetches, parses and installs the JWKS if the interval allows. Returns nullopt when no fetch
  // was allowed.
  std::optional<Status> FetchLocked(TimePoint now) KW_REQUIRES(fetch_mutex_);

  const TokenVerifierOptions options_;
  const JwksFetcher fetch_jwks_;

  Mutex fetch_mutex_ KW_ACQUIRED_BEFORE(state_mutex_);  // one fetch at a time
  std::optional<TimePoint> last_fetch_ KW_GUARDED_BY(fetch_mutex_);
  Status last_fetch_status_ KW_GUARDED_BY(fetch_mutex_);

  mutable Mutex state_mutex_;
  std::shared_ptr<const jose::JwkSet> keys_ KW_GUARDED_BY(state_mutex_);  // null until a fetch succeeds

  // Bumped (after the new keys are installed, before the shards are emptied) whenever the cache
  // is dropped; a verification that started under an older generation does not fill the cache.
  std::atomic<std::uint64_t> cache_generation_{0};
  std::size_t cache_shards_ = 1;    // in use: at most kCacheShards and at most the capacity
  std::size_t shard_capacity_ = 0;  // cache_shards_ * shard_capacity_ <= token_cache_capacity
  std::array<CacheShard, kCacheShards> cache_;
};

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_TOKEN_VERIFIER_H_
