#include "server/organizations/policy_store.h"

#include <utility>

namespace keywarden::server::organizations {
namespace {

#define KW_POLICY_COLUMNS "id, organization_id, type, enabled, data, creation_date, revision_date"

constexpr sql::Statement kFind = {"server_find_policy",
                                  "SELECT " KW_POLICY_COLUMNS " FROM policies WHERE organization_id = $1 AND type = $2",
                                  nullptr, nullptr, "to read a policy"};
constexpr sql::Statement kList = {"server_list_policies",
                                  "SELECT " KW_POLICY_COLUMNS " FROM policies WHERE organization_id = $1 ORDER BY type",
                                  nullptr, nullptr, "to list policies"};
constexpr sql::Statement kSave = {
    "server_save_policy",
    "INSERT INTO policies(" KW_POLICY_COLUMNS
    ") VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7) ON CONFLICT(organization_id, type) DO UPDATE SET enabled = "
    "excluded.enabled, data = excluded.data, revision_date = excluded.revision_date",
    nullptr, nullptr, "to save a policy"};
constexpr sql::Statement kListOf = {
    "server_list_member_policies",
    "SELECT p.id, p.organization_id, p.type, p.enabled, p.data, p.creation_date, p.revision_date, m.type, m.status "
    "FROM organization_users m JOIN policies p ON p.organization_id = m.organization_id WHERE m.user_id = $1 AND "
    "p.type = $2 AND p.enabled = 1",
    nullptr, nullptr, "to read a member's policies"};

constexpr sql::Statement kListOfConfirmed = {
    "server_list_confirmed_member_policies",
    "SELECT p.id, p.organization_id, p.type, p.enabled, p.data, p.creation_date, p.revision_date FROM "
    "organization_users m JOIN policies p ON p.organization_id = m.organization_id WHERE m.user_id = $1 AND "
    "m.status = 2 ORDER BY p.organization_id, p.type",
    nullptr, nullptr, "to read a member's policies"};

Result<Policy> ReadPolicy(const sql::Rows& rows, std::size_t i) {
  Policy p;
  p.id = rows.Text(i, 0);
  p.organization_id = rows.Text(i, 1);
  KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 2));
  p.type = static_cast<int>(type);
  KW_ASSIGN_OR_RETURN(std::int64_t enabled, rows.Int(i, 3));
  p.enabled = enabled != 0;
  p.data = rows.Text(i, 4);
  KW_ASSIGN_OR_RETURN(p.creation_date, rows.Int(i, 5));
  KW_ASSIGN_OR_RETURN(p.revision_date, rows.Int(i, 6));
  return p;
}

}  // namespace

Result<std::optional<Policy>> FindPolicy(sql::Session& session, std::string_view organization_id, int type) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(organization_id).Int(type)));
  if (rows.empty()) return std::optional<Policy>();
  KW_ASSIGN_OR_RETURN(Policy p, ReadPolicy(rows, 0));
  return std::optional<Policy>(std::move(p));
}

Result<std::vector<Policy>> ListPolicies(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(organization_id)));
  std::vector<Policy> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(Policy p, ReadPolicy(rows, i));
    out.push_back(std::move(p));
  }
  return out;
}

Status SavePolicy(sql::Session& session, const Policy& policy) {
  sql::Params p;
  p.Text(policy.id).Text(policy.organization_id).Int(policy.type).Int(policy.enabled ? 1 : 0).Text(policy.data);
  p.Int(policy.creation_date).Int(policy.revision_date);
  return session.Execute(kSave, p).status();
}

Result<std::vector<Policy>> ListPoliciesOfConfirmedMember(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListOfConfirmed, sql::Params().Text(user_id)));
  std::vector<Policy> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(Policy p, ReadPolicy(rows, i));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<MemberPolicy>> ListEnabledPoliciesOf(sql::Session& session, std::string_view user_id, int type) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListOf, sql::Params().Text(user_id).Int(type)));
  std::vector<MemberPolicy> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    MemberPolicy mp;
    KW_ASSIGN_OR_RETURN(mp.policy, ReadPolicy(rows, i));
    KW_ASSIGN_OR_RETURN(std::int64_t member_type, rows.Int(i, 7));
    KW_ASSIGN_OR_RETURN(std::int64_t member_status, rows.Int(i, 8));
    mp.member_type = static_cast<int>(member_type);
    mp.member_status = static_cast<int>(member_status);
    out.push_back(std::move(mp));
  }
  return out;
}

bool BindsMember(const std::vector<MemberPolicy>& policies) {
  for (const MemberPolicy& p : policies) {
    const bool exempt_type = p.member_type == 0 || p.member_type == 1;  // owner, admin
    const bool active = p.member_status == 1 || p.member_status == 2;   // accepted, confirmed
    if (active && !exempt_type) return true;
  }
  return false;
}

}  // namespace keywarden::server::organizations
