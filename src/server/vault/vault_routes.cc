#include "server/vault/vault_routes.h"
#include "auth/user_id.h"

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/collections/caller_access.h"
#include "server/collections/collection_json.h"
#include "server/collections/collection_permissions.h"
#include "server/collections/collection_store.h"
#include "server/collections/organization_ids.h"
#include "server/collections/request_event.h"
#include "server/identity/account_json.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_store.h"
#include "server/two_factor/two_factor_login.h"
#include "server/vault/cipher_request.h"
#include "server/vault/folder_request.h"
#include "server/vault/internal/cipher_answers.h"
#include "server/vault/organization_cipher_store.h"
#include "server/vault/organization_item_routes.h"
#include "server/vault/vault_pushes.h"
#include "server/vault/vault_store.h"
#include "sql/counting_session.h"

namespace keywarden::server {
namespace {

using api::BadRequest;
using api::FromStatus;
using api::NotFound;
using events::EventType;
using vault::CipherAccess;
using vault::StoredCipher;
using vault::StoredFolder;
using vault::VisibleCipher;
using vault::internal::JsonText;
using vault::internal::Refused;

// The reference allows this much difference between the client's copy and the stored one.
constexpr TimeMs kRevisionTolerance = 1000;
constexpr std::size_t kMaxBulkIds = 500;

http::HttpResponse Empty() {
  http::HttpResponse response;
  response.status = 200;
  return response;
}

http::HttpResponse CipherResponse(const StoredCipher& cipher, const CipherAccess& access = {}) {
  return vault::internal::CipherAnswer(cipher, access);
}

// Logs an event about an organisation item; personal items' events are not logged (the
// reference logs them only for organisations with events, which personal items have none of).
void LogItemEvent(AccountRoutesContext& c, const http::HttpRequest& request, const store::User& user, EventType type,
                  const StoredCipher& cipher) {
  if (!cipher.organization_id) return;
  events::Event event = collections::RequestEvent(request, user.id, type, api::NowMs(c.api.clock));
  event.organization_id = *cipher.organization_id;
  event.cipher_id = cipher.id;
  c.api.events.Record(std::move(event));
}

// The personal ownership policy (type 5) of an organisation where the account is an accepted or
// confirmed member other than owner or admin forbids personal items (the reference's
// OrganizationDataOwnershipPolicyRequirement: invited and revoked members, owners and admins are
// exempt).
Result<bool> PersonalItemsForbidden(sql::Session& session, const store::User& user) {
  KW_ASSIGN_OR_RETURN(auto policies,
                      organizations::ListEnabledPoliciesOf(
                          session, user.id, static_cast<int>(organizations::PolicyType::kPersonalOwnership)));
  for (const auto& policy : policies) {
    const bool exempt_status = policy.member_status == static_cast<int>(organizations::MemberStatus::kInvited) ||
                               policy.member_status == static_cast<int>(organizations::MemberStatus::kRevoked);
    const bool exempt_type = policy.member_type == static_cast<int>(organizations::MemberType::kOwner) ||
                             policy.member_type == static_cast<int>(organizations::MemberType::kAdmin);
    if (!exempt_status && !exempt_type) return true;
  }
  return false;
}

http::HttpResponse FolderResponse(const StoredFolder& folder) {
  std::string body;
  vault::AppendFolderJson(folder, body);
  return JsonText(std::move(body));
}

// The vault's changes all go the same way: the account's revision date moves with them. It moves
// first, so that the change holds the account's row for its whole transaction: a user-key rotation
// (key_management/rotation_apply.h), which writes that row before it reads the vault, then either
// waits for the change and sees it, or runs first and the change comes after it.
Status Write(AccountRoutesContext& c, const store::User& user, const sql::Database::Work& work) {
  const TimeMs now = api::NowMs(c.api.clock);
  return c.api.database.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(store::TouchAccountRevision(session, user.id, now));
    return work(session);
  });
}

