#include "server/accounts/set_password_routes.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/account_key_pair.h"
#include "server/accounts/sso_membership.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/events/user_events.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/member_store.h"
#include "server/sso/sso_config_store.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

bool Present(const nlohmann::json* value) { return value != nullptr && !value->is_null(); }

http::HttpResponse Done(const Status& status) {
  if (!status.ok()) return api::FromStatus(status);
  http::HttpResponse response;
  response.status = 200;
  return response;
}

// What the clients derived the master key with: the stored salt, or for accounts that never had
// one, the address (what the clients use).
std::string SaltOf(const store::User& user) { return user.salt.empty() ? user.email : user.salt; }

http::HttpResponse SetPassword(AccountRoutesContext& c, const http::HttpRequest& request, store::User& user) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  const nlohmann::json* identifier = http::FindField(*body, "orgIdentifier");
  if (!Present(identifier) || !identifier->is_string()) {
    return api::RequestErrorResponse(api::FieldErrorStatus("OrgIdentifier", "is required."));
  }
  // The 2026 form iff both its parts are there (the reference's IsV2Request); without account
  // keys it is the trusted-devices member's (IsTdeSetPasswordRequest).
  const bool v2 = Present(http::FindField(*body, "masterPasswordAuthentication")) &&
                  Present(http::FindField(*body, "masterPasswordUnlock"));
  if (!v2 && !Present(http::FindField(*body, "kdf"))) {
    return api::RequestErrorResponse(api::FieldErrorStatus("Kdf", "is required."));
  }
  auto password = ParseInitialMasterPassword(*body, SaltOf(user));
  if (!password.ok()) return api::RequestErrorResponse(password.status());
  auto key_pair = ParseAccountKeyPair(*body);
  if (!key_pair.ok()) return api::RequestErrorResponse(key_pair.status());
  const bool trusted_devices = v2 && !key_pair->has_value();

  if (user.password_hash.has_value()) {
    return api::BadRequest(v2 ? "User already has a master password set." : "User already has a password set.");
  }
  if (!user.user_key.empty()) return api::BadRequest("User already has a key set.");
  if (user.uses_key_connector) return api::BadRequest("Cannot set an initial password of a user with Key Connector.");
  if (trusted_devices && (user.public_key.empty() || user.private_key.empty())) {
    return api::BadRequest("TDE user account keys must be set before setting initial master password.");
  }
  if (key_pair->has_value()) {
    if (Status applied = ApplyAccountKeyPair(user, **key_pair); !applied.ok()) return api::FromStatus(applied);
  }

  auto hashed = HashMasterPassword(c, password->hash);
  if (!hashed.ok()) return api::FromStatus(hashed.status());
  user.password_hash = *std::move(hashed);
  user.user_key = password->user_key;
  user.kdf = password->kdf;
  user.password_hint = password->hint;
  if (user.salt.empty()) user.salt = user.email;
  const TimeMs now = api::NowMs(c.api.clock);
  const std::string organization_identifier = identifier->get<std::string>();
  const Status saved = SaveAccount(c, user, /*end_sessions=*/false, [&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(SsoMembership membership,
                        FindSsoMembership(session, organization_identifier, user.id,
                                          v2 ? "Organization SSO identifier is invalid." : "Organization invalid."));
    if (trusted_devices) return OkStatus();
    // The older body accepts an invited member and leaves any other as it is; the 2026 one
    // (SSO provisioning) needs the invitation, as the reference.
    return AcceptSsoMembership(session, membership, user, /*only_invited=*/v2, now);
  });
  if (!saved.ok()) return api::FromStatus(saved);
  events::LogUserEvent(c.api, request, user.id, events::EventType::kUserChangedPassword);
  telemetry::AuditEvent("set_password", user.id, request.client_address, "ok");
  return Done(OkStatus());
}

// The one organisation with single sign-on on that the account belongs to, with its
// configuration, or the reference's refusal.
Status CheckOffboardingOrganization(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> memberships,
                      organizations::ListMembershipsOf(session, user_id));
  using ConfigsByOrganization = std::map<std::string, sso::SsoConfig>;
  KW_ASSIGN_OR_RETURN(ConfigsByOrganization configs, sso::ListSsoConfigsOfMember(session, user_id));
  std::vector<const sso::SsoConfig*> with_sso;
  for (const organizations::Member& member : memberships) {
    const auto config = configs.find(member.organization_id);
    if (config != configs.end() && config->second.enabled) with_sso.push_back(&config->second);
  }
  if (with_sso.empty()) return InvalidArgumentError("User is not part of any organization that has SSO enabled.");
  if (with_sso.size() != 1) return InvalidArgumentError("User is part of no or multiple SSO configurations.");
  if (with_sso.front()->data.member_decryption_type != sso::MemberDecryptionType::kMasterPassword) {
    return InvalidArgumentError("Organization SSO Member Decryption Type is not Master Password.");
  }
  return OkStatus();
}

http::HttpResponse UpdateOffboardingPassword(AccountRoutesContext& c, const http::HttpRequest& request,
                                             store::User& user) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  auto password = ParseNewMasterPassword(*body, user);
  if (password.status().code() == ErrorCode::kNotFound) return api::BadRequest("Master password is required.");
  if (!password.ok()) return api::RequestErrorResponse(password.status());
  std::string hint;
  if (const nlohmann::json* value = http::FindField(*body, "masterPasswordHint"); Present(value)) {
    if (!value->is_string() || value->get<std::string>().size() > 50) {
      return api::InvalidField("MasterPasswordHint", "must be a string of at most 50 characters.");
    }
    hint = value->get<std::string>();
  }
  if (user.password_hash.has_value()) return api::BadRequest("User already has a master password.");
  const Status allowed = c.api.database.Read(
      [&](sql::Session& session) -> Status { return CheckOffboardingOrganization(session, user.id); });
  if (!allowed.ok()) return api::FromStatus(allowed);

  auto hashed = HashMasterPassword(c, password->hash);
  if (!hashed.ok()) return api::FromStatus(hashed.status());
  user.password_hash = *std::move(hashed);
  user.user_key = password->key;
  user.password_hint = hint;
  user.force_password_reset = false;
  if (user.salt.empty()) user.salt = user.email;
  const TimeMs now = api::NowMs(c.api.clock);
  const Status saved = SaveAccount(c, user, /*end_sessions=*/true, [&](sql::Session& session) -> Status {
    return notifications::QueueLogOut(session, user.id, now);
  });
  if (!saved.ok()) return api::FromStatus(saved);
  events::LogUserEvent(c.api, request, user.id, events::EventType::kUserTdeOffboardingPasswordSet);
  telemetry::AuditEvent("tde_offboarding_password", user.id, request.client_address, "ok");
  return Done(OkStatus());
}

}  // namespace

void AddSetPasswordRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);
  add("POST", "/api/accounts/set-password",
      [c](const http::HttpRequest& request, store::User& user) { return SetPassword(*c, request, user); });
  add("PUT", "/api/accounts/update-tde-offboarding-password", [c](const http::HttpRequest& request, store::User& user) {
    return UpdateOffboardingPassword(*c, request, user);
  });
}

}  // namespace keywarden::server
