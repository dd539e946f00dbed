// TokenVerifier: decides whether an `Authorization` header value is a valid bearer token, and
// for whom.
//
//  - "Bearer <jwt>": scheme case-insensitive, exactly one space, then the token;
//  - the JWS checks of jose/jws.h, with the key named by `kid` from the identity server's JWKS;
//  - then the claims, by the ClaimPolicy the service passed in (auth/claim_policy.h).
// Failures are TokenErrors (jose/jws.h); auth/bearer.h turns them into 401, 403 or 503.
//
// Keys: the JWKS is fetched through a callback (the HTTP client is not this class's concern), and
// never on a request's thread: a thread of this class's own does it, so that an identity server
// that hangs cannot hold up a request, let alone the service. It fetches
//  - every `jwks_refresh_interval`, so that a key the identity server withdraws stops verifying
//    and a key re-issued under the same kid is picked up (a failed fetch is retried sooner, after
//    `jwks_refresh_min_interval`);
//  - when Verify meets a token whose kid is unknown, or whose signature fails under a known kid
//    (the key may have been re-issued); such requests for a fetch are granted at most once per
//    `jwks_refresh_min_interval`, so that a flood of tokens with invented kids cannot turn into a
//    flood of requests to the identity server.
// Verify does not wait for the fetch it asks for. A token whose kid is unknown while a fetch is
// pending is refused as kKeysUnavailable (503: try again), since its key may be on its way; when
// no fetch is pending, as kUnknownKey (401). Until a fetch has succeeded every token is
// kKeysUnavailable (503). A forged-looking signature stays kBadSignature (401). A
// failed fetch, or a JWKS with no usable key, keeps the keys already held; unusable keys in a JWKS
// are skipped (jose/jwks.h) with one warning per fetch.
//
// Refresh() fetches synchronously, for start-up, before the service listens.
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
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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
  // Least time between two fetches that Verify asks for (and that Refresh does).
  std::chrono::seconds jwks_refresh_min_interval{30};
  // Time between two fetches of the refresher thread; zero: only those that Verify asks for.
  std::chrono::milliseconds jwks_refresh_interval = std::chrono::minutes(5);
  // Verified tokens remembered (see above); 0 turns the cache off.
  std::size_t token_cache_capacity = 100'000;
};

// Returns the JWKS document's text (e.g. a GET of jose::OidcDiscovery::jwks_uri). Called on the
// refresher thread or in Refresh, never on Verify's, and never by two threads at once. It should
// have a timeout: the verifier's destruction waits for a fetch in progress.
using JwksFetcher = std::function<Result<std::string>()>;

class TokenVerifier {
 public:
  // Starts the refresher thread; fetches nothing yet (see Refresh).
  TokenVerifier(TokenVerifierOptions options, JwksFetcher fetch_jwks);
  // Stops the refresher thread, after the fetch it may be running.
  ~TokenVerifier();

  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  // `authorization_header_value` is the header's value; pass "" when the header is absent (kMissing).
  // `now` is the wall-clock time, also used to pace the fetches it asks for. Never waits for a fetch.
  jose::TokenResult<Principal> Verify(std::string_view authorization_header_value, TimePoint now);

  // Fetches the JWKS now, on the calling thread, if `jwks_refresh_min_interval` allows it (e.g. at
  // start-up, to fail early). kUnavailable if the fetch failed or the document holds no usable key;
  // OK if the interval did not allow a fetch.
  Status Refresh(TimePoint now);

  // Waits until no fetch is asked for or running (the timer's next one aside), at most `timeout`.
  // True if so. For tests, and for tools that want the outcome of what Verify asked for.
  bool AwaitIdle(std::chrono::milliseconds timeout);

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

  std::shared_ptr<const jose::JwkSet> Snapshot() const;
  // Asks the refresher thread for a fetch if `jwks_refresh_min_interval` allows. True when a fetch
  // is now asked for or running (this call's or an earlier one's).
  bool RequestFetch(TimePoint now) KW_EXCLUDES(refresh_mutex_);
  // True (and the time noted) when a fetch asked for at `now` is allowed.
  bool AllowFetchLocked(TimePoint now) KW_REQUIRES(refresh_mutex_);
  // Fetches, parses and installs the JWKS; the keys held stay when it fails. Then sets the
  // refresher's next deadline.
  Status FetchNow() KW_EXCLUDES(fetch_mutex_, refresh_mutex_);
  void RefreshLoop() KW_EXCLUDES(refresh_mutex_);

  const TokenVerifierOptions options_;
  const JwksFetcher fetch_jwks_;

  Mutex fetch_mutex_ KW_ACQUIRED_BEFORE(state_mutex_, refresh_mutex_);  // one fetch at a time

  mutable Mutex state_mutex_;
  std::shared_ptr<const jose::JwkSet> keys_ KW_GUARDED_BY(state_mutex_);  // null until a fetch succeeds
  std::string last_failure_ KW_GUARDED_BY(state_mutex_);                  // why the last fetch failed, or ""

  // The refresher thread's orders.
  Mutex refresh_mutex_;
  std::condition_variable wake_;  // the refresher: a fetch asked for, a new deadline, or stop
  std::condition_variable idle_;  // AwaitIdle: a fetch done
  bool stop_ KW_GUARDED_BY(refresh_mutex_) = false;
  bool requested_ KW_GUARDED_BY(refresh_mutex_) = false;                 // a fetch is asked for
  bool fetching_ KW_GUARDED_BY(refresh_mutex_) = false;                  // the refresher is fetching
  std::optional<TimePoint> last_request_ KW_GUARDED_BY(refresh_mutex_);  // last one granted, Verify's clock
  std::chrono::steady_clock::time_point next_timed_fetch_ KW_GUARDED_BY(refresh_mutex_);

  // Bumped (after the new keys are installed, before the shards are emptied) whenever the cache
  // is dropped; a verification that started under an older generation does not fill the cache.
  std::atomic<std::uint64_t> cache_generation_{0};
  std::size_t cache_shards_ = 1;    // in use: at most kCacheShards and at most the capacity
  std::size_t shard_capacity_ = 0;  // cache_shards_ * shard_capacity_ <= token_cache_capacity
  std::array<CacheShard, kCacheShards> cache_;

  std::thread refresher_;  // last: it starts once everything above is ready
};

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_TOKEN_VERIFIER_H_