// {"ids": [GUID, ...]}: the bulk routes' body. Unknown ids are skipped, as the reference does.
Result<std::vector<std::string>> BulkIds(const nlohmann::json& body) {
  const nlohmann::json* ids = http::FindField(body, "ids");
  if (ids == nullptr || !ids->is_array()) return api::FieldErrorStatus("Ids", "is required.");
  if (ids->size() > kMaxBulkIds) return api::FieldErrorStatus("Ids", "may hold at most 500 ids.");
  std::vector<std::string> out;
  for (const auto& id : *ids) {
    if (!id.is_string()) return api::FieldErrorStatus("Ids", "must hold ids.");
    auto guid = api::ParseGuid(id.get<std::string>());
    if (!guid) return api::FieldErrorStatus("Ids", "must hold ids.");
    out.push_back(*guid);
  }
  return out;
}

// Checks a write's folder (the caller's own, or none) and the rules the reference applies to
// what the client encrypted. Returns the answer to give instead, if any.
std::optional<http::HttpResponse> CheckWrite(sql::Session& session, const store::User& user,
                                             const vault::CipherWrite& write, Status& failure) {
  if (write.encrypted_for.has_value() && *write.encrypted_for != user.id) {
    return BadRequest("Cipher was not encrypted for the current user. Please try again.");
  }
  if (write.folder_id.has_value()) {
    auto folder = vault::FindFolder(session, user.id, *write.folder_id);
    if (!folder.ok()) {
      failure = folder.status();
      return FromStatus(failure);
    }
    if (!folder->has_value()) return api::InvalidField("FolderId", "FolderId is not one of your folders.");
  }
  return std::nullopt;
}

void Apply(const vault::CipherWrite& write, StoredCipher& cipher) {
  cipher.type = write.type;
  cipher.data = write.data;
  cipher.folder_id = write.folder_id;
  cipher.favorite = write.favorite;
  cipher.reprompt = write.reprompt;
  cipher.organization_id = write.organization_id;
}

// The user's items, personal then the organisations', as a JSON array's elements
// (comma-separated), appended to `out` as they are read: two statements, whatever the vault holds.
Status AppendCipherList(sql::Session& session, const store::User& user, std::string& out) {
  const vault::CipherViewerRights rights;
  bool first = true;
  KW_RETURN_IF_ERROR(vault::ForEachCipher(session, user.id, [&](const StoredCipher& cipher) {
    if (!first) out += ',';
    first = false;
    vault::AppendCipherJson(cipher, rights, vault::CipherObject::kCipherDetails, out);
    return OkStatus();
  }));
  return vault::ForEachOrganizationCipherOf(
      session, user.id, [&](const StoredCipher& cipher, const CipherAccess& access) {
        if (!first) out += ',';
        first = false;
        vault::AppendCipherJson(cipher, vault::ViewerRights(cipher, access), vault::CipherObject::kCipherDetails, out);
        return OkStatus();
      });
}

