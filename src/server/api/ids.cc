#include "server/api/ids.h"

#include "auth/user_id.h"

namespace keywarden::server::api {

std::optional<std::string> ParseGuid(std::string_view text) {
  auto canonical = auth::CanonicalUserId(text);
  if (!canonical.ok()) return std::nullopt;
  return *std::move(canonical);
}

}  // namespace keywarden::server::api
