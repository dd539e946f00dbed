#include "server/organizations/organization_routes.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "auth/user_id.h"
#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_store.h"
#include "server/sso/sso_config_store.h"
#include "server/store/users.h"

namespace keywarden::server {

// Added with the organisation routes; each in its own file.
void AddMemberRoutes(http::Router& router, OrganizationRoutesContext& context);
void AddPolicyRoutes(http::Router& router, OrganizationRoutesContext& context);
void AddRecoveryEnrollmentRoutes(http::Router& router, OrganizationRoutesContext& context);
void AddRecoveryRoutes(http::Router& router, OrganizationRoutesContext& context);

namespace {

using organizations::Member;
using organizations::MemberStatus;
using organizations::MemberType;
using organizations::Organization;
using organizations::internal::Answer;
using organizations::internal::AnswerEmpty;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

constexpr std::size_t kMaxNameChars = 50;
constexpr std::size_t kMaxEmailChars = 256;
constexpr std::string_view kSingleOrgRefusal =
    "You cannot create a new organization vault because your current membership doesn't allow you to join or create "
    "additional organization vaults.";

const nlohmann::json* Field(const nlohmann::json& body, std::string_view name) {
  const nlohmann::json* value = http::FindField(body, name);
  return value == nullptr || value->is_null() ? nullptr : value;
}

// A required short text, at most `max_chars`.
Result<std::string> ReadText(const nlohmann::json& body, std::string_view name, std::string_view field,
                             std::size_t max_chars) {
  const nlohmann::json* value = Field(body, name);
  if (value == nullptr) return api::FieldErrorStatus(field, "is required.");
  if (!value->is_string()) return api::FieldErrorStatus(field, "must be a string.");
  std::string text = value->get<std::string>();
  if (text.empty()) return api::FieldErrorStatus(field, "is required.");
  if (text.size() > max_chars) {
    return api::FieldErrorStatus(field, "must be at most " + std::to_string(max_chars) + " characters.");
  }
  return text;
}

Result<std::string> ReadBillingEmail(const nlohmann::json& body) {
  KW_ASSIGN_OR_RETURN(std::string email, ReadText(body, "billingEmail", "BillingEmail", kMaxEmailChars));
  email = NormaliseEmail(email);
  if (!LooksLikeEmail(email)) return api::FieldErrorStatus("BillingEmail", "is not a valid e-mail address.");
  return email;
}

// What POST /api/organizations carries, checked: the organisation key is encapsulated to the
// creator and its key pair's private key wrapped by it, all encrypted by the client.
struct NewOrganization {
  Organization organization;
  std::string owner_key;        // the organisation key, type 4 to the creator's public key
  std::string collection_name;  // the first collection's name (an EncString), or empty for none
};

Result<NewOrganization> ParseNewOrganization(const nlohmann::json& body) {
  NewOrganization out;
  KW_ASSIGN_OR_RETURN(out.organization.name, ReadText(body, "name", "Name", kMaxNameChars));
  KW_ASSIGN_OR_RETURN(out.organization.billing_email, ReadBillingEmail(body));
  if (const nlohmann::json* business = Field(body, "businessName")) {
    if (!business->is_string() || business->get<std::string>().size() > kMaxNameChars) {
      return api::FieldErrorStatus("BusinessName", "must be a string of at most 50 characters.");
    }
    out.organization.business_name = business->get<std::string>();
  }
  const nlohmann::json* key = Field(body, "key");
  if (key == nullptr) return api::FieldErrorStatus("Key", "is required.");
  KW_RETURN_IF_ERROR(CheckAsymmetricEncString(*key, "Key"));
  out.owner_key = key->get<std::string>();
  const nlohmann::json* keys = Field(body, "keys");
  if (keys == nullptr || !keys->is_object()) return api::FieldErrorStatus("Keys", "is required.");
  const nlohmann::json* public_key = Field(*keys, "publicKey");
  const nlohmann::json* private_key = Field(*keys, "encryptedPrivateKey");
  if (public_key == nullptr) return api::FieldErrorStatus("Keys.PublicKey", "is required.");
  if (private_key == nullptr) return api::FieldErrorStatus("Keys.EncryptedPrivateKey", "is required.");
  KW_RETURN_IF_ERROR(CheckPublicKey(*public_key, "Keys.PublicKey"));
  KW_RETURN_IF_ERROR(CheckEncString(*private_key, "Keys.EncryptedPrivateKey"));
  out.organization.public_key = public_key->get<std::string>();
  out.organization.private_key = private_key->get<std::string>();
  if (const nlohmann::json* name = Field(body, "collectionName")) {
    KW_RETURN_IF_ERROR(CheckEncString(*name, "CollectionName"));
    out.collection_name = name->get<std::string>();
  }
  return out;
}

bool MayCreate(const OrganizationRoutesContext& c, const store::User& user) {
  using Creators = ServerConfig::Organizations::Creators;
  switch (c.creation.creators) {
    case Creators::kEveryone: return true;
    case Creators::kNobody: return false;
    case Creators::kListed:
      return std::find(c.creation.creator_emails.begin(), c.creation.creator_emails.end(), user.email) !=
             c.creation.creator_emails.end();
  }
  return false;
}

// Whether an enabled single-organisation policy of another organisation binds the account: it
// applies to its accepted and confirmed members other than owners and admins.
Result<bool> BoundBySingleOrg(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(auto policies, organizations::ListEnabledPoliciesOf(
                                         session, user_id, static_cast<int>(organizations::PolicyType::kSingleOrg)));
  for (const auto& p : policies) {
    const bool exempt =
        p.member_type == static_cast<int>(MemberType::kOwner) || p.member_type == static_cast<int>(MemberType::kAdmin);
    const bool bound = p.member_status == static_cast<int>(MemberStatus::kAccepted) ||
                       p.member_status == static_cast<int>(MemberStatus::kConfirmed);
    if (bound && !exempt) return true;
  }
  return false;
}

constexpr sql::Statement kInsertCollection = {
    "server_insert_first_collection",
    "INSERT INTO collections(id, organization_id, name, external_id, type, default_user_collection_email, "
    "creation_date, revision_date) VALUES ($1, $2, $3, NULL, 0, NULL, $4, $4)",
    nullptr, nullptr, "to add a collection"};
constexpr sql::Statement kGrantCollection = {
    "server_grant_first_collection",
    "INSERT INTO collection_users(collection_id, organization_user_id, read_only, hide_passwords, manage) VALUES "
    "($1, $2, 0, 0, 1)",
    nullptr, nullptr, "to grant a collection"};

Result<Organization> Create(OrganizationRoutesContext& c, const store::User& user, NewOrganization& created) {
  const TimeMs now = api::NowMs(c.accounts.api.clock);
  Organization& o = created.organization;
  KW_ASSIGN_OR_RETURN(o.id, auth::NewGuid());
  o.creation_date = o.revision_date = now;
  Member owner;
  KW_ASSIGN_OR_RETURN(owner.id, auth::NewGuid());
  owner.organization_id = o.id;
  owner.user_id = user.id;
  owner.type = MemberType::kOwner;
  owner.status = MemberStatus::kConfirmed;
  owner.member_key = created.owner_key;
  owner.creation_date = owner.revision_date = now;
  std::string collection_id;
  if (!created.collection_name.empty()) {
    KW_ASSIGN_OR_RETURN(collection_id, auth::NewGuid());
  }
  const Status stored = c.accounts.api.database.Transact([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(const bool bound, BoundBySingleOrg(session, user.id));
    if (bound) return InvalidArgumentError(std::string(kSingleOrgRefusal));
    KW_RETURN_IF_ERROR(organizations::InsertOrganization(session, o));
    KW_RETURN_IF_ERROR(organizations::InsertMember(session, owner));
    if (!collection_id.empty()) {
      KW_RETURN_IF_ERROR(
          session
              .Execute(kInsertCollection,
                       sql::Params().Text(collection_id).Text(o.id).Text(created.collection_name).Int(now))
              .status());
      KW_RETURN_IF_ERROR(session.Execute(kGrantCollection, sql::Params().Text(collection_id).Text(owner.id)).status());
    }
    return store::TouchAccountRevision(session, user.id, now);
  });
  KW_RETURN_IF_ERROR(stored);
  return o;
}

}  // namespace

void AddOrganizationRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);
  sql::Database& database = context.accounts.api.database;

  add("POST", "/api/organizations", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    if (!MayCreate(*c, user)) return api::BadRequest("You may not create an organization on this server.");
    auto created = ParseNewOrganization(*body);
    if (!created.ok()) return api::RequestErrorResponse(created.status());
    auto organization = Create(*c, user, *created);
    if (!organization.ok()) return api::FromStatus(organization.status());
    return http::JsonResponse(200, organizations::OrganizationJson(*organization));
  });

  add("GET", "/api/organizations", [&database](const http::HttpRequest&, store::User& user) {
    nlohmann::json data;
    const Status read = database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(
          data, organizations::ProfileOrganizationsJson(session, user.id, organizations::MembershipScope::kNotRevoked));
      return OkStatus();
    });
    return Answer(read, organizations::ListJson(std::move(data)));
  });

  add("GET", "/api/organizations/{id}", [&database](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    nlohmann::json body;
    const Status read = database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().IsOwner()));
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization, organizations::FindOrganization(session, *id));
      if (!organization) return NotFoundError("organization");
      body = organizations::OrganizationJson(*organization);
      return OkStatus();
    });
    return Answer(read, body);
  });

  const auto update = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto name = ReadText(*body, "name", "Name", kMaxNameChars);
    if (!name.ok()) return api::RequestErrorResponse(name.status());
    auto billing_email = ReadBillingEmail(*body);
    if (!billing_email.ok()) return api::RequestErrorResponse(billing_email.status());
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    nlohmann::json answer;
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().IsOwner()));
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization, organizations::FindOrganization(session, *id));
      if (!organization) return NotFoundError("organization");
      organization->name = *name;
      organization->billing_email = *billing_email;
      if (const nlohmann::json* business = Field(*body, "businessName"); business && business->is_string()) {
        organization->business_name = business->get<std::string>().substr(0, kMaxNameChars);
      }
      organization->revision_date = now;
      KW_RETURN_IF_ERROR(organizations::UpdateOrganization(session, *organization));
      KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *id, now));
      answer = organizations::OrganizationJson(*organization);
      return OkStatus();
    });
    if (saved.ok()) {
      c->accounts.api.events.Record(organizations::internal::OrganizationEvent(events::EventType::kOrganizationUpdated,
                                                                               *id, user.id, request, now));
    }
    return Answer(saved, answer);
  };
  add("PUT", "/api/organizations/{id}", update);
  add("POST", "/api/organizations/{id}", update);

  const auto remove = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body.empty() ? std::string("{}") : request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    // Owners only, before the password is checked: a stranger learns nothing from the answer.
    const Status owner = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *id, user.id));
      return Require(caller.role().IsOwner());
    });
    if (!owner.ok()) return api::FromStatus(owner);
    if (auto refused = RefuseUnverified(c->accounts, user, *body)) return *refused;
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    return AnswerEmpty(c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().IsOwner()));
      return organizations::DeleteOrganization(session, *id, now);
    }));
  };
  add("DELETE", "/api/organizations/{id}", remove);
  add("POST", "/api/organizations/{id}/delete", remove);

  // The organisation's public key. GET .../keys is the reference's older name for the same answer
  // (it no longer returns the private key); clients still call it to enrol in account recovery.
  const auto public_key = [&database](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    nlohmann::json body;
    const Status read = database.Read([&](sql::Session& session) -> Status {
      // Invited members too: accepting with automatic enrolment encrypts to this key.
      std::optional<Member> caller;
      KW_ASSIGN_OR_RETURN(caller, organizations::FindMembershipOf(session, *id, user.id));
      if (!caller) {
        KW_ASSIGN_OR_RETURN(caller, organizations::FindInvitation(session, *id, user.email));
      }
      if (!caller || caller->status == MemberStatus::kRevoked) return NotFoundError("organization");
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization, organizations::FindOrganization(session, *id));
      if (!organization) return NotFoundError("organization");
      body = {{"publicKey", organization->public_key}, {"object", "organizationPublicKey"}};
      return OkStatus();
    });
    return Answer(read, body);
  };
  add("GET", "/api/organizations/{id}/public-key", public_key);
  add("GET", "/api/organizations/{id}/keys", public_key);

  add("POST", "/api/organizations/{id}/leave", [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    std::string member_id;
    const Status left = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *id, user.id));
      // A Key Connector account would lose the key server that unlocks it.
      KW_ASSIGN_OR_RETURN(std::optional<sso::SsoConfig> sso_config, sso::FindSsoConfig(session, *id));
      if (sso_config && sso_config->data.member_decryption_type == sso::MemberDecryptionType::kKeyConnector &&
          user.uses_key_connector) {
        return InvalidArgumentError("Your organization single sign-on settings prevent you from leaving.");
      }
      if (caller.type == MemberType::kOwner && caller.status == MemberStatus::kConfirmed) {
        KW_ASSIGN_OR_RETURN(std::int64_t owners, organizations::CountConfirmedOwners(session, *id));
        if (owners <= 1) return InvalidArgumentError("Organization must have at least one confirmed owner.");
      }
      member_id = caller.id;
      KW_RETURN_IF_ERROR(organizations::DeleteMember(session, *id, caller.id).status());
      return store::TouchAccountRevision(session, user.id, now);
    });
    if (left.ok()) {
      events::Event event =
          organizations::internal::OrganizationEvent(events::EventType::kMemberLeft, *id, user.id, request, now);
      event.organization_user_id = member_id;
      event.user_id = user.id;
      c->accounts.api.events.Record(std::move(event));
    }
    return AnswerEmpty(left);
  });

  AddMemberRoutes(router, context);
  AddPolicyRoutes(router, context);
  AddRecoveryEnrollmentRoutes(router, context);
  AddRecoveryRoutes(router, context);
}

}  // namespace keywarden::server