// The collections of the user's organisations they are assigned to (confirmed members only),
// with their rights, as a JSON array's elements.
Status AppendCollectionList(sql::Session& session, const store::User& user, std::string& out) {
  KW_ASSIGN_OR_RETURN(auto assigned, collections::ListAssignedCollections(session, user.id));
  for (std::size_t i = 0; i < assigned.size(); ++i) {
    if (i > 0) out += ',';
    out +=
        collections::CollectionDetailsJson(assigned[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return OkStatus();
}

// The sync's answer, rendered into `out` as the database hands out the rows: the items go from
// the statement to the JSON one at a time, so a 5,000-item vault is held once, as the answer.
Status RenderSync(sql::Session& session, const store::User& user, bool exclude_domains, std::string& out) {
  out.clear();  // the read may run again
  KW_ASSIGN_OR_RETURN(const bool two_factor_enabled, TwoFactorEnabled(session, user.id));
  KW_ASSIGN_OR_RETURN(const std::vector<StoredFolder> folders, vault::ListFolders(session, user.id));
  nlohmann::json profile = ProfileJson(user, two_factor_enabled);
  KW_ASSIGN_OR_RETURN(profile["organizations"], organizations::ProfileOrganizationsJson(
                                                    session, user.id, organizations::MembershipScope::kConfirmed));
  KW_ASSIGN_OR_RETURN(const nlohmann::json policies, organizations::SyncPoliciesJson(session, user.id));
  out += R"({"object":"sync","profile":)";
  out += profile.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += R"(,"folders":[)";
  for (std::size_t i = 0; i < folders.size(); ++i) {
    if (i > 0) out += ',';
    vault::AppendFolderJson(folders[i], out);
  }
  out += R"(],"collections":[)";
  KW_RETURN_IF_ERROR(AppendCollectionList(session, user, out));
  out += R"(],"ciphers":[)";
  KW_RETURN_IF_ERROR(AppendCipherList(session, user, out));
  out += R"(],"policies":)";
  out += policies.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += R"(,"sends":[],"domains":)";
  out += exclude_domains ? "null" : R"({"equivalentDomains":[],"globalEquivalentDomains":[],"object":"domains"})";
  out += R"(,"userDecryption":)";
  out += SyncUserDecryptionJson(user).dump();
  out += '}';
  return OkStatus();
}

}  // namespace

void AddVaultRoutes(http::Router& router, AccountRoutesContext& context, const VaultRouteOptions& options) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);
  // The routes that change the vault also learn the caller's device: the pushes they queue name
  // it, so that its own clients skip them (vault_pushes.h).
  const auto add_change = [&router, c](std::string method, std::string_view path, api::DeviceUserHandler handler) {
    return router.Add(std::move(method), path, api::AuthenticatedDevice(c->api, std::move(handler)),
                      http::Execution::kBlocking);
  };
  using notifications::PushType;
  const auto whole_vault = [&](http::Router::RouteHandle route) {
    if (options.whole_vault_limit) route.Limit(options.whole_vault_limit);
  };

  const std::shared_ptr<std::atomic<std::uint64_t>> sync_statements = options.sync_statements;
  whole_vault(add("GET", "/api/sync", [c, sync_statements](const http::HttpRequest& request, store::User& user) {
    const bool exclude_domains = request.query.find("excludeDomains=true") != std::string::npos;
    std::string body;
    const Status read = c->api.database.Read([&](sql::Session& session) {
      sql::CountingSession counted(session);
      const Status rendered = RenderSync(counted, user, exclude_domains, body);
      if (sync_statements) sync_statements->store(counted.statements(), std::memory_order_relaxed);
      return rendered;
    });
    if (!read.ok()) return FromStatus(read);
    return JsonText(std::move(body));
  }));

  // Folders.
  add("GET", "/api/folders", [c](const http::HttpRequest&, store::User& user) {
    std::vector<StoredFolder> folders;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(folders, vault::ListFolders(session, user.id));
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    std::string body = R"({"data":[)";
    for (std::size_t i = 0; i < folders.size(); ++i) {
      if (i > 0) body += ',';
      vault::AppendFolderJson(folders[i], body);
    }
    body += R"(],"continuationToken":null,"object":"list"})";
    return JsonText(std::move(body));
  });
  add("GET", "/api/folders/{id}", [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    std::optional<StoredFolder> folder;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(folder, vault::FindFolder(session, user.id, *id));
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    if (!folder) return NotFound();
    return FolderResponse(*folder);
  });
  add_change("POST", "/api/folders",
             [c](const http::HttpRequest& request, store::User& user, const std::string& device) {
               auto body = http::ParseJsonObject(request.body);
               if (!body.ok()) return BadRequest(body.status().message());
               auto write = vault::ParseFolderRequest(*body);
               if (!write.ok()) return api::RequestErrorResponse(write.status());
               auto id = auth::NewGuid();
               if (!id.ok()) return FromStatus(id.status());
               StoredFolder folder{*id, write->name, api::NowMs(c->api.clock)};
               const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
                 KW_RETURN_IF_ERROR(vault::InsertFolder(session, user.id, folder));
                 return vault::QueueFolderPush(session, PushType::kSyncFolderCreate, user.id, folder, device,
                                               folder.revision_date);
               });
               if (!saved.ok()) return FromStatus(saved);
               return FolderResponse(folder);
             });
  const auto update_folder = [c](const http::HttpRequest& request, store::User& user, const std::string& device) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = vault::ParseFolderRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    StoredFolder folder{*id, write->name, api::NowMs(c->api.clock)};
    bool found = false;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(found, vault::UpdateFolder(session, user.id, folder));
      if (!found) return NotFoundError("folder");
      return vault::QueueFolderPush(session, PushType::kSyncFolderUpdate, user.id, folder, device,
                                    folder.revision_date);
    });
    if (!found) return NotFound();
    if (!saved.ok()) return FromStatus(saved);
    return FolderResponse(folder);
  };
  add_change("PUT", "/api/folders/{id}", update_folder);
  add_change("POST", "/api/folders/{id}", update_folder);
  const auto delete_folder = [c](const http::HttpRequest& request, store::User& user, const std::string& device) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    bool found = false;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      const TimeMs now = api::NowMs(c->api.clock);
      KW_ASSIGN_OR_RETURN(found, vault::DeleteFolder(session, user.id, *id, now));
      if (!found) return NotFoundError("folder");
      return vault::QueueFolderPush(session, PushType::kSyncFolderDelete, user.id, StoredFolder{*id, "", now}, device,
                                    now);
    });
    if (!found) return NotFound();
    if (!saved.ok()) return FromStatus(saved);
    return Empty();
  };
  add_change("DELETE", "/api/folders/{id}", delete_folder);
  add_change("POST", "/api/folders/{id}/delete", delete_folder);

  // Ciphers.
  whole_vault(add("GET", "/api/ciphers", [c](const http::HttpRequest&, store::User& user) {
    std::string body;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      body = R"({"data":[)";  // the read may run again
      KW_RETURN_IF_ERROR(AppendCipherList(session, user, body));
      body += R"(],"continuationToken":null,"object":"list"})";
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    return JsonText(std::move(body));
  }));
  const auto get_cipher = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    std::optional<VisibleCipher> found;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(found, vault::FindVisibleCipher(session, user.id, *id));
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    if (!found) return NotFound();
    return CipherResponse(found->cipher, found->access);
  };
  add("GET", "/api/ciphers/{id}", get_cipher);
  add("GET", "/api/ciphers/{id}/details", get_cipher);

  // A new item: personal (unless a personal ownership policy forbids it), or the organisation's
  // in collections the caller may add items to (`admin`: any of the organisation's, for those who
  // administer its items).
  const auto create = [c](bool wrapped, bool admin) {
    return [c, wrapped, admin](const http::HttpRequest& request, store::User& user, const std::string& device) {
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      auto write = wrapped ? vault::ParseCipherCreateRequest(*body) : vault::ParseCipherRequest(*body);
      if (!write.ok()) return api::RequestErrorResponse(write.status());
      if (write->organization_id && write->collection_ids.empty()) {
        return api::InvalidField("CollectionIds",
                                 "CollectionIds must name at least one collection for an "
                                 "organization's item.");
      }
      if (admin && !write->organization_id) return NotFound();
      auto id = auth::NewGuid();
      if (!id.ok()) return FromStatus(id.status());
      const TimeMs now = api::NowMs(c->api.clock);
      StoredCipher cipher;
      cipher.id = *id;
      cipher.creation_date = now;
      cipher.revision_date = now;
      Apply(*write, cipher);
      CipherAccess access;
      std::optional<http::HttpResponse> refused;
      Status failure;
      const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
        refused = CheckWrite(session, user, *write, failure);
        if (refused) return failure.ok() ? Refused() : failure;
        if (!cipher.organization_id) {
          KW_ASSIGN_OR_RETURN(const bool forbidden, PersonalItemsForbidden(session, user));
          if (forbidden) {
            refused =
                BadRequest("Due to an Enterprise Policy, you are restricted from saving items to your personal vault.");
            return Refused();
          }
          cipher.user_id = user.id;
          KW_RETURN_IF_ERROR(vault::InsertCipher(session, cipher));
          return vault::QueueCipherPush(session, PushType::kSyncCipherCreate, cipher, device, now);
        }
        const std::string& org = *cipher.organization_id;
        KW_ASSIGN_OR_RETURN(auto caller, collections::LoadCallerAccess(session, org, user.id));
        KW_ASSIGN_OR_RETURN(const bool ours, collections::AreCollectionsOf(session, org, write->collection_ids));
        const bool allowed =
            admin ? collections::MayAdministerItems(caller.role) : caller.MayEditItemsIn(write->collection_ids);
        if (!caller.confirmed() || !ours || !allowed) {
          refused = NotFound();
          return Refused();
        }
        cipher.user_id.reset();
        KW_RETURN_IF_ERROR(vault::InsertCipher(session, cipher));
        KW_RETURN_IF_ERROR(vault::UpdateCipherById(session, cipher).status());  // no shared folder or favourite
        KW_RETURN_IF_ERROR(vault::SetCipherCollections(session, cipher.id, write->collection_ids));
        KW_RETURN_IF_ERROR(vault::SaveCipherPreference(session, user.id, cipher.id, cipher.folder_id, cipher.favorite));
        KW_RETURN_IF_ERROR(organizations::TouchMembers(session, org, now));
        KW_ASSIGN_OR_RETURN(auto visible, vault::FindVisibleCipher(session, user.id, cipher.id));
        if (visible) {
          cipher.collection_ids = visible->cipher.collection_ids;
          access = visible->access;
        } else {
          cipher.collection_ids = write->collection_ids;  // an administrator outside the collections
        }
        return vault::QueueCipherPush(session, PushType::kSyncCipherCreate, cipher, device, now);
      });
      if (refused) return *refused;
      if (!saved.ok()) return FromStatus(saved);
      LogItemEvent(*c, request, user, EventType::kCipherCreated, cipher);
      return CipherResponse(cipher, access);
    };
  };
  add_change("POST", "/api/ciphers", create(false, false));
  add_change("POST", "/api/ciphers/create", create(true, false));
  add_change("POST", "/api/ciphers/admin", create(true, true));

  const auto update = [c](const http::HttpRequest& request, store::User& user, const std::string& device) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = vault::ParseCipherRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    std::optional<VisibleCipher> found;
    std::optional<http::HttpResponse> refused;
    Status failure;
    const TimeMs now = api::NowMs(c->api.clock);
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(found, vault::FindVisibleCipher(session, user.id, *id));
      if (!found) {
        refused = NotFound();
        return Refused();
      }
      StoredCipher& cipher = found->cipher;
      if (write->organization_id != cipher.organization_id) {
        refused = BadRequest("Organization mismatch. Re-sync if you recently moved this item, then try again.");
        return Refused();
      }
      if (!found->access.edit) {
        refused = BadRequest("You do not have permissions to edit this.");
        return Refused();
      }
      if (write->last_known_revision_date.has_value() &&
          std::abs(*write->last_known_revision_date - cipher.revision_date) > kRevisionTolerance) {
        refused = BadRequest("The item cannot be saved because it is out of date. Sync, then try again.");
        return Refused();
      }
      refused = CheckWrite(session, user, *write, failure);
      if (refused) return failure.ok() ? Refused() : failure;
      Apply(*write, cipher);
      cipher.revision_date = now;
      if (!cipher.organization_id) {
        KW_RETURN_IF_ERROR(vault::UpdateCipher(session, user.id, cipher).status());
      } else {
        KW_RETURN_IF_ERROR(vault::UpdateCipherById(session, cipher).status());
        KW_RETURN_IF_ERROR(vault::SaveCipherPreference(session, user.id, cipher.id, cipher.folder_id, cipher.favorite));
        KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *cipher.organization_id, now));
      }
      return vault::QueueCipherPush(session, PushType::kSyncCipherUpdate, cipher, device, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    LogItemEvent(*c, request, user, EventType::kCipherUpdated, found->cipher);
    return CipherResponse(found->cipher, found->access);
  };
  add_change("PUT", "/api/ciphers/{id}", update);
  add_change("POST", "/api/ciphers/{id}", update);

  // The caller's folder and favourite: an organisation item's are the caller's own.
  const auto save_preference = [](sql::Session& session, const store::User& user, StoredCipher& cipher) -> Status {
    if (!cipher.organization_id) return vault::UpdateCipher(session, user.id, cipher).status();
    return vault::SaveCipherPreference(session, user.id, cipher.id, cipher.folder_id, cipher.favorite);
  };

  const auto partial = [c, save_preference](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    std::optional<std::string> folder_id;
    if (const nlohmann::json* f = http::FindField(*body, "folderId"); f != nullptr && !f->is_null()) {
      if (!f->is_string() || !api::ParseGuid(f->get<std::string>()))
        return api::InvalidField("FolderId", "FolderId must be an id.");
      folder_id = api::ParseGuid(f->get<std::string>());
    }
    bool favorite = false;
    if (const nlohmann::json* f = http::FindField(*body, "favorite"); f != nullptr && !f->is_null()) {
      if (!f->is_boolean()) return api::InvalidField("Favorite", "Favorite must be true or false.");
      favorite = f->get<bool>();
    }
    std::optional<VisibleCipher> found;
    std::optional<http::HttpResponse> refused;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(found, vault::FindVisibleCipher(session, user.id, *id));
      if (!found) {
        refused = NotFound();
        return Refused();
      }
      if (folder_id) {
        KW_ASSIGN_OR_RETURN(auto folder, vault::FindFolder(session, user.id, *folder_id));
        if (!folder) {
          refused = api::InvalidField("FolderId", "FolderId is not one of your folders.");
          return Refused();
        }
      }
      found->cipher.folder_id = folder_id;
      found->cipher.favorite = favorite;
      if (!found->cipher.organization_id) found->cipher.revision_date = api::NowMs(c->api.clock);
      return save_preference(session, user, found->cipher);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    return CipherResponse(found->cipher, found->access);
  };
  add("PUT", "/api/ciphers/{id}/partial", partial);
  add("POST", "/api/ciphers/{id}/partial", partial);

  // Soft delete, restore and purge, one or many. An organisation item needs the right to delete
  // it (ViewerRights: manage or edit), or, through the admin routes (`admin`), the right to
  // administer the organisation's items; items the caller may not change are skipped.
  enum class Change { kSoftDelete, kRestore, kPurge };
  struct Changed {
    StoredCipher cipher;
    CipherAccess access;
  };
  // One item's change tells its viewers which; a bulk change tells the caller's clients to sync
  // their items, as the reference's PushSyncCiphers does.
  const auto change_many = [c](store::User& user, const std::string& device, const std::vector<std::string>& ids,
                               Change change, bool admin, bool bulk, std::vector<Changed>& changed) -> Status {
    const TimeMs now = api::NowMs(c->api.clock);
    return Write(*c, user, [&](sql::Session& session) -> Status {
      changed.clear();
      std::set<std::string> organizations;
      for (const std::string& id : ids) {
        KW_ASSIGN_OR_RETURN(auto found, vault::FindVisibleCipher(session, user.id, id));
        // An organisation item: through the member routes with the right to delete it, through
        // the admin routes with the right to administer the organisation's items.
        if (found && found->cipher.organization_id &&
            (admin || !vault::ViewerRights(found->cipher, found->access).can_delete)) {
          found.reset();
        }
        if (admin && (!found || found->cipher.organization_id)) {
          // The admin routes reach any item of an organisation whose items the caller administers.
          KW_ASSIGN_OR_RETURN(auto organization, vault::FindCipherOrganization(session, id));
          if (organization) {
            KW_ASSIGN_OR_RETURN(auto caller, collections::LoadCallerAccess(session, *organization, user.id));
            if (collections::MayAdministerItems(caller.role)) {
              KW_ASSIGN_OR_RETURN(auto any, vault::FindOrganizationCipher(session, *organization, id, user.id));
              if (any) found = VisibleCipher{*std::move(any), CipherAccess{}};
            }
          }
        }
        if (!found) continue;
        StoredCipher& cipher = found->cipher;
        if (change == Change::kPurge) {
          KW_ASSIGN_OR_RETURN(bool purged, cipher.organization_id ? vault::PurgeCipherById(session, id)
                                                                  : vault::PurgeCipher(session, user.id, id));
          if (!purged) continue;
        } else {
          if (change == Change::kSoftDelete) {
            if (!cipher.deleted_date) cipher.deleted_date = now;
          } else {
            cipher.deleted_date.reset();
          }
          cipher.revision_date = now;
          if (cipher.organization_id) {
            KW_RETURN_IF_ERROR(vault::UpdateCipherById(session, cipher).status());
          } else {
            KW_RETURN_IF_ERROR(vault::UpdateCipher(session, user.id, cipher).status());
          }
        }
        if (cipher.organization_id) organizations.insert(*cipher.organization_id);
        if (!bulk) {
          const PushType type = change == Change::kPurge ? PushType::kSyncLoginDelete : PushType::kSyncCipherUpdate;
          KW_RETURN_IF_ERROR(vault::QueueCipherPush(session, type, cipher, device, now));
        }
        changed.push_back(Changed{std::move(cipher), found->access});
      }
      for (const std::string& organization : organizations) {
        KW_RETURN_IF_ERROR(organizations::TouchMembers(session, organization, now));
      }
      if (bulk && !changed.empty()) {
        KW_RETURN_IF_ERROR(vault::QueueVaultPush(session, PushType::kSyncCiphers, user.id, device, now));
      }
      return OkStatus();
    });
  };
  const auto event_of = [](Change change) {
    return change == Change::kPurge     ? EventType::kCipherDeleted
           : change == Change::kRestore ? EventType::kCipherRestored
                                        : EventType::kCipherSoftDeleted;
  };
  const auto one = [c, change_many, event_of](Change change, bool admin) {
    return [c, change_many, event_of, change, admin](const http::HttpRequest& request, store::User& user,
                                                     const std::string& device) {
      const auto id = api::ParseGuid(request.path_param("id"));
      if (!id) return NotFound();
      std::vector<Changed> changed;
      const Status saved = change_many(user, device, {*id}, change, admin, /*bulk=*/false, changed);
      if (!saved.ok()) return FromStatus(saved);
      if (changed.empty()) return NotFound();
      LogItemEvent(*c, request, user, event_of(change), changed.front().cipher);
      if (change == Change::kRestore) return CipherResponse(changed.front().cipher, changed.front().access);
      return Empty();
    };
  };
  add_change("PUT", "/api/ciphers/{id}/delete", one(Change::kSoftDelete, false));
  add_change("POST", "/api/ciphers/{id}/delete", one(Change::kSoftDelete, false));
  add_change("PUT", "/api/ciphers/{id}/delete-admin", one(Change::kSoftDelete, true));
  add_change("PUT", "/api/ciphers/{id}/restore", one(Change::kRestore, false));
  add_change("PUT", "/api/ciphers/{id}/restore-admin", one(Change::kRestore, true));
  add_change("DELETE", "/api/ciphers/{id}", one(Change::kPurge, false));
  add_change("DELETE", "/api/ciphers/{id}/admin", one(Change::kPurge, true));
  add_change("POST", "/api/ciphers/{id}/delete-admin", one(Change::kPurge, true));
  const auto many = [c, change_many, event_of](Change change, bool admin) {
    return [c, change_many, event_of, change, admin](const http::HttpRequest& request, store::User& user,
                                                     const std::string& device) {
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      auto ids = BulkIds(*body);
      if (!ids.ok()) return api::RequestErrorResponse(ids.status());
      std::vector<Changed> changed;
      const Status saved = change_many(user, device, *ids, change, admin, /*bulk=*/true, changed);
      if (!saved.ok()) return FromStatus(saved);
      for (const Changed& item : changed) LogItemEvent(*c, request, user, event_of(change), item.cipher);
      if (change != Change::kRestore) return Empty();
      std::string out = R"({"data":[)";
      for (std::size_t i = 0; i < changed.size(); ++i) {
        if (i > 0) out += ',';
        vault::AppendCipherJson(changed[i].cipher, vault::ViewerRights(changed[i].cipher, changed[i].access),
                                vault::CipherObject::kCipher, out);
      }
      out += R"(],"continuationToken":null,"object":"list"})";
      return JsonText(std::move(out));
    };
  };
  add_change("PUT", "/api/ciphers/delete", many(Change::kSoftDelete, false));
  add_change("POST", "/api/ciphers/delete", many(Change::kSoftDelete, false));
  add_change("PUT", "/api/ciphers/delete-admin", many(Change::kSoftDelete, true));
  add_change("PUT", "/api/ciphers/restore", many(Change::kRestore, false));
  add_change("PUT", "/api/ciphers/restore-admin", many(Change::kRestore, true));
  add_change("DELETE", "/api/ciphers", many(Change::kPurge, false));
  add_change("DELETE", "/api/ciphers/admin", many(Change::kPurge, true));
  add_change("POST", "/api/ciphers/delete-admin", many(Change::kPurge, true));

  const auto move = [c, save_preference](const http::HttpRequest& request, store::User& user,
                                         const std::string& device) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto ids = BulkIds(*body);
    if (!ids.ok()) return api::RequestErrorResponse(ids.status());
    std::optional<std::string> folder_id;
    if (const nlohmann::json* f = http::FindField(*body, "folderId"); f != nullptr && !f->is_null()) {
      if (!f->is_string() || !api::ParseGuid(f->get<std::string>()))
        return api::InvalidField("FolderId", "FolderId must be an id.");
      folder_id = api::ParseGuid(f->get<std::string>());
    }
    bool folder_missing = false;
    const TimeMs now = api::NowMs(c->api.clock);
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      if (folder_id) {
        KW_ASSIGN_OR_RETURN(auto folder, vault::FindFolder(session, user.id, *folder_id));
        folder_missing = !folder.has_value();
        if (folder_missing) return InvalidArgumentError("folder");
      }
      for (const std::string& id : *ids) {
        KW_ASSIGN_OR_RETURN(auto found, vault::FindVisibleCipher(session, user.id, id));
        if (!found) continue;
        found->cipher.folder_id = folder_id;
        if (!found->cipher.organization_id) found->cipher.revision_date = now;
        KW_RETURN_IF_ERROR(save_preference(session, user, found->cipher));
      }
      return vault::QueueVaultPush(session, PushType::kSyncCiphers, user.id, device, now);
    });
    if (folder_missing) return api::InvalidField("FolderId", "FolderId is not one of your folders.");
    if (!saved.ok()) return FromStatus(saved);
    return Empty();
  };
  add_change("PUT", "/api/ciphers/move", move);
  add_change("POST", "/api/ciphers/move", move);

  vault::AddOrganizationItemRoutes(router, *c);

  add_change("POST", "/api/ciphers/purge",
             [c](const http::HttpRequest& request, store::User& user, const std::string& device) {
               auto body = http::ParseJsonObject(request.body);
               if (!body.ok()) return BadRequest(body.status().message());
               if (auto refused = RefuseUnverified(*c, user, *body)) return *refused;
               const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
                 KW_RETURN_IF_ERROR(vault::PurgeVault(session, user.id));
                 return vault::QueueVaultPush(session, PushType::kSyncVault, user.id, device, api::NowMs(c->api.clock));
               });
               if (!saved.ok()) return FromStatus(saved);
               return Empty();
             });
}

}  // namespace keywarden::server
