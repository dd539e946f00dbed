#include "server/organizations/member_role.h"

#include <array>
#include <string_view>

#include "http/json.h"
#include "server/api/field_error.h"

namespace keywarden::server::organizations {
namespace {

struct PermissionName {
  std::string_view name;  // camelCase, as the clients send and read it
  bool MemberPermissions::*field;
};

constexpr std::array<PermissionName, 12> kPermissions = {{
    {"accessEventLogs", &MemberPermissions::access_event_logs},
    {"accessImportExport", &MemberPermissions::access_import_export},
    {"accessReports", &MemberPermissions::access_reports},
    {"createNewCollections", &MemberPermissions::create_new_collections},
    {"editAnyCollection", &MemberPermissions::edit_any_collection},
    {"deleteAnyCollection", &MemberPermissions::delete_any_collection},
    {"manageGroups", &MemberPermissions::manage_groups},
    {"managePolicies", &MemberPermissions::manage_policies},
    {"manageSso", &MemberPermissions::manage_sso},
    {"manageUsers", &MemberPermissions::manage_users},
    {"manageResetPassword", &MemberPermissions::manage_reset_password},
    {"manageScim", &MemberPermissions::manage_scim},
}};

std::string PascalCase(std::string_view name) {
  std::string out(name);
  out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

}  // namespace

std::optional<MemberType> MemberTypeFromInt(long long value) {
  switch (value) {
    case 0: return MemberType::kOwner;
    case 1: return MemberType::kAdmin;
    case 2: return MemberType::kUser;
    case 4: return MemberType::kCustom;
    default: return std::nullopt;
  }
}

std::optional<MemberStatus> MemberStatusFromInt(long long value) {
  if (value < -1 || value > 2) return std::nullopt;
  return static_cast<MemberStatus>(value);
}

bool MemberPermissions::IsSubsetOf(const MemberPermissions& other) const {
  for (const PermissionName& p : kPermissions) {
    if (this->*p.field && !(other.*p.field)) return false;
  }
  return true;
}

Result<MemberPermissions> ParsePermissions(const nlohmann::json& permissions) {
  MemberPermissions out;
  if (permissions.is_null()) return out;
  if (!permissions.is_object()) return api::FieldErrorStatus("Permissions", "must be an object.");
  for (const PermissionName& p : kPermissions) {
    const nlohmann::json* value = http::FindField(permissions, p.name);
    if (value == nullptr || value->is_null()) continue;
    if (!value->is_boolean())
      return api::FieldErrorStatus("Permissions." + PascalCase(p.name), "must be true or false.");
    out.*p.field = value->get<bool>();
  }
  return out;
}

nlohmann::json PermissionsJson(const MemberPermissions& permissions) {
  nlohmann::json out = nlohmann::json::object();
  for (const PermissionName& p : kPermissions) out[std::string(p.name)] = permissions.*p.field;
  return out;
}

Status CheckMayAssign(const MemberRole& actor, MemberType old_type, MemberType new_type,
                      const MemberPermissions& new_permissions) {
  if (actor.IsOwner()) return OkStatus();
  if (old_type == MemberType::kOwner || new_type == MemberType::kOwner) {
    return InvalidArgumentError("Only an Owner can configure another Owner's account.");
  }
  if (actor.IsAdmin()) return OkStatus();
  if (!actor.ManagesUsers()) return InvalidArgumentError("Your account does not have permission to manage users.");
  if (old_type == MemberType::kAdmin || new_type == MemberType::kAdmin) {
    return InvalidArgumentError("Custom users can not manage Admins or Owners.");
  }
  if (new_type == MemberType::kCustom && !new_permissions.IsSubsetOf(actor.permissions)) {
    return InvalidArgumentError("Custom users can only grant the same custom permissions that they have.");
  }
  return OkStatus();
}

}  // namespace keywarden::server::organizations
