#include "server/events/collect_route.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/api/error_response.h"
#include "server/events/collect_request.h"
#include "server/events/event_origin.h"
#include "server/events/event_subjects.h"
#include "server/events/user_events.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/vault/organization_cipher_store.h"

namespace keywarden::server {
namespace {

using events::CollectedEvent;
using events::Event;

enum class Rule { kDrop, kUser, kCipher, kMember, kOrganization };

// The reference's CollectController, case by case (EventType.cs numbers).
Rule RuleFor(int type) {
  switch (type) {
    case 1007:  // User_ClientExportedVault
      return Rule::kUser;
    case 1107:  // Cipher_ClientViewed
    case 1108:  // Cipher_ClientToggledPasswordVisible
    case 1109:  // Cipher_ClientToggledHiddenFieldVisible
    case 1110:  // Cipher_ClientToggledCardCodeVisible
    case 1111:  // Cipher_ClientCopiedPassword
    case 1112:  // Cipher_ClientCopiedHiddenField
    case 1113:  // Cipher_ClientCopiedCardCode
    case 1114:  // Cipher_ClientAutofilled
    case 1117:  // Cipher_ClientToggledCardNumberVisible
    case 1119:  // Cipher_ClientCopiedBankAccountNumber
    case 1120:  // Cipher_ClientCopiedBankAccountPin
    case 1121:  // Cipher_ClientToggledBankAccountNumberVisible
    case 1122:  // Cipher_ClientToggledBankAccountPinVisible
    case 1123:  // Cipher_ClientCopiedLicenseNumber
    case 1124:  // Cipher_ClientToggledLicenseNumberVisible
    case 1125:  // Cipher_ClientCopiedPassportNumber
    case 1126:  // Cipher_ClientToggledPassportNumberVisible
    case 1127:  // Cipher_ClientCopiedSwiftCode
    case 1128:  // Cipher_ClientToggledSwiftCodeVisible
    case 1129:  // Cipher_ClientCopiedIban
    case 1130:  // Cipher_ClientToggledIbanVisible
    case 1131:  // Cipher_ClientCopiedNationalIdentificationNumber
    case 1132:  // Cipher_ClientToggledNationalIdentificationNumberVisible
      return Rule::kCipher;
    case 1522:  // OrganizationUser_NotificationBannerActionClicked
    case 1618:  // Organization_ItemOrganization_Accepted
    case 1619:  // Organization_ItemOrganization_Declined
      return Rule::kMember;
    case 1602:  // Organization_ClientExportedVault
    case 1620:  // Organization_AutoConfirmEnabled_Admin
    case 1621:  // Organization_AutoConfirmDisabled_Admin
    case 1627:  // Organization_InviteLinkClientCopied
      return Rule::kOrganization;
    default:  // 1118 (TOTP seed shown) too; 2400-2402 need a phishing blocker this server lacks
      return Rule::kDrop;
  }
}

// What one request reads about organisations and items, each at most once however many events
// name it.
class Lookups {
 public:
  Lookups(sql::Session& session, const std::string& user_id) : session_(session), user_id_(user_id) {}

  // The caller's membership of the organisation, any status.
  Result<const std::optional<organizations::Member>*> Membership(const std::string& organization_id) {
    auto it = memberships_.find(organization_id);
    if (it == memberships_.end()) {
      KW_ASSIGN_OR_RETURN(auto member, organizations::FindMembershipOf(session_, organization_id, user_id_));
      it = memberships_.emplace(organization_id, std::move(member)).first;
    }
    return &it->second;
  }

  // Whether the organisation exists and logs events (every enabled one does).
  Result<bool> LogsEvents(const std::string& organization_id) {
    auto it = logging_.find(organization_id);
    if (it == logging_.end()) {
      KW_ASSIGN_OR_RETURN(auto organization, organizations::FindOrganization(session_, organization_id));
      it = logging_.emplace(organization_id, organization.has_value() && organization->enabled).first;
    }
    return it->second;
  }

  Result<const std::optional<events::CipherOwner>*> Owner(const std::string& cipher_id) {
    auto it = owners_.find(cipher_id);
    if (it == owners_.end()) {
      KW_ASSIGN_OR_RETURN(auto owner, events::FindCipherOwner(session_, cipher_id));
      it = owners_.emplace(cipher_id, std::move(owner)).first;
    }
    return &it->second;
  }

