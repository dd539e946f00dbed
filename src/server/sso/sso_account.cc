#include "server/sso/sso_account.h"

#include <utility>

#include "auth/user_id.h"
#include "server/accounts/account_fields.h"

namespace keywarden::server::sso {
namespace {

constexpr sql::Statement kFindLink = {"server_find_sso_user",
                                      "SELECT user_id FROM sso_users WHERE organization_id = $1 AND external_id = $2",
                                      nullptr, nullptr, "to find the account linked to an identity provider's subject"};
constexpr sql::Statement kInsertLink = {
    "server_insert_sso_user",
    "INSERT INTO sso_users(organization_id, external_id, user_id, creation_date) VALUES ($1, $2, $3, $4)", nullptr,
    nullptr, "to link an account to an identity provider's subject"};
constexpr sql::Statement kDeleteStaleLink = {"server_delete_sso_user_of_account",
                                             "DELETE FROM sso_users WHERE organization_id = $1 AND user_id = $2",
                                             nullptr, nullptr, "to remove an account's link to an identity provider"};

// The standard claims after the configuration's own, as the reference's GetEmailAddress and
// GetName try them (its long claim names included: providers built on WS-Federation send them).
constexpr std::string_view kEmailClaims[] = {
    "email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "mail", "emailaddress"};
constexpr std::string_view kNameClaims[] = {"name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                                            "displayname", "preferred_username"};

Status Refused(std::string message) { return AuthenticationError(std::move(message)); }

std::string FirstText(const nlohmann::json& claims, const std::vector<std::string>& configured,
                      std::span<const std::string_view> standard) {
  const auto text = [&](std::string_view name) -> std::string {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const std::string& name : configured) {
    if (std::string value = text(name); !value.empty()) return value;
  }
  for (std::string_view name : standard) {
    if (std::string value = text(name); !value.empty()) return value;
  }
  return {};
}

// Links the account to the subject; true when it replaced the account's link to another one.
Result<bool> Link(sql::Session& session, const std::string& organization_id, const std::string& external_id,
                  const std::string& user_id, TimeMs now) {
  KW_ASSIGN_OR_RETURN(const sql::Rows stale,
                      session.Execute(kDeleteStaleLink, sql::Params().Text(organization_id).Text(user_id)));
  KW_RETURN_IF_ERROR(
      session.Execute(kInsertLink, sql::Params().Text(organization_id).Text(external_id).Text(user_id).Int(now))
          .status());
  return stale.affected() > 0;
}

Status CheckMayLogIn(const organizations::Organization& organization, const organizations::Member& member) {
  if (member.status == organizations::MemberStatus::kRevoked) {
    return Refused("Your access to organization " + organization.name +
                   " has been revoked. Please contact your administrator for assistance.");
  }
  return OkStatus();
}

Result<store::User> ProvisionAccount(const SsoIdentity& identity, TimeMs now) {
  store::User user;
  KW_ASSIGN_OR_RETURN(user.id, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(user.security_stamp, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(user.api_key, NewApiKey());
  user.email = identity.email;
  user.salt = identity.email;
  user.name = identity.name.substr(0, 50);
  // As registration: a self-hosted account has every feature.
  user.premium = true;
  user.creation_date = now;
  user.revision_date = now;
  user.account_revision_date = now;
  return user;
}

}  // namespace

SsoIdentity IdentityFromClaims(const nlohmann::json& claims, const SsoConfigData& config) {
  SsoIdentity identity;
  const std::string_view kSubject[] = {"sub"};
  identity.external_id = FirstText(claims, SplitList(config.additional_user_id_claim_types), kSubject);
  identity.email = NormaliseEmail(FirstText(claims, SplitList(config.additional_email_claim_types), kEmailClaims));
  // The reference takes a subject that is an address for one when no claim holds an address.
  if (identity.email.empty() && identity.external_id.find('@') != std::string::npos) {
    identity.email = NormaliseEmail(identity.external_id);
  }
  const auto verified = claims.find("email_verified");
  identity.email_verified =
      verified != claims.end() && ((verified->is_boolean() && verified->get<bool>()) ||
                                   (verified->is_string() && verified->get<std::string>() == "true"));
  identity.name = FirstText(claims, SplitList(config.additional_name_claim_types), kNameClaims);
  return identity;
}

Result<SsoSignIn> ResolveSsoAccount(sql::Session& session, const organizations::Organization& organization,
                                    const SsoIdentity& identity, std::string_view claimed_user_id, TimeMs now) {
  SsoSignIn sign_in;
  // 1. Linked before.
  KW_ASSIGN_OR_RETURN(sql::Rows linked,
                      session.Execute(kFindLink, sql::Params().Text(organization.id).Text(identity.external_id)));
  if (!linked.empty()) {
    if (!claimed_user_id.empty() && linked.Text(0, 0) != claimed_user_id) {
      return Refused("This identity is already linked to another account in " + organization.name + ".");
    }
    KW_ASSIGN_OR_RETURN(auto user, store::FindUserById(session, linked.Text(0, 0)));
    KW_ASSIGN_OR_RETURN(auto member, organizations::FindMembershipOf(session, organization.id, linked.Text(0, 0)));
    if (!user) return InternalError("a single sign-on link names a missing account");
    if (!member) {
      return Refused("You are no longer a member of " + organization.name +
                     ". Ask its administrator to invite you again.");
    }
    KW_RETURN_IF_ERROR(CheckMayLogIn(organization, *member));
    sign_in.user = *std::move(user);
    sign_in.member = *std::move(member);
    return sign_in;
  }

  // The account that claimed the login, or the one the e-mail claim names.
  std::optional<store::User> existing;
  if (!claimed_user_id.empty()) {
    KW_ASSIGN_OR_RETURN(existing, store::FindUserById(session, claimed_user_id));
    if (!existing) return Refused("The account that asked to be linked no longer exists.");
  } else {
    if (identity.email.empty()) return Refused("Cannot find email claim");
    KW_ASSIGN_OR_RETURN(existing, store::FindUserByEmail(session, identity.email));
  }

  // 2. An existing account, linked only as a member the provider vouches for.
  if (existing) {
    KW_ASSIGN_OR_RETURN(auto member, organizations::FindMembershipOf(session, organization.id, existing->id));
    if (existing->uses_key_connector && (!member || member->status == organizations::MemberStatus::kInvited)) {
      return Refused(
          "You were removed from the organization managing single sign-on for your account. Create a new account to "
          "continue using Bitwarden.");
    }
    if (!member) {
      return Refused("An account with your e-mail address exists, but it is not a member of " + organization.name +
                     ". Ask its administrator to invite you, then sign in with single sign-on.");
    }
    if (member->status == organizations::MemberStatus::kInvited) {
      return Refused("Accept your invitation to " + organization.name +
                     " with your master password first, then sign in with single sign-on.");
    }
    KW_RETURN_IF_ERROR(CheckMayLogIn(organization, *member));
    if (claimed_user_id.empty() && !identity.email_verified) {
      return Refused(
          "Your identity provider has not verified your e-mail address, so it cannot be linked to your "
          "existing account. Link it from your account's organization settings, or ask your administrator.");
    }
    KW_ASSIGN_OR_RETURN(const bool replaced, Link(session, organization.id, identity.external_id, existing->id, now));
    sign_in.user = *std::move(existing);
    sign_in.member = *std::move(member);
    sign_in.first_login = !replaced;
    sign_in.relinked = replaced;
    return sign_in;
  }

  // 3. A new account, with the invitation of its address or a new one.
  KW_ASSIGN_OR_RETURN(store::User user, ProvisionAccount(identity, now));
  KW_ASSIGN_OR_RETURN(auto invitation, organizations::FindInvitation(session, organization.id, identity.email));
  KW_RETURN_IF_ERROR(store::InsertUser(session, user));
  organizations::Member member;
  if (invitation) {
    member = *std::move(invitation);
    KW_RETURN_IF_ERROR(CheckMayLogIn(organization, member));
    member.user_id = user.id;
    member.email.clear();
    member.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
  } else {
    KW_ASSIGN_OR_RETURN(member.id, auth::NewGuid());
    member.organization_id = organization.id;
    member.user_id = user.id;
    member.type = organizations::MemberType::kUser;
    member.status = organizations::MemberStatus::kInvited;
    member.creation_date = now;
    member.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::InsertMember(session, member));
  }
  KW_RETURN_IF_ERROR(Link(session, organization.id, identity.external_id, user.id, now).status());
  sign_in.user = std::move(user);
  sign_in.member = std::move(member);
  sign_in.first_login = true;
  return sign_in;
}

Result<bool> UnlinkSsoAccount(sql::Session& session, std::string_view organization_id, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(const sql::Rows removed,
                      session.Execute(kDeleteStaleLink, sql::Params().Text(organization_id).Text(user_id)));
  return removed.affected() > 0;
}

}  // namespace keywarden::server::sso
