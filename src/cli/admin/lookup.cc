#include "cli/admin/lookup.h"

#include <array>
#include <utility>

#include "auth/user_id.h"
#include "base/ascii.h"
#include "http/json.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 4> kMemberTypes = {
    {{"owner", 0}, {"admin", 1}, {"user", 2}, {"custom", 4}}};

constexpr std::array<std::string_view, 12> kPermissions = {
    "accessEventLogs",   "accessImportExport",  "accessReports",       "createNewCollections",
    "editAnyCollection", "deleteAnyCollection", "manageGroups",        "managePolicies",
    "manageSso",         "manageUsers",         "manageResetPassword", "manageScim"};

// The reference's PolicyType numbers, in the names an administrator sees in the admin console.
constexpr std::array<std::pair<std::string_view, int>, 24> kPolicyTypes = {{
    {"two-step-login", 0},
    {"master-password", 1},
    {"password-generator", 2},
    {"single-org", 3},
    {"require-sso", 4},
    {"personal-ownership", 5},
    {"organization-data-ownership", 5},
    {"disable-send", 6},
    {"send-options", 7},
    {"account-recovery", 8},
    {"vault-timeout", 9},
    {"disable-export", 10},
    {"activate-autofill", 11},
    {"automatic-app-login", 12},
    {"free-families-sponsorship", 13},
    {"remove-unlock-with-pin", 14},
    {"restricted-item-types", 15},
    {"uri-match-defaults", 16},
    {"autotype-default-setting", 17},
    {"automatic-user-confirmation", 18},
    {"block-claimed-domain-account-creation", 19},
    {"organization-user-notification", 20},
    {"send-controls", 21},
    {"fill-assist", 22},
}};

// Lower case without '-' or '_': "manage-users", "manageUsers" and "MANAGE_USERS" compare equal.
std::string Folded(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '-' && c != '_') out.push_back(c);
  }
  return AsciiLower(out);
}

bool SameText(std::string_view a, std::string_view b) {
  return AsciiLower(std::string(a)) == AsciiLower(std::string(b));
}

nlohmann::json DataOf(const nlohmann::json& list) {
  const nlohmann::json* data = http::FindField(list, "data");
  return data != nullptr && data->is_array() ? *data : nlohmann::json::array();
}

}  // namespace

std::string Field(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* field = http::FindField(object, name);
  return field != nullptr && field->is_string() ? field->get<std::string>() : std::string();
}

long long IntField(const nlohmann::json& object, std::string_view name, long long fallback) {
  const nlohmann::json* field = http::FindField(object, name);
  return field != nullptr && field->is_number_integer() ? field->get<long long>() : fallback;
}

Result<int> ParseMemberType(std::string_view name) {
  for (const auto& [known, number] : kMemberTypes) {
    if (SameText(name, known)) return number;
  }
  return InvalidArgumentError("--type: '" + std::string(name.substr(0, 40)) +
                              "' is not a member type (owner, admin, user or custom)");
}

std::string MemberTypeName(int type) {
  for (const auto& [known, number] : kMemberTypes) {
    if (number == type) return std::string(known);
  }
  return std::to_string(type);
}

std::string MemberStatusName(int status) {
  switch (status) {
    case -1: return "revoked";
    case 0: return "invited";
    case 1: return "accepted";
    case 2: return "confirmed";
    case 3: return "staged";
    default: return std::to_string(status);
  }
}

Result<nlohmann::json> ParsePermissions(const std::vector<std::string>& names) {
  nlohmann::json permissions = nlohmann::json::object();
  for (std::string_view known : kPermissions) permissions[std::string(known)] = false;
  for (const std::string& name : names) {
    bool found = false;
    for (std::string_view known : kPermissions) {
      if (Folded(name) == Folded(known)) {
        permissions[std::string(known)] = true;
        found = true;
      }
    }
    if (!found) {
      return InvalidArgumentError("--permission: '" + name.substr(0, 40) +
                                  "' is not a permission (manageUsers, managePolicies, accessEventLogs, ...)");
    }
  }
  return permissions;
}

Result<int> ParsePolicyType(std::string_view text) {
  if (!text.empty() && text.size() <= 2 && text.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::stoi(std::string(text));
  }
  for (const auto& [known, number] : kPolicyTypes) {
    if (Folded(text) == Folded(known)) return number;
  }
  return InvalidArgumentError("--type: '" + std::string(text.substr(0, 40)) +
                              "' is not a policy type (a number, or two-step-login, master-password, single-org, "
                              "require-sso, personal-ownership, disable-send, account-recovery, vault-timeout, "
                              "disable-export, ...)");
}

std::string PolicyTypeName(int type) {
  for (const auto& [known, number] : kPolicyTypes) {
    if (number == type) return std::string(known);
  }
  return std::to_string(type);
}

namespace {

// The reference's MemberDecryptionType numbers.
constexpr std::array<std::pair<std::string_view, int>, 3> kMemberDecryptionTypes = {{
    {"master-password", 0},
    {"key-connector", 1},
    {"trusted-devices", 2},
}};

}  // namespace

Result<int> ParseMemberDecryption(std::string_view text) {
  if (text.size() == 1 && text[0] >= '0' && text[0] <= '2') return text[0] - '0';
  for (const auto& [known, number] : kMemberDecryptionTypes) {
    if (Folded(text) == Folded(known)) return number;
  }
  return InvalidArgumentError("--decryption: '" + std::string(text.substr(0, 40)) +
                              "' is not a member decryption type (master-password, key-connector or "
                              "trusted-devices)");
}

std::string MemberDecryptionName(int type) {
  for (const auto& [known, number] : kMemberDecryptionTypes) {
    if (number == type) return std::string(known);
  }
  return std::to_string(type);
}

std::optional<std::string> AsGuid(std::string_view text) {
  auto id = auth::CanonicalUserId(text);
  if (!id.ok()) return std::nullopt;
  return *std::move(id);
}

Result<OrganizationRef> ResolveOrganization(AdminClient& client, std::string_view text) {
  if (text.empty()) return InvalidArgumentError("--organization: give a name or an id");
  KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get("/api/organizations"));
  const std::optional<std::string> guid = AsGuid(text);
  std::vector<OrganizationRef> matches;
  for (const nlohmann::json& organization : DataOf(list)) {
    OrganizationRef ref{Field(organization, "id"), Field(organization, "name")};
    if (guid ? AsciiLower(ref.id) == *guid : SameText(ref.name, text)) matches.push_back(std::move(ref));
  }
  const std::string shown = std::string(text.substr(0, 80));
  if (matches.empty()) return NotFoundError("no organization '" + shown + "' among this account's organizations");
  if (matches.size() > 1) {
    return InvalidArgumentError(std::to_string(matches.size()) + " organizations are named '" + shown +
                                "': give the id (keywarden admin organization list)");
  }
  return std::move(matches.front());
}

Result<nlohmann::json> ResolveMember(AdminClient& client, const std::string& organization_id, std::string_view text) {
  if (text.empty()) return InvalidArgumentError("--member: give an e-mail or an id");
  KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get("/api/organizations/" + organization_id + "/users?"));
  const std::optional<std::string> guid = AsGuid(text);
  for (const nlohmann::json& member : DataOf(list)) {
    const bool match = guid ? (AsciiLower(Field(member, "id")) == *guid || AsciiLower(Field(member, "userId")) == *guid)
                            : SameText(Field(member, "email"), text);
    if (match) return member;
  }
  return NotFoundError("no member '" + std::string(text.substr(0, 80)) + "' in this organization");
}

}  // namespace keywarden::cli::admin
