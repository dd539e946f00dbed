#include "server/vault/organization_item_routes.h"

#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/collections/access_request.h"
#include "server/collections/caller_access.h"
#include "server/collections/collection_permissions.h"
#include "server/collections/organization_ids.h"
#include "server/collections/request_event.h"
#include "server/organizations/organization_store.h"
#include "server/store/users.h"
#include "server/vault/cipher_request.h"
#include "server/vault/internal/cipher_answers.h"
#include "server/vault/organization_cipher_store.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::vault {
namespace {

using api::BadRequest;
using api::FromStatus;
using api::NotFound;
using events::EventType;
using internal::CipherAnswer;
using internal::JsonText;
using internal::Refused;

constexpr TimeMs kRevisionTolerance = 1000;  // as PUT /ciphers/{id}

void LogItemEvent(AccountRoutesContext& c, const http::HttpRequest& request, const store::User& user, EventType type,
                  const StoredCipher& cipher) {
  events::Event event = collections::RequestEvent(request, user.id, type, api::NowMs(c.api.clock));
  event.organization_id = cipher.organization_id.value_or("");
  event.cipher_id = cipher.id;
  c.api.events.Record(std::move(event));
}

// A write that also moves the caller's account revision, as every vault write does.
Status Write(AccountRoutesContext& c, const store::User& user, const sql::Database::Work& work) {
  const TimeMs now = api::NowMs(c.api.clock);
  return c.api.database.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(work(session));
    return store::TouchAccountRevision(session, user.id, now);
  });
}

// The value of `name` in a query string ("a=1&organizationId=…"), names compared without regard
// to case as the reference's binding does; "" when absent.
std::string QueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

void AddOrganizationItemRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);

  const auto share = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseCipherShareRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    if (write->encrypted_for.has_value() && *write->encrypted_for != user.id) {
      return BadRequest("Cipher was not encrypted for the current user. Please try again.");
    }
    const std::string org = *write->organization_id;
    const TimeMs now = api::NowMs(c->api.clock);
    StoredCipher cipher;
    CipherAccess access;
    std::optional<http::HttpResponse> refused;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(auto found, FindVisibleCipher(session, user.id, *id));
      if (!found) {
        refused = NotFound();
        return Refused();
      }
      if (found->cipher.organization_id) {
        refused = BadRequest("This item already belongs to an organization.");
        return Refused();
      }
      cipher = std::move(found->cipher);
      if (write->last_known_revision_date.has_value() &&
          std::abs(*write->last_known_revision_date - cipher.revision_date) > kRevisionTolerance) {
        refused = BadRequest("The item cannot be saved because it is out of date. Sync, then try again.");
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(auto caller, collections::LoadCallerAccess(session, org, user.id));
      KW_ASSIGN_OR_RETURN(const bool ours, collections::AreCollectionsOf(session, org, write->collection_ids));
      if (!ours || !caller.MayEditItemsIn(write->collection_ids)) {
        refused = NotFound();
        return Refused();
      }
      if (write->folder_id) {
        KW_ASSIGN_OR_RETURN(auto folder, FindFolder(session, user.id, *write->folder_id));
        if (!folder) {
          refused = api::InvalidField("FolderId", "FolderId is not one of your folders.");
          return Refused();
        }
      }
      cipher.user_id.reset();
      cipher.organization_id = org;
      cipher.type = write->type;
      cipher.data = write->data;
      cipher.reprompt = write->reprompt;
      cipher.folder_id = write->folder_id;
      cipher.favorite = write->favorite;
      cipher.revision_date = now;
      KW_RETURN_IF_ERROR(UpdateCipherById(session, cipher).status());
      KW_RETURN_IF_ERROR(SetCipherCollections(session, cipher.id, write->collection_ids));
      KW_RETURN_IF_ERROR(SaveCipherPreference(session, user.id, cipher.id, cipher.folder_id, cipher.favorite));
      KW_RETURN_IF_ERROR(organizations::TouchMembers(session, org, now));
      KW_ASSIGN_OR_RETURN(auto visible, FindVisibleCipher(session, user.id, cipher.id));
      if (visible) {
        cipher.collection_ids = visible->cipher.collection_ids;
        access = visible->access;
      } else {
        cipher.collection_ids = write->collection_ids;
      }
      return OkStatus();
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    LogItemEvent(*c, request, user, EventType::kCipherShared, cipher);
    return CipherAnswer(cipher, access);
  };
  add("PUT", "/api/ciphers/{id}/share", share);
  add("POST", "/api/ciphers/{id}/share", share);

  // The item's collections. A member changes only those they may put items in; the others stay
  // as they are (the reference's CollectionCipher_UpdateCollections). `admin` replaces them all.
  enum class Form { kV2, kCipher, kAdmin };
  const auto set_collections = [c](Form form) {
    return [c, form](const http::HttpRequest& request, store::User& user) {
      const auto id = api::ParseGuid(request.path_param("id"));
      if (!id) return NotFound();
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      auto requested = collections::ParseIdList(*body, "collectionIds", /*required=*/true);
      if (!requested.ok()) return api::RequestErrorResponse(requested.status());
      const TimeMs now = api::NowMs(c->api.clock);
      StoredCipher cipher;
      std::optional<VisibleCipher> after;
      std::optional<http::HttpResponse> refused;
      const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
        refused.reset();
        after.reset();
        std::optional<std::string> org;
        std::optional<collections::CallerAccess> caller;
        if (form == Form::kAdmin) {
          KW_ASSIGN_OR_RETURN(org, FindCipherOrganization(session, *id));
          if (org) {
            KW_ASSIGN_OR_RETURN(caller, collections::LoadCallerAccess(session, *org, user.id));
            if (!collections::MayAdministerItems(caller->role)) org.reset();
          }
          if (org) {
            KW_ASSIGN_OR_RETURN(auto found, FindOrganizationCipher(session, *org, *id, user.id));
            if (found)
              cipher = *std::move(found);
            else
              org.reset();
          }
        } else {
          KW_ASSIGN_OR_RETURN(auto found, FindVisibleCipher(session, user.id, *id));
          if (found && found->cipher.organization_id && found->access.view_password) {
            org = found->cipher.organization_id;
            cipher = std::move(found->cipher);
            KW_ASSIGN_OR_RETURN(caller, collections::LoadCallerAccess(session, *org, user.id));
          }
        }
        if (!org) {
          refused = NotFound();
          return Refused();
        }
        KW_ASSIGN_OR_RETURN(const bool ours, collections::AreCollectionsOf(session, *org, *requested));
        if (!ours) {
          refused = BadRequest("One or more collections do not belong to this organization.");
          return Refused();
        }
        std::vector<std::string> next;
        if (form == Form::kAdmin) {
          next = *requested;
        } else {
          KW_ASSIGN_OR_RETURN(const auto current, ListCipherCollections(session, *id));
          for (const std::string& collection : current) {
            if (!caller->MayEditItemsIn({collection})) next.push_back(collection);
          }
          for (const std::string& collection : *requested) {
            if (caller->MayEditItemsIn({collection})) next.push_back(collection);
          }
        }
        KW_RETURN_IF_ERROR(SetCipherCollections(session, *id, next));
        cipher.revision_date = now;
        KW_RETURN_IF_ERROR(UpdateCipherById(session, cipher).status());
        KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *org, now));
        KW_ASSIGN_OR_RETURN(after, FindVisibleCipher(session, user.id, *id));
        cipher.collection_ids = next;
        return OkStatus();
      });
      if (refused) return *refused;
      if (!saved.ok()) return FromStatus(saved);
      LogItemEvent(*c, request, user, EventType::kCipherUpdatedCollections, cipher);
      if (form == Form::kV2) {
        std::string out = after ? R"({"unavailable":false,"cipher":)" : R"({"unavailable":true,"cipher":null})";
        if (after) {
          AppendCipherJson(after->cipher, ViewerRights(after->cipher, after->access), CipherObject::kCipherDetails,
                           out);
          out += '}';
        }
        return JsonText(std::move(out));
      }
      if (form == Form::kAdmin) return CipherAnswer(cipher, CipherAccess{});
      if (!after) return http::HttpResponse{};
      return CipherAnswer(after->cipher, after->access);
    };
  };
  add("PUT", "/api/ciphers/{id}/collections_v2", set_collections(Form::kV2));
  add("POST", "/api/ciphers/{id}/collections_v2", set_collections(Form::kV2));
  add("PUT", "/api/ciphers/{id}/collections", set_collections(Form::kCipher));
  add("POST", "/api/ciphers/{id}/collections", set_collections(Form::kCipher));
  add("PUT", "/api/ciphers/{id}/collections-admin", set_collections(Form::kAdmin));
  add("POST", "/api/ciphers/{id}/collections-admin", set_collections(Form::kAdmin));

  // An organisation's item by id, for those who administer its items, assigned or not.
  const auto find_administered = [](sql::Session& session, const store::User& user,
                                    std::string_view id) -> Result<std::optional<StoredCipher>> {
    KW_ASSIGN_OR_RETURN(auto org, FindCipherOrganization(session, id));
    if (!org) return std::optional<StoredCipher>();
    KW_ASSIGN_OR_RETURN(auto caller, collections::LoadCallerAccess(session, *org, user.id));
    if (!collections::MayAdministerItems(caller.role)) return std::optional<StoredCipher>();
    return FindOrganizationCipher(session, *org, id, user.id);
  };
  add("GET", "/api/ciphers/{id}/admin", [c, find_administered](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    std::optional<StoredCipher> cipher;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(cipher, find_administered(session, user, *id));
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    if (!cipher) return NotFound();
    return CipherAnswer(*cipher, CipherAccess{});
  });
  const auto update_admin = [c, find_administered](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseCipherRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    if (write->encrypted_for.has_value() && *write->encrypted_for != user.id) {
      return BadRequest("Cipher was not encrypted for the current user. Please try again.");
    }
    const TimeMs now = api::NowMs(c->api.clock);
    std::optional<StoredCipher> cipher;
    std::optional<http::HttpResponse> refused;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(cipher, find_administered(session, user, *id));
      if (!cipher) {
        refused = NotFound();
        return Refused();
      }
      if (write->organization_id != cipher->organization_id) {
        refused = BadRequest("Organization mismatch. Re-sync if you recently moved this item, then try again.");
        return Refused();
      }
      if (write->last_known_revision_date.has_value() &&
          std::abs(*write->last_known_revision_date - cipher->revision_date) > kRevisionTolerance) {
        refused = BadRequest("The item cannot be saved because it is out of date. Sync, then try again.");
        return Refused();
      }
      cipher->type = write->type;
      cipher->data = write->data;
      cipher->reprompt = write->reprompt;
      cipher->revision_date = now;
      KW_RETURN_IF_ERROR(UpdateCipherById(session, *cipher).status());
      return organizations::TouchMembers(session, *cipher->organization_id, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    LogItemEvent(*c, request, user, EventType::kCipherUpdated, *cipher);
    return CipherAnswer(*cipher, CipherAccess{});
  };
  add("PUT", "/api/ciphers/{id}/admin", update_admin);
  add("POST", "/api/ciphers/{id}/admin", update_admin);

  add("GET", "/api/ciphers/organization-details", [c](const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(QueryValue(request.query, "organizationId"));
    if (!org) return NotFound();
    std::string body;
    bool allowed = false;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      body = R"({"data":[)";
      KW_ASSIGN_OR_RETURN(auto caller, collections::LoadCallerAccess(session, *org, user.id));
      allowed = collections::MayAdministerItems(caller.role);
      if (!allowed) return OkStatus();
      bool first = true;
      KW_RETURN_IF_ERROR(ForEachCipherOfOrganization(session, *org, [&](const StoredCipher& cipher) {
        if (!first) body += ',';
        first = false;
        AppendCipherJson(cipher, ViewerRights(cipher, CipherAccess{}), CipherObject::kCipher, body);
        return OkStatus();
      }));
      body += R"(],"continuationToken":null,"object":"list"})";
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    if (!allowed) return NotFound();
    return JsonText(std::move(body));
  });
}

}  // namespace keywarden::server::vault
