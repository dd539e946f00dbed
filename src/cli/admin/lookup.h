// Names an administrator types, and the numbers and ids the API wants: member types and
// statuses, custom permissions, policy types, and organisations and members given by name, e-mail
// or id.
#ifndef KEYWARDEN_CLI_ADMIN_LOOKUP_H_
#define KEYWARDEN_CLI_ADMIN_LOOKUP_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/admin/admin_client.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

// "owner", "admin", "user", "custom" -> 0, 1, 2, 4 (kInvalidArgument otherwise).
Result<int> ParseMemberType(std::string_view name);
std::string MemberTypeName(int type);
std::string MemberStatusName(int status);

// Custom permissions by their API names (manageUsers) or kebab-case (manage-users), any case:
// {"manageUsers": true, ...} with every other known permission false.
Result<nlohmann::json> ParsePermissions(const std::vector<std::string>& names);

// A policy type by number (0..99) or by name (two-step-login, master-password, single-org, ...).
Result<int> ParsePolicyType(std::string_view text);
std::string PolicyTypeName(int type);

// Member decryption by number (0, 1, 2) or name: master-password, key-connector, trusted-devices
// (any case) -> 0, 1, 2 (kInvalidArgument otherwise); and back (a number it does not know as
// the number).
Result<int> ParseMemberDecryption(std::string_view text);
std::string MemberDecryptionName(int type);

// A name or a GUID; a GUID is lower-cased.
std::optional<std::string> AsGuid(std::string_view text);

struct OrganizationRef {
  std::string id;
  std::string name;
};

// An organisation of the caller's (GET /api/organizations) by id or by name (case-insensitive).
// kNotFound when there is none; kInvalidArgument when a name matches several.
Result<OrganizationRef> ResolveOrganization(AdminClient& client, std::string_view text);

// A member of `organization_id` (GET .../users) by member id, user id or e-mail; the list entry.
Result<nlohmann::json> ResolveMember(AdminClient& client, const std::string& organization_id, std::string_view text);

// A string field of an API object (case-insensitive name), "" when absent or not a string.
std::string Field(const nlohmann::json& object, std::string_view name);
// An integer field, or `fallback`.
long long IntField(const nlohmann::json& object, std::string_view name, long long fallback = 0);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_LOOKUP_H_