 private:
  sql::Session& session_;
  const std::string& user_id_;
  std::map<std::string, std::optional<organizations::Member>> memberships_;
  std::map<std::string, bool> logging_;
  std::map<std::string, std::optional<events::CipherOwner>> owners_;
};

// The reported events to log, reading what the rules need.
Status Judge(sql::Session& session, const store::User& user, const std::vector<CollectedEvent>& reported,
             const events::EventOrigin& origin, TimeMs now, std::vector<Event>& accepted) {
  accepted.clear();
  Lookups lookups(session, user.id);
  // A user event's copies, read once however many the body holds: the account's own first.
  std::optional<std::vector<Event>> user_events;
  for (const CollectedEvent& reported_event : reported) {
    const Rule rule = RuleFor(reported_event.type);
    if (rule == Rule::kDrop) continue;
    if (rule == Rule::kUser) {
      if (!user_events) {
        KW_ASSIGN_OR_RETURN(
            user_events,
            events::UserEvents(session, user.id, events::EventType::kUserClientExportedVault, origin, now, now));
      }
      for (std::size_t i = 0; i < user_events->size(); ++i) {
        accepted.push_back((*user_events)[i]);
        // The client's date for the account's own event; the organisations' copies carry now.
        if (i == 0) accepted.back().date = reported_event.date.value_or(now);
      }
      continue;
    }
    Event event;
    event.type = reported_event.type;
    event.date = reported_event.date.value_or(now);
    event.acting_user_id = user.id;
    events::Stamp(event, origin);
    if (rule == Rule::kCipher) {
      if (reported_event.cipher_id.empty()) continue;
      KW_ASSIGN_OR_RETURN(const auto* owner, lookups.Owner(reported_event.cipher_id));
      // Personal items' client events are not logged (the reference logs organisation items'
      // only), whether or not the item is the caller's.
      if (!owner->has_value() || (*owner)->organization_id.empty()) continue;
      const std::string& organization_id = (*owner)->organization_id;
      KW_ASSIGN_OR_RETURN(const auto* membership, lookups.Membership(organization_id));
      if (!membership->has_value() || !(*membership)->role().confirmed()) continue;
      // A member reports only items they see through their collections; admins see every item.
      if (!(*membership)->role().IsAdmin()) {
        KW_ASSIGN_OR_RETURN(auto visible, vault::FindVisibleCipher(session, user.id, reported_event.cipher_id));
        if (!visible.has_value()) continue;
      }
      KW_ASSIGN_OR_RETURN(const bool logs, lookups.LogsEvents(organization_id));
      if (!logs) continue;
      event.organization_id = organization_id;
      event.cipher_id = reported_event.cipher_id;
      accepted.push_back(std::move(event));
      continue;
    }
    // Member and organisation events: the caller must be a member (any status) of the
    // organisation named.
    if (reported_event.organization_id.empty()) continue;
    KW_ASSIGN_OR_RETURN(const auto* membership, lookups.Membership(reported_event.organization_id));
    if (!membership->has_value()) continue;
    KW_ASSIGN_OR_RETURN(const bool logs, lookups.LogsEvents(reported_event.organization_id));
    if (!logs) continue;
    event.organization_id = reported_event.organization_id;
    if (rule == Rule::kMember) {
      event.user_id = (*membership)->user_id;
      event.organization_user_id = (*membership)->id;
    }
    accepted.push_back(std::move(event));
  }
  return OkStatus();
}

}  // namespace

void AddCollectRoute(http::Router& router, api::ApiContext& context) {
  api::ApiContext* c = &context;
  router.Add("POST", "/events/collect",
             api::Authenticated(context,
                                [c](const http::HttpRequest& request, store::User& user) {
                                  auto reported = events::ParseCollectRequest(request.body);
                                  if (!reported.ok()) return api::BadRequest(reported.status().message());
                                  const events::EventOrigin origin = events::OriginOf(request);
                                  const TimeMs now = api::NowMs(c->clock);
                                  std::vector<Event> accepted;
                                  const Status judged = c->database.Read([&](sql::Session& session) {
                                    return Judge(session, user, *reported, origin, now, accepted);
                                  });
                                  if (!judged.ok()) return api::FromStatus(judged);
                                  // Recorded once the read is over: it may have run more than once.
                                  for (Event& event : accepted) c->events.Record(std::move(event));
                                  http::HttpResponse response;
                                  response.status = 200;
                                  return response;
                                }),
             http::Execution::kBlocking);
}

}  // namespace keywarden::server
