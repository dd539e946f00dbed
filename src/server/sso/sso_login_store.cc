#include "server/sso/sso_login_store.h"

#include <utility>

#include "jose/base64url.h"
#include "server/two_factor/codes.h"

namespace keywarden::server::sso {
namespace {

std::optional<std::string> Key(std::string_view token) {
  auto digest = two_factor::TokenHash(token);
  if (!digest.ok()) return std::nullopt;
  return std::string(digest->begin(), digest->end());
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

template <typename T>
Result<std::string> SsoLoginStore::Add(Table<T>& table, T value, TimePoint expires, TimePoint now) {
  for (auto it = table.begin(); it != table.end();) {
    it = it->second.expires <= now ? table.erase(it) : std::next(it);
  }
  if (table.size() >= options_.max_entries) return UnavailableError("too many single sign-on logins in flight");
  KW_ASSIGN_OR_RETURN(std::string token, two_factor::NewOpaqueToken());
  const auto key = Key(token);
  if (!key) return InternalError("cannot hash a token");
  table.insert_or_assign(*key, Entry<T>{std::move(value), expires});
  return token;
}

template <typename T>
std::optional<T> SsoLoginStore::Take(Table<T>& table, std::string_view token, TimePoint now) {
  const auto key = Key(token);
  if (!key) return std::nullopt;
  auto it = table.find(*key);
  if (it == table.end()) return std::nullopt;
  std::optional<T> value;
  if (it->second.expires > now) value = std::move(it->second.value);
  table.erase(it);
  return value;
}

Result<std::string> SsoLoginStore::IssuePrevalidation(const std::string& organization_id, TimePoint now) {
  MutexLock lock(mu_);
  return Add(prevalidations_, organization_id, now + options_.prevalidation_lifetime, now);
}

template <typename T>
std::optional<T> SsoLoginStore::Find(const Table<T>& table, std::string_view token, TimePoint now) const {
  const auto key = Key(token);
  if (!key) return std::nullopt;
  auto it = table.find(*key);
  if (it == table.end() || it->second.expires <= now) return std::nullopt;
  return it->second.value;
}

std::optional<std::string> SsoLoginStore::PrevalidatedOrganization(std::string_view token, TimePoint now) const {
  MutexLock lock(mu_);
  return Find(prevalidations_, token, now);
}

Result<std::string> SsoLoginStore::BeginLogin(PendingSsoLogin login, TimePoint now) {
  MutexLock lock(mu_);
  return Add(logins_, std::move(login), now + options_.login_lifetime, now);
}

std::optional<PendingSsoLogin> SsoLoginStore::TakeLogin(std::string_view state, TimePoint now) {
  MutexLock lock(mu_);
  return Take(logins_, state, now);
}

Result<std::string> SsoLoginStore::IssueCode(SsoAuthorizationCode code, TimePoint now) {
  MutexLock lock(mu_);
  return Add(codes_, std::move(code), now + options_.code_lifetime, now);
}

std::optional<SsoAuthorizationCode> SsoLoginStore::FindCode(std::string_view code, TimePoint now) const {
  MutexLock lock(mu_);
  return Find(codes_, code, now);
}

std::optional<SsoAuthorizationCode> SsoLoginStore::TakeCode(std::string_view code, TimePoint now) {
  MutexLock lock(mu_);
  return Take(codes_, code, now);
}

Result<std::string> SsoLoginStore::IssueLinkToken(const std::string& user_id, TimePoint now) {
  MutexLock lock(mu_);
  return Add(links_, user_id, now + options_.link_lifetime, now);
}

std::optional<std::string> SsoLoginStore::TakeLinkToken(std::string_view token, TimePoint now) {
  MutexLock lock(mu_);
  return Take(links_, token, now);
}

bool PkceMatches(std::string_view verifier, std::string_view challenge) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (char c : verifier) {
    if (!IsUnreserved(c)) return false;
  }
  const std::string expected = PkceChallenge(verifier);
  return !expected.empty() && two_factor::SameSecretText(expected, challenge);
}

std::string PkceChallenge(std::string_view verifier) {
  auto digest = two_factor::TokenHash(verifier);
  return digest.ok() ? jose::Base64UrlEncode(std::span<const std::uint8_t>(digest->data(), digest->size()))
                     : std::string();
}

}  // namespace keywarden::server::sso
