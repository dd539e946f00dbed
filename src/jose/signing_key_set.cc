#include "jose/signing_key_set.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "jose/jwks.h"

namespace keywarden::jose {
namespace {

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// OK when verifiers would take `key`'s JWK under its kid (for keys that will not sign again).
Status CheckPublicJwk(const SigningKey& key) {
  const std::string& kid = key.kid();
  std::vector<std::string> skipped;  // ParseJwks skips a broken key: its reason is the error
  auto keys = ParseJwks(nlohmann::json{{"keys", nlohmann::json::array({key.PublicJwk()})}}.dump(), &skipped);
  if (!keys.ok() || !skipped.empty()) {
    return InvalidArgumentError("the public key of signing key '" + kid +
                                "' is unusable: " + (keys.ok() ? skipped.front() : keys.status().message()));
  }
  if (kid.empty() || !keys->contains(kid)) {
    return InvalidArgumentError("the public key of signing key '" + kid +
                                "' does not publish as a signing key with that kid");
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<SigningKeySet>> SigningKeySet::Create(std::shared_ptr<const SigningKey> current,
                                                             std::chrono::seconds max_token_lifetime) {
  if (current == nullptr) return InvalidArgumentError("a signing key set needs a current key");
  if (max_token_lifetime <= std::chrono::seconds::zero()) {
    return InvalidArgumentError("the maximum token lifetime of a signing key set must be positive");
  }
  KW_RETURN_IF_ERROR(CheckSigningKey(*current));
  return std::unique_ptr<SigningKeySet>(new SigningKeySet(std::move(current), max_token_lifetime));
}

std::shared_ptr<const SigningKey> SigningKeySet::current() const {
  MutexLock lock(mu_);
  return current_;
}

std::shared_ptr<const SigningKey> SigningKeySet::next() const {
  MutexLock lock(mu_);
  return next_;
}

Result<std::string> SigningKeySet::Mint(const nlohmann::json& claims, TimePoint now) const {
  if (!claims.is_object()) return InvalidArgumentError("token claims must be a JSON object");
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) {
    return InvalidArgumentError("a token minted by a signing key set needs an integer exp");
  }
  // An unsigned exp beyond int64 is as much "too late" as any other.
  const bool too_late =
      exp->is_number_unsigned() &&
      exp->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (too_late || exp->get<std::int64_t>() > Seconds(now) + max_token_lifetime_.count()) {
    return InvalidArgumentError("the token's exp is later than now + the signing key set's maximum token lifetime (" +
                                std::to_string(max_token_lifetime_.count()) + " s)");
  }
  std::shared_ptr<const SigningKey> key = current();
  return SignCompactJws(*key, nullptr, claims);
}

std::string SigningKeySet::Publish(TimePoint now) {
  std::vector<std::shared_ptr<const SigningKey>> published;
  std::vector<Retired> dropped;  // destroyed after the lock is released, last
  {
    MutexLock lock(mu_);
    DropExpiredLocked(now, dropped);
    published.push_back(current_);
    if (next_ != nullptr) published.push_back(next_);
    for (const Retired& retired : retired_) published.push_back(retired.key);
  }
  std::vector<const SigningKey*> keys;
  keys.reserve(published.size());
  for (const auto& key : published) keys.push_back(key.get());
  return JwksJsonOf(keys);
}

Status SigningKeySet::SetNext(std::shared_ptr<const SigningKey> next, TimePoint now) {
  if (next == nullptr) return InvalidArgumentError("the next signing key is missing");
  // Before it is published: a key whose tokens would not verify must never be announced.
  KW_RETURN_IF_ERROR(CheckSigningKey(*next));
  // Declared before the lock, so destroyed after it is released.
  std::vector<Retired> dropped;
  std::shared_ptr<const SigningKey> replaced;
  MutexLock lock(mu_);
  DropExpiredLocked(now, dropped);
  KW_RETURN_IF_ERROR(CheckKidIsFree(next->kid(), now, /*except_next=*/true));
  replaced = std::exchange(next_, std::move(next));
  return OkStatus();
}

Status SigningKeySet::Promote(TimePoint now) {
  std::vector<Retired> dropped;
  MutexLock lock(mu_);
  DropExpiredLocked(now, dropped);
  if (next_ == nullptr) return NotFoundError("no next signing key is staged to promote");
  InsertRetiredLocked(Retired{std::move(current_), now + max_token_lifetime_});
  current_ = std::move(next_);
  next_ = nullptr;
  return OkStatus();
}

Status SigningKeySet::Retire(std::shared_ptr<const SigningKey> key, TimePoint until, TimePoint now) {
  if (key == nullptr) return InvalidArgumentError("the retired signing key is missing");
  if (until <= now) {
    return InvalidArgumentError("retired signing key '" + key->kid() + "' would be published until a past instant");
  }
  KW_RETURN_IF_ERROR(CheckPublicJwk(*key));
  std::vector<Retired> dropped;
  MutexLock lock(mu_);
  DropExpiredLocked(now, dropped);
  KW_RETURN_IF_ERROR(CheckKidIsFree(key->kid(), now, /*except_next=*/false));
  InsertRetiredLocked(Retired{std::move(key), until});
  return OkStatus();
}

std::vector<SigningKeySet::PublishedKey> SigningKeySet::Keys(TimePoint now) const {
  MutexLock lock(mu_);
  std::vector<PublishedKey> keys;
  keys.push_back({current_->kid(), PublishedKey::Role::kCurrent, std::nullopt});
  if (next_ != nullptr) keys.push_back({next_->kid(), PublishedKey::Role::kNext, std::nullopt});
  for (const Retired& retired : retired_) {
    if (retired.until > now) keys.push_back({retired.key->kid(), PublishedKey::Role::kRetired, retired.until});
  }
  return keys;
}

Status SigningKeySet::CheckKidIsFree(const std::string& kid, TimePoint now, bool except_next) const {
  bool taken = kid == current_->kid() || (!except_next && next_ != nullptr && kid == next_->kid());
  for (const Retired& retired : retired_) taken = taken || (retired.until > now && kid == retired.key->kid());
  if (taken) return AlreadyExistsError("signing key id '" + kid + "' is already published");
  return OkStatus();
}

void SigningKeySet::InsertRetiredLocked(Retired retired) {
  auto at = retired_.begin();
  while (at != retired_.end() && at->until > retired.until) ++at;
  retired_.insert(at, std::move(retired));
}

void SigningKeySet::DropExpiredLocked(TimePoint now, std::vector<Retired>& dropped) {
  for (auto it = retired_.begin(); it != retired_.end();) {
    if (it->until <= now) {
      dropped.push_back(std::move(*it));
      it = retired_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace keywarden::jose
