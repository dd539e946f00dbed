// SigningKeySet: the keys an identity provider signs its tokens with and publishes, for rollover.
//
// One key is current: it signs every token. The JWKS (Publish) holds, in this order:
//  - the current key;
//  - the next key, if one is staged (SetNext): published before it signs a single token, so that
//    verifiers that cache the JWKS have learnt it by the time it does;
//  - retired keys, each until the instant the last token it signed expires; after that instant a
//    retired key drops out of the JWKS and the set lets go of it.
// Promote makes the next key current and retires the old current key until
// `now + max_token_lifetime`. Mint refuses a token whose `exp` is later than
// `now + max_token_lifetime`, which is what makes that retirement long enough.
//
// A rollover: SetNext(new key) at T; Promote at T + (at least the verifiers' JWKS cache time), and
// from then on the new key signs; the old key is published until the promotion plus
// max_token_lifetime, then gone. Every kid in the set is distinct (a JWKS that repeats a kid is
// refused whole by verifiers, jose/jwks.h), and a key is checked (CheckSigningKey) before it is
// published.
//
// Time is passed in (`now`), never read here, so tests control it; callers should pass a clock
// that does not go backwards. Keys are not persisted: a service that restarts during a
// retirement passes its retired keys back in with Retire.
//
// Thread-safe; readers are many and rotations rare. Mint and Publish hold the lock only to copy
// the keys' pointers, then sign or serialise without it (a token being signed by a key that is
// retired meanwhile is still covered by that key's retirement); SetNext and Retire check their key
// before taking the lock. A key that drops out is destroyed outside the lock.
#ifndef KEYWARDEN_JOSE_SIGNING_KEY_SET_H_
#define KEYWARDEN_JOSE_SIGNING_KEY_SET_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/time.h"
#include "jose/signing_key.h"
#include "keywarden/status.h"

namespace keywarden::jose {

class SigningKeySet {
 public:
  // `current` signs from now on. `max_token_lifetime` is the longest lifetime of a token this set
  // mints plus the clock skew its verifiers allow: the time a retired key stays published.
  // Errors: kInvalidArgument for a null key or a lifetime that is not positive; CheckSigningKey's
  // errors for a key that does not work.
  static Result<std::unique_ptr<SigningKeySet>> Create(std::shared_ptr<const SigningKey> current,
                                                       std::chrono::seconds max_token_lifetime);

  SigningKeySet(const SigningKeySet&) = delete;
  SigningKeySet& operator=(const SigningKeySet&) = delete;

  // The key that signs now; never null.
  std::shared_ptr<const SigningKey> current() const KW_EXCLUDES(mu_);
  // The key that signs after the next Promote; null when none is staged.
  std::shared_ptr<const SigningKey> next() const KW_EXCLUDES(mu_);
  std::chrono::seconds max_token_lifetime() const { return max_token_lifetime_; }

  // A compact JWS of `claims` by the current key, header {"alg", "typ": "JWT", "kid"}.
  // kInvalidArgument unless `claims` is an object whose "exp" is an integer no later than
  // now + max_token_lifetime (seconds since the epoch); otherwise the key's errors (Sign).
  Result<std::string> Mint(const nlohmann::json& claims, TimePoint now) const KW_EXCLUDES(mu_);

  // The JWKS document: {"keys": [current, next if any, retired keys published at `now`]}. Drops
  // retired keys whose time has come (until <= now) for good.
  std::string Publish(TimePoint now) KW_EXCLUDES(mu_);

  // Stages `next`, replacing a next key staged before (which never signed, so nothing depends on
  // it). Errors: kInvalidArgument for a null key; kAlreadyExists when its kid is the current key's
  // or a retired key's still published at `now`; CheckSigningKey's errors.
  Status SetNext(std::shared_ptr<const SigningKey> next, TimePoint now) KW_EXCLUDES(mu_);

  // Makes the next key current, and retires the current one until now + max_token_lifetime.
  // kNotFound when no next key is staged (nothing changes).
  Status Promote(TimePoint now) KW_EXCLUDES(mu_);

  // Publishes `key`, which signed tokens before this set existed (e.g. before a restart), as a
  // retired key until `until`. Errors: kInvalidArgument for a null key, an `until` not after
  // `now`, or a JWK verifiers would refuse; kAlreadyExists for a kid already in the set.
  Status Retire(std::shared_ptr<const SigningKey> key, TimePoint until, TimePoint now) KW_EXCLUDES(mu_);

  // What the set publishes at `now`, for logs and administration.
  struct PublishedKey {
    enum class Role { kCurrent, kNext, kRetired };
    std::string kid;
    Role role;
    std::optional<TimePoint> until;  // retired keys: when they drop out
  };
  std::vector<PublishedKey> Keys(TimePoint now) const KW_EXCLUDES(mu_);

 private:
  struct Retired {
    std::shared_ptr<const SigningKey> key;
    TimePoint until;
  };

  SigningKeySet(std::shared_ptr<const SigningKey> current, std::chrono::seconds max_token_lifetime)
      : max_token_lifetime_(max_token_lifetime), current_(std::move(current)) {}

  // kAlreadyExists when `kid` is the current key's, or a retired key's published at `now`
  // (`except_next`: the next key is not counted, as SetNext replaces it).
  Status CheckKidIsFree(const std::string& kid, TimePoint now, bool except_next) const KW_REQUIRES(mu_);
  // Adds `retired` to retired_, which stays ordered by `until`, latest first.
  void InsertRetiredLocked(Retired retired) KW_REQUIRES(mu_);
  // Moves the retired keys that are no longer published at `now` to `dropped`, so that the caller
  // destroys them after releasing the lock.
  void DropExpiredLocked(TimePoint now, std::vector<Retired>& dropped) KW_REQUIRES(mu_);

  const std::chrono::seconds max_token_lifetime_;
  mutable Mutex mu_;
  std::shared_ptr<const SigningKey> current_ KW_GUARDED_BY(mu_);
  std::shared_ptr<const SigningKey> next_ KW_GUARDED_BY(mu_);
  std::vector<Retired> retired_ KW_GUARDED_BY(mu_);  // latest `until` first
};

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_SIGNING_KEY_SET_H_
