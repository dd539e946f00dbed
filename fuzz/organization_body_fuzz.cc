// libFuzzer target for the organisation bodies with parsers of their own
// (server/organizations/member_role.h, policy_json.h, server/sso/sso_config_request.h): a custom
// member's permissions, a policy update for each policy type, the master password requirements
// combined from stored data, and the single sign-on configuration.
//
// The first byte picks the parser (and, for policies, the type); the rest is JSON.
//   0: ParsePermissions on any JSON value.
//   1: ParsePolicyUpdate on a JSON object, policy type = the second byte % 23.
//   2: CombinedMasterPasswordPolicy on the input split at '\n' (stored data may be anything).
//   3: ParseSsoConfigRequest on a JSON object.
// Beyond "does not crash, hang or leak" (an exception escaping is a crash too):
//   - a refusal is kInvalidArgument naming a field, which RequestErrorResponse answers with 400;
//   - accepted permissions written back as JSON parse to the same permissions;
//   - an accepted policy update's data is a JSON object within the size limit, and parses back
//     to an update with the same data;
//   - an accepted SSO configuration survives storage (StoredDataJson, ParseStoredData) and the
//     admin console's round trip (the GET answer's enabled, identifier and data sent back).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "field_error_require.h"
#include "http/json.h"
#include "server/api/field_error.h"
#include "server/organizations/member_role.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_json.h"
#include "server/sso/sso_config_json.h"
#include "server/sso/sso_config_request.h"

namespace keywarden::server {
namespace {

constexpr std::size_t kMaxDataChars = 10000;

using ::keywarden::fuzz::Require;
using ::keywarden::fuzz::RequireFieldError;

void Permissions(std::string_view text) {
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return;
  auto parsed = organizations::ParsePermissions(value);
  if (!parsed.ok()) {
    RequireFieldError(parsed.status());
    return;
  }
  auto again = organizations::ParsePermissions(organizations::PermissionsJson(*parsed));
  Require(again.ok() && *again == *parsed, "permissions must round-trip");
  Require(parsed->IsSubsetOf(*parsed), "permissions are a subset of themselves");
}

void PolicyUpdate(int type, std::string_view text) {
  auto body = http::ParseJsonObject(text);
  if (!body.ok()) return;
  auto parsed = organizations::ParsePolicyUpdate(*body, type, kMaxDataChars);
  if (!parsed.ok()) {
    RequireFieldError(parsed.status());
    return;
  }
  if (parsed->data.empty()) return;
  Require(parsed->data.size() <= kMaxDataChars, "stored data must be within the limit");
  const nlohmann::json data = nlohmann::json::parse(parsed->data, nullptr, false);
  Require(data.is_object(), "stored data must be a JSON object");
  auto again = organizations::ParsePolicyUpdate({{"policy", {{"enabled", parsed->enabled}, {"data", data}}}}, type,
                                                kMaxDataChars);
  Require(again.ok() && again->data == parsed->data && again->enabled == parsed->enabled,
          "a policy update must round-trip");
}

void Combined(std::string_view text) {
  std::vector<std::string> data;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    data.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const nlohmann::json combined = organizations::CombinedMasterPasswordPolicy(data);
  Require(combined.is_object(), "requirements combine into an object");
  Require(combined["MinComplexity"].is_number_integer() && combined["MinLength"].is_number_integer(),
          "combined minimums are whole numbers");
}

void SsoConfig(std::string_view text) {
  auto body = http::ParseJsonObject(text);
  if (!body.ok()) return;
  auto parsed = sso::ParseSsoConfigRequest(*body);
  if (!parsed.ok()) {
    RequireFieldError(parsed.status());
    return;
  }
  Require(parsed->identifier.size() <= sso::kMaxIdentifierChars, "the identifier must be within the limit");
  auto stored = sso::ParseStoredData(sso::StoredDataJson(parsed->data));
  Require(stored.ok() && *stored == parsed->data, "the configuration must survive storage");
  organizations::Organization organization;
  organization.id = "8c1a42e6-1b3c-4a5e-9f00-0123456789ab";
  organization.identifier = parsed->identifier;
  sso::SsoConfig config;
  config.enabled = parsed->enabled;
  config.data = parsed->data;
  const nlohmann::json answer = sso::OrganizationSsoJson(organization, config, "https://vault.example.com");
  auto again = sso::ParseSsoConfigRequest(
      {{"enabled", answer["enabled"]}, {"identifier", answer["identifier"]}, {"data", answer["data"]}});
  Require(again.ok() && again->data == parsed->data && again->enabled == parsed->enabled &&
              again->identifier == parsed->identifier,
          "the admin console's round trip must keep the configuration");
}

}  // namespace
}  // namespace keywarden::server

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (data[0] % 4) {
    case 0: keywarden::server::Permissions(input); break;
    case 1: keywarden::server::PolicyUpdate(data[1] % 23, input); break;
    case 2: keywarden::server::Combined(input); break;
    default: keywarden::server::SsoConfig(input); break;
  }
  return 0;
}
