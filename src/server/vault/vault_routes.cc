#include "server/vault/vault_routes.h"
#include "auth/user_id.h"

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/identity/account_json.h"
#include "server/organizations/organization_json.h"
#include "server/two_factor/two_factor_login.h"
#include "server/vault/cipher_request.h"
#include "server/vault/folder_request.h"
#include "server/vault/vault_store.h"

namespace keywarden::server {
namespace {

using api::BadRequest;
using api::FromStatus;
using api::NotFound;
using vault::StoredCipher;
using vault::StoredFolder;

// The reference allows this much difference between the client's copy and the stored one.
constexpr TimeMs kRevisionTolerance = 1000;
constexpr std::size_t kMaxBulkIds = 500;

http::HttpResponse JsonText(std::string body) {
  http::HttpResponse response;
  response.content_type = std::string(http::kJsonContentType);
  response.body = std::move(body);
  return response;
}

http::HttpResponse Empty() {
  http::HttpResponse response;
  response.status = 200;
  return response;
}

http::HttpResponse CipherResponse(const StoredCipher& cipher) {
  std::string body;
  vault::AppendCipherJson(cipher, vault::CipherViewerRights{}, vault::CipherObject::kCipher, body);
  return JsonText(std::move(body));
}

http::HttpResponse FolderResponse(const StoredFolder& folder) {
  std::string body;
  vault::AppendFolderJson(folder, body);
  return JsonText(std::move(body));
}

// The vault's changes all end the same way: the account's revision date moves with them.
Status Write(AccountRoutesContext& c, const store::User& user, const sql::Database::Work& work) {
  const TimeMs now = api::NowMs(c.api.clock);
  return c.api.database.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(work(session));
    return store::TouchAccountRevision(session, user.id, now);
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
  if (write.organization_id.has_value()) {
    return BadRequest("Organizations are not available on this server yet.");
  }
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

// The user's items as a JSON array's elements (comma-separated), appended to `out` as they are read.
Status AppendCipherList(sql::Session& session, const store::User& user, std::string& out) {
  const vault::CipherViewerRights rights;
  bool first = true;
  return vault::ForEachCipher(session, user.id, [&](const StoredCipher& cipher) {
    if (!first) out += ',';
    first = false;
    vault::AppendCipherJson(cipher, rights, vault::CipherObject::kCipherDetails, out);
    return OkStatus();
  });
}

// The sync's answer, rendered into `out` as the database hands out the rows: the items go from
// the statement to the JSON one at a time, so a 5,000-item vault is held once, as the answer.
Status RenderSync(sql::Session& session, const store::User& user, bool exclude_domains, std::string& out) {
  out.clear();  // the read may run again
  KW_ASSIGN_OR_RETURN(const bool two_factor_enabled, TwoFactorEnabled(session, user.id));
  KW_ASSIGN_OR_RETURN(const std::vector<StoredFolder> folders, vault::ListFolders(session, user.id));
  nlohmann::json profile = ProfileJson(user, two_factor_enabled);
  KW_ASSIGN_OR_RETURN(profile["organizations"], organizations::ProfileOrganizationsJson(session, user.id));
  KW_ASSIGN_OR_RETURN(const nlohmann::json policies, organizations::SyncPoliciesJson(session, user.id));
  out += R"({"object":"sync","profile":)";
  out += profile.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += R"(,"folders":[)";
  for (std::size_t i = 0; i < folders.size(); ++i) {
    if (i > 0) out += ',';
    vault::AppendFolderJson(folders[i], out);
  }
  out += R"(],"collections":[],"ciphers":[)";
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
  const auto add = [&](std::string method, std::string_view path, api::UserHandler handler) {
    return router.Add(std::move(method), path, api::Authenticated(context.api, std::move(handler)),
                      http::Execution::kBlocking);
  };
  const auto whole_vault = [&](http::Router::RouteHandle route) {
    if (options.whole_vault_limit) route.Limit(options.whole_vault_limit);
  };

  whole_vault(add("GET", "/api/sync", [c](const http::HttpRequest& request, store::User& user) {
    const bool exclude_domains = request.query.find("excludeDomains=true") != std::string::npos;
    std::string body;
    const Status read =
        c->api.database.Read([&](sql::Session& session) { return RenderSync(session, user, exclude_domains, body); });
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
  add("POST", "/api/folders", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = vault::ParseFolderRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    auto id = auth::NewGuid();
    if (!id.ok()) return FromStatus(id.status());
    StoredFolder folder{*id, write->name, api::NowMs(c->api.clock)};
    const Status saved =
        Write(*c, user, [&](sql::Session& session) { return vault::InsertFolder(session, user.id, folder); });
    if (!saved.ok()) return FromStatus(saved);
    return FolderResponse(folder);
  });
  const auto update_folder = [c](const http::HttpRequest& request, store::User& user) {
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
      return found ? OkStatus() : NotFoundError("folder");
    });
    if (!found) return NotFound();
    if (!saved.ok()) return FromStatus(saved);
    return FolderResponse(folder);
  };
  add("PUT", "/api/folders/{id}", update_folder);
  add("POST", "/api/folders/{id}", update_folder);
  const auto delete_folder = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    bool found = false;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(found, vault::DeleteFolder(session, user.id, *id, api::NowMs(c->api.clock)));
      return found ? OkStatus() : NotFoundError("folder");
    });
    if (!found) return NotFound();
    if (!saved.ok()) return FromStatus(saved);
    return Empty();
  };
  add("DELETE", "/api/folders/{id}", delete_folder);
  add("POST", "/api/folders/{id}/delete", delete_folder);

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
    std::optional<StoredCipher> cipher;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(cipher, vault::FindCipher(session, user.id, *id));
      return OkStatus();
    });
    if (!read.ok()) return FromStatus(read);
    if (!cipher) return NotFound();
    return CipherResponse(*cipher);
  };
  add("GET", "/api/ciphers/{id}", get_cipher);
  add("GET", "/api/ciphers/{id}/details", get_cipher);

  const auto create = [c](bool wrapped) {
    return [c, wrapped](const http::HttpRequest& request, store::User& user) {
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      auto write = wrapped ? vault::ParseCipherCreateRequest(*body) : vault::ParseCipherRequest(*body);
      if (!write.ok()) return api::RequestErrorResponse(write.status());
      auto id = auth::NewGuid();
      if (!id.ok()) return FromStatus(id.status());
      const TimeMs now = api::NowMs(c->api.clock);
      StoredCipher cipher;
      cipher.id = *id;
      cipher.user_id = user.id;
      cipher.creation_date = now;
      cipher.revision_date = now;
      Apply(*write, cipher);
      std::optional<http::HttpResponse> refused;
      Status failure;
      const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
        refused = CheckWrite(session, user, *write, failure);
        if (refused) return failure.ok() ? InvalidArgumentError("refused") : failure;
        return vault::InsertCipher(session, cipher);
      });
      if (refused) return *refused;
      if (!saved.ok()) return FromStatus(saved);
      return CipherResponse(cipher);
    };
  };
  add("POST", "/api/ciphers", create(false));
  add("POST", "/api/ciphers/create", create(true));

  const auto update = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = vault::ParseCipherRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    std::optional<StoredCipher> cipher;
    std::optional<http::HttpResponse> refused;
    Status failure;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(cipher, vault::FindCipher(session, user.id, *id));
      if (!cipher) {
        refused = NotFound();
        return NotFoundError("cipher");
      }
      if (write->organization_id != cipher->organization_id) {
        refused = BadRequest("Organization mismatch. Re-sync if you recently moved this item, then try again.");
        return InvalidArgumentError("mismatch");
      }
      if (write->last_known_revision_date.has_value() &&
          std::abs(*write->last_known_revision_date - cipher->revision_date) > kRevisionTolerance) {
        refused = BadRequest("The item cannot be saved because it is out of date. Sync, then try again.");
        return InvalidArgumentError("stale");
      }
      refused = CheckWrite(session, user, *write, failure);
      if (refused) return failure.ok() ? InvalidArgumentError("refused") : failure;
      Apply(*write, *cipher);
      cipher->revision_date = api::NowMs(c->api.clock);
      return vault::UpdateCipher(session, user.id, *cipher).status();
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    return CipherResponse(*cipher);
  };
  add("PUT", "/api/ciphers/{id}", update);
  add("POST", "/api/ciphers/{id}", update);

  const auto partial = [c](const http::HttpRequest& request, store::User& user) {
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
    std::optional<StoredCipher> cipher;
    std::optional<http::HttpResponse> refused;
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(cipher, vault::FindCipher(session, user.id, *id));
      if (!cipher) {
        refused = NotFound();
        return NotFoundError("cipher");
      }
      if (folder_id) {
        KW_ASSIGN_OR_RETURN(auto folder, vault::FindFolder(session, user.id, *folder_id));
        if (!folder) {
          refused = api::InvalidField("FolderId", "FolderId is not one of your folders.");
          return InvalidArgumentError("folder");
        }
      }
      cipher->folder_id = folder_id;
      cipher->favorite = favorite;
      cipher->revision_date = api::NowMs(c->api.clock);
      return vault::UpdateCipher(session, user.id, *cipher).status();
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    return CipherResponse(*cipher);
  };
  add("PUT", "/api/ciphers/{id}/partial", partial);
  add("POST", "/api/ciphers/{id}/partial", partial);

  // Soft delete, restore and purge, one or many. `change` returns false to skip a cipher.
  enum class Change { kSoftDelete, kRestore, kPurge };
  const auto change_many = [c](AccountRoutesContext&, store::User& user, const std::vector<std::string>& ids,
                               Change change, std::vector<StoredCipher>* changed) -> Result<std::size_t> {
    std::size_t count = 0;
    const TimeMs now = api::NowMs(c->api.clock);
    const Status saved = Write(*c, user, [&](sql::Session& session) -> Status {
      count = 0;
      if (changed) changed->clear();
      for (const std::string& id : ids) {
        KW_ASSIGN_OR_RETURN(auto cipher, vault::FindCipher(session, user.id, id));
        if (!cipher) continue;
        if (change == Change::kPurge) {
          KW_ASSIGN_OR_RETURN(bool purged, vault::PurgeCipher(session, user.id, id));
          count += purged ? 1 : 0;
          continue;
        }
        if (change == Change::kSoftDelete) {
          if (!cipher->deleted_date) cipher->deleted_date = now;
        } else {
          cipher->deleted_date.reset();
        }
        cipher->revision_date = now;
        KW_RETURN_IF_ERROR(vault::UpdateCipher(session, user.id, *cipher).status());
        ++count;
        if (changed) changed->push_back(*cipher);
      }
      return OkStatus();
    });
    if (!saved.ok()) return saved;
    return count;
  };
  const auto one = [c, change_many](Change change) {
    return [c, change_many, change](const http::HttpRequest& request, store::User& user) {
      const auto id = api::ParseGuid(request.path_param("id"));
      if (!id) return NotFound();
      std::vector<StoredCipher> changed;
      auto count = change_many(*c, user, {*id}, change, &changed);
      if (!count.ok()) return FromStatus(count.status());
      if (*count == 0) return NotFound();
      if (change == Change::kRestore) return CipherResponse(changed.front());
      return Empty();
    };
  };
  add("PUT", "/api/ciphers/{id}/delete", one(Change::kSoftDelete));
  add("POST", "/api/ciphers/{id}/delete", one(Change::kSoftDelete));
  add("PUT", "/api/ciphers/{id}/restore", one(Change::kRestore));
  add("DELETE", "/api/ciphers/{id}", one(Change::kPurge));
  add("POST", "/api/ciphers/{id}/delete-admin", one(Change::kPurge));
  const auto many = [c, change_many](Change change) {
    return [c, change_many, change](const http::HttpRequest& request, store::User& user) {
      auto body = http::ParseJsonObject(request.body);
      if (!body.ok()) return BadRequest(body.status().message());
      auto ids = BulkIds(*body);
      if (!ids.ok()) return api::RequestErrorResponse(ids.status());
      std::vector<StoredCipher> changed;
      auto count = change_many(*c, user, *ids, change, &changed);
      if (!count.ok()) return FromStatus(count.status());
      if (change != Change::kRestore) return Empty();
      std::string out = R"({"data":[)";
      for (std::size_t i = 0; i < changed.size(); ++i) {
        if (i > 0) out += ',';
        vault::AppendCipherJson(changed[i], vault::CipherViewerRights{}, vault::CipherObject::kCipher, out);
      }
      out += R"(],"continuationToken":null,"object":"list"})";
      return JsonText(std::move(out));
    };
  };
  add("PUT", "/api/ciphers/delete", many(Change::kSoftDelete));
  add("POST", "/api/ciphers/delete", many(Change::kSoftDelete));
  add("PUT", "/api/ciphers/restore", many(Change::kRestore));
  add("DELETE", "/api/ciphers", many(Change::kPurge));
  add("POST", "/api/ciphers/delete-admin", many(Change::kPurge));

  const auto move = [c](const http::HttpRequest& request, store::User& user) {
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
        KW_ASSIGN_OR_RETURN(auto cipher, vault::FindCipher(session, user.id, id));
        if (!cipher) continue;
        cipher->folder_id = folder_id;
        cipher->revision_date = now;
        KW_RETURN_IF_ERROR(vault::UpdateCipher(session, user.id, *cipher).status());
      }
      return OkStatus();
    });
    if (folder_missing) return api::InvalidField("FolderId", "FolderId is not one of your folders.");
    if (!saved.ok()) return FromStatus(saved);
    return Empty();
  };
  add("PUT", "/api/ciphers/move", move);
  add("POST", "/api/ciphers/move", move);

  add("POST", "/api/ciphers/purge", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    if (!VerifyMasterPassword(*c, user, *body)) return BadRequest("User verification failed.");
    const Status saved = Write(*c, user, [&](sql::Session& session) { return vault::PurgeVault(session, user.id); });
    if (!saved.ok()) return FromStatus(saved);
    return Empty();
  });
}

}  // namespace keywarden::server
