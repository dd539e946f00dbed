#include "server/events/event_subjects.h"

#include "server/organizations/member_role.h"

namespace keywarden::server::events {
namespace {

constexpr sql::Statement kCipherOwner = {
    "server_events_cipher_owner",
    "SELECT COALESCE(organization_id, ''), COALESCE(user_id, '') FROM ciphers WHERE id = $1", nullptr, nullptr,
    "to read an item's owner"};

constexpr sql::Statement kLoggingOrganizations = {
    "server_events_user_organizations",
    "SELECT m.organization_id FROM organization_users m JOIN organizations o ON o.id = m.organization_id "
    "WHERE m.user_id = $1 AND m.status = $2 AND o.enabled <> 0 ORDER BY m.organization_id",
    nullptr, nullptr, "to read the organisations an account's events go to"};

}  // namespace

Result<std::optional<CipherOwner>> FindCipherOwner(sql::Session& session, std::string_view cipher_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kCipherOwner, sql::Params().Text(cipher_id)));
  if (rows.empty()) return std::optional<CipherOwner>();
  CipherOwner owner{rows.Text(0, 0), rows.Text(0, 1)};
  // An organisation item keeps no owning account, whatever the row says.
  if (!owner.organization_id.empty()) owner.user_id.clear();
  return std::optional<CipherOwner>(std::move(owner));
}

Result<std::vector<std::string>> OrganizationsLoggingUserEvents(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(
      sql::Rows rows,
      session.Execute(kLoggingOrganizations,
                      sql::Params().Text(user_id).Int(static_cast<int>(organizations::MemberStatus::kConfirmed))));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) ids.push_back(rows.Text(i, 0));
  return ids;
}

}  // namespace keywarden::server::events
