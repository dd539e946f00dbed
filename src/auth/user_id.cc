#include "auth/user_id.h"

namespace keywarden::auth {

Result<std::string> CanonicalUserId(std::string_view sub) {
  constexpr std::size_t kLength = 36;
  if (sub.size() != kLength) return InvalidArgumentError("the user id is not a GUID");
  std::string out(sub);
  for (std::size_t i = 0; i < kLength; ++i) {
    char& c = out[i];
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (c != '-') return InvalidArgumentError("the user id is not a GUID");
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return InvalidArgumentError("the user id is not a GUID");
  }
  return out;
}

}  // namespace keywarden::auth
