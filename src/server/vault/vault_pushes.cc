#include "server/vault/vault_pushes.h"

#include <string>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"

namespace keywarden::server::vault {
namespace {

constexpr sql::Statement kMembersWithAccounts = {
    "server_push_organization_members",
    "SELECT DISTINCT user_id FROM organization_users WHERE organization_id = $1 AND user_id IS NOT NULL AND status = 2",
    nullptr, nullptr, "to find whom an item's change concerns"};

}  // namespace

Status QueueFolderPush(sql::Session& session, notifications::PushType type, std::string_view user_id,
                       const StoredFolder& folder, std::string_view device, TimeMs now) {
  const nlohmann::json payload = {
      {"Id", folder.id}, {"UserId", user_id}, {"RevisionDate", FormatIsoDate(folder.revision_date)}};
  return notifications::Queue(session, user_id, type, payload, device, now);
}

Status QueueCipherPush(sql::Session& session, notifications::PushType type, const StoredCipher& cipher,
                       std::string_view device, TimeMs now) {
  nlohmann::json payload = {{"Id", cipher.id},
                            {"UserId", nullptr},
                            {"OrganizationId", nullptr},
                            {"CollectionIds", nullptr},
                            {"RevisionDate", FormatIsoDate(cipher.revision_date)}};
  if (!cipher.organization_id) {
    if (!cipher.user_id) return OkStatus();
    payload["UserId"] = *cipher.user_id;
    return notifications::Queue(session, *cipher.user_id, type, payload, device, now);
  }
  payload["OrganizationId"] = *cipher.organization_id;
  payload["CollectionIds"] = cipher.collection_ids;
  KW_ASSIGN_OR_RETURN(sql::Rows members,
                      session.Execute(kMembersWithAccounts, sql::Params().Text(*cipher.organization_id)));
  for (std::size_t i = 0; i < members.size(); ++i) {
    KW_RETURN_IF_ERROR(notifications::Queue(session, members.Text(i, 0), type, payload, device, now));
  }
  return OkStatus();
}

Status QueueVaultPush(sql::Session& session, notifications::PushType type, std::string_view user_id,
                      std::string_view device, TimeMs now) {
  return notifications::Queue(session, user_id, type, {{"UserId", user_id}, {"Date", FormatIsoDate(now)}}, device, now);
}

}  // namespace keywarden::server::vault
