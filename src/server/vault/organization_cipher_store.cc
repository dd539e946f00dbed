#include "server/vault/organization_cipher_store.h"

#include <algorithm>
#include <map>
#include <utility>

#include "server/vault/internal/cipher_row.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::vault {
namespace {

// The shared columns of an organisation item with the member's folder and favourite in their
// places, then the collection and the grant through which the member sees it: a direct grant
// (cu) or, without one, one row per group grant (cg).
#define KW_MEMBER_CIPHER_COLUMNS                                                                            \
  "c.id, c.user_id, c.organization_id, c.type, c.data, p.folder_id, COALESCE(p.favorite, 0), c.reprompt, "  \
  "c.creation_date, c.revision_date, c.deleted_date, c.archived_date, cc.collection_id, cu.collection_id, " \
  "cu.read_only, cu.hide_passwords, cu.manage, cg.read_only, cg.hide_passwords, cg.manage"
#define KW_MEMBER_CIPHER_JOINS                                                                                \
  " FROM organization_users ou JOIN organizations o ON o.id = ou.organization_id AND o.enabled = 1 "          \
  "JOIN ciphers c ON c.organization_id = ou.organization_id "                                                 \
  "JOIN collection_ciphers cc ON cc.cipher_id = c.id "                                                        \
  "LEFT JOIN collection_users cu ON cu.collection_id = cc.collection_id AND cu.organization_user_id = ou.id " \
  "LEFT JOIN group_users gu ON cu.collection_id IS NULL AND gu.organization_user_id = ou.id "                 \
  "LEFT JOIN collection_groups cg ON cg.collection_id = cc.collection_id AND cg.group_id = gu.group_id "      \
  "LEFT JOIN cipher_preferences p ON p.user_id = ou.user_id AND p.cipher_id = c.id "                          \
  "WHERE ou.user_id = $1 AND ou.status = 2 AND (cu.collection_id IS NOT NULL OR cg.collection_id IS NOT NULL)"

// Ordered by the (organization_id, creation_date, id) index of ciphers (schema V004) within
// each of the member's organisations, so that no database sorts the items: a cipher's rows come
// together, and the walk below folds them into one.
constexpr sql::Statement kListMemberCiphers = {"server_list_member_organization_ciphers",
                                               "SELECT " KW_MEMBER_CIPHER_COLUMNS KW_MEMBER_CIPHER_JOINS
                                               " ORDER BY ou.organization_id, c.creation_date, c.id",
                                               nullptr, nullptr, "to list a member's organization items"};
constexpr sql::Statement kFindMemberCipher = {"server_find_member_organization_cipher",
                                              "SELECT " KW_MEMBER_CIPHER_COLUMNS KW_MEMBER_CIPHER_JOINS
                                              " AND c.id = $2",
                                              nullptr, nullptr, "to read a member's organization item"};

constexpr sql::Statement kFindOrganizationCipher = {
    "server_find_organization_cipher",
    "SELECT c.id, c.user_id, c.organization_id, c.type, c.data, p.folder_id, COALESCE(p.favorite, 0), c.reprompt, "
    "c.creation_date, c.revision_date, c.deleted_date, c.archived_date FROM ciphers c LEFT JOIN cipher_preferences p "
    "ON p.user_id = $3 AND p.cipher_id = c.id WHERE c.organization_id = $1 AND c.id = $2",
    nullptr, nullptr, "to read an organization item"};
constexpr sql::Statement kFindCipherOrganization = {
    "server_find_cipher_organization",
    "SELECT organization_id FROM ciphers WHERE id = $1 AND organization_id IS NOT NULL", nullptr, nullptr,
    "to read an item's organization"};
constexpr sql::Statement kListOrganizationCiphers = {
    "server_list_organization_ciphers",
    "SELECT " KW_CIPHER_COLUMNS " FROM ciphers WHERE organization_id = $1 ORDER BY creation_date, id", nullptr, nullptr,
    "to list an organization's items"};
constexpr sql::Statement kListOrganizationLinks = {
    "server_list_organization_collection_ciphers",
    "SELECT cc.cipher_id, cc.collection_id FROM collection_ciphers cc JOIN collections k ON k.id = cc.collection_id "
    "WHERE k.organization_id = $1",
    nullptr, nullptr, "to list an organization's item collections"};

constexpr sql::Statement kUpdateById = {
    "server_update_cipher_by_id",
    "UPDATE ciphers SET user_id = NULLIF($2, ''), organization_id = NULLIF($3, ''), type = $4, data = $5, "
    "folder_id = NULLIF($6, ''), favorite = $7, reprompt = $8, revision_date = $9, deleted_date = $10, "
    "archived_date = $11 WHERE id = $1",
    nullptr, nullptr, "to update an item"};
// Explicitly, as SQLite enforces no foreign keys unless asked to.
constexpr sql::Statement kPurgeDependants[] = {
    {"server_purge_cipher_collections", "DELETE FROM collection_ciphers WHERE cipher_id = $1", nullptr, nullptr,
     "to remove an item from its collections"},
    {"server_purge_cipher_preferences", "DELETE FROM cipher_preferences WHERE cipher_id = $1", nullptr, nullptr,
     "to remove members' preferences for an item"},
};
constexpr sql::Statement kPurgeById = {"server_purge_cipher_by_id", "DELETE FROM ciphers WHERE id = $1", nullptr,
                                       nullptr, "to delete an item"};
constexpr sql::Statement kListCollections = {
    "server_list_cipher_collections",
    "SELECT collection_id FROM collection_ciphers WHERE cipher_id = $1 ORDER BY collection_id", nullptr, nullptr,
    "to list an item's collections"};
constexpr sql::Statement kClearCollections = {"server_clear_cipher_collections",
                                              "DELETE FROM collection_ciphers WHERE cipher_id = $1", nullptr, nullptr,
                                              "to clear an item's collections"};
constexpr sql::Statement kAddCollection = {"server_add_cipher_collection",
                                           "INSERT INTO collection_ciphers(collection_id, cipher_id) VALUES ($1, $2)",
                                           nullptr, nullptr, "to put an item in a collection"};
constexpr sql::Statement kSavePreference = {
    "server_save_cipher_preference",
    "INSERT INTO cipher_preferences(user_id, cipher_id, folder_id, favorite) VALUES ($1, $2, NULLIF($3, ''), $4) "
    "ON CONFLICT(user_id, cipher_id) DO UPDATE SET folder_id = excluded.folder_id, favorite = excluded.favorite",
    nullptr, nullptr, "to save an item's folder and favourite"};

constexpr std::size_t kCollectionColumn = internal::kCipherColumnCount;

// One grant row's rights: the direct grant's when there is one, else the group's.
Result<CipherAccess> RowAccess(const sql::RowView& row) {
  const bool direct = !row.Text(kCollectionColumn + 1).empty();
  const std::size_t first = direct ? kCollectionColumn + 2 : kCollectionColumn + 5;
  KW_ASSIGN_OR_RETURN(std::int64_t read_only, row.Int(first));
  KW_ASSIGN_OR_RETURN(std::int64_t hide_passwords, row.Int(first + 1));
  KW_ASSIGN_OR_RETURN(std::int64_t manage, row.Int(first + 2));
  return CipherAccess{read_only == 0, hide_passwords == 0, manage != 0};
}

// Manage first, then edit, then view-password (CipherRepository.GetManyByUserIdAsync).
bool Better(const CipherAccess& a, const CipherAccess& b) {
  if (a.manage != b.manage) return a.manage;
  if (a.edit != b.edit) return a.edit;
  return a.view_password && !b.view_password;
}

// Folds consecutive rows of one cipher into it and its best access; `emit` gets each whole one.
class CipherFolder {
 public:
  explicit CipherFolder(const std::function<Status(const StoredCipher&, const CipherAccess&)>& emit) : emit_(emit) {}

  Status Add(const sql::RowView& row) {
    if (!pending_ || row.Text(0) != cipher_.id) {
      KW_RETURN_IF_ERROR(Finish());
      KW_RETURN_IF_ERROR(internal::ReadCipherRow(row, cipher_));
      cipher_.collection_ids.clear();
      KW_ASSIGN_OR_RETURN(access_, RowAccess(row));
      pending_ = true;
    } else {
      KW_ASSIGN_OR_RETURN(const CipherAccess access, RowAccess(row));
      if (Better(access, access_)) access_ = access;
    }
    const std::string_view collection = row.Text(kCollectionColumn);
    if (std::find(cipher_.collection_ids.begin(), cipher_.collection_ids.end(), collection) ==
        cipher_.collection_ids.end()) {
      cipher_.collection_ids.emplace_back(collection);
    }
    return OkStatus();
  }

  Status Finish() {
    if (!pending_) return OkStatus();
    pending_ = false;
    return emit_(cipher_, access_);
  }

 private:
  const std::function<Status(const StoredCipher&, const CipherAccess&)>& emit_;
  StoredCipher cipher_;
  CipherAccess access_;
  bool pending_ = false;
};

}  // namespace

CipherViewerRights ViewerRights(const StoredCipher& cipher, const CipherAccess& access) {
  CipherViewerRights rights;
  if (!cipher.organization_id) return rights;
  rights.edit = access.edit;
  rights.view_password = access.view_password;
  rights.can_delete = access.manage || access.edit;
  rights.can_restore = rights.can_delete;
  rights.organization_use_totp = true;
  return rights;
}

Status ForEachOrganizationCipherOf(sql::Session& session, std::string_view user_id,
                                   const std::function<Status(const StoredCipher&, const CipherAccess&)>& visit) {
  CipherFolder folder(visit);
  KW_RETURN_IF_ERROR(session.ForEachRow(kListMemberCiphers, sql::Params().Text(user_id),
                                        [&](const sql::RowView& row) { return folder.Add(row); }));
  return folder.Finish();
}

Result<std::optional<VisibleCipher>> FindVisibleCipher(sql::Session& session, std::string_view user_id,
                                                       std::string_view id) {
  KW_ASSIGN_OR_RETURN(auto personal, FindCipher(session, user_id, id));
  if (personal) return std::optional<VisibleCipher>(VisibleCipher{*std::move(personal), CipherAccess{}});
  std::optional<VisibleCipher> found;
  const std::function<Status(const StoredCipher&, const CipherAccess&)> keep = [&](const StoredCipher& cipher,
                                                                                   const CipherAccess& access) {
    found = VisibleCipher{cipher, access};
    return OkStatus();
  };
  CipherFolder folder(keep);
  KW_RETURN_IF_ERROR(session.ForEachRow(kFindMemberCipher, sql::Params().Text(user_id).Text(id),
                                        [&](const sql::RowView& row) { return folder.Add(row); }));
  KW_RETURN_IF_ERROR(folder.Finish());
  return found;
}

Result<std::optional<StoredCipher>> FindOrganizationCipher(sql::Session& session, std::string_view organization_id,
                                                           std::string_view id, std::string_view user_id) {
  std::optional<StoredCipher> found;
  KW_RETURN_IF_ERROR(session.ForEachRow(kFindOrganizationCipher,
                                        sql::Params().Text(organization_id).Text(id).Text(user_id),
                                        [&](const sql::RowView& row) {
                                          found.emplace();
                                          return internal::ReadCipherRow(row, *found);
                                        }));
  if (found) {
    KW_ASSIGN_OR_RETURN(found->collection_ids, ListCipherCollections(session, id));
  }
  return found;
}

Result<std::optional<std::string>> FindCipherOrganization(sql::Session& session, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFindCipherOrganization, sql::Params().Text(id)));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0, 0));
}

Status ForEachCipherOfOrganization(sql::Session& session, std::string_view organization_id,
                                   const std::function<Status(const StoredCipher&)>& visit) {
  std::map<std::string, std::vector<std::string>, std::less<>> links;
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListOrganizationLinks, sql::Params().Text(organization_id)));
  for (std::size_t i = 0; i < rows.size(); ++i) links[rows.Text(i, 0)].push_back(rows.Text(i, 1));
  StoredCipher cipher;
  return session.ForEachRow(kListOrganizationCiphers, sql::Params().Text(organization_id),
                            [&](const sql::RowView& row) -> Status {
                              KW_RETURN_IF_ERROR(internal::ReadCipherRow(row, cipher));
                              cipher.folder_id.reset();
                              cipher.favorite = false;
                              const auto it = links.find(cipher.id);
                              cipher.collection_ids.clear();
                              if (it != links.end()) {
                                cipher.collection_ids = it->second;
                                std::sort(cipher.collection_ids.begin(), cipher.collection_ids.end());
                              }
                              return visit(cipher);
                            });
}

Result<bool> UpdateCipherById(sql::Session& session, const StoredCipher& c) {
  const bool organization = c.organization_id.has_value();
  sql::Params params;
  params.Text(c.id).Text(organization ? "" : c.user_id.value_or("")).Text(c.organization_id.value_or(""));
  params.Int(c.type).Text(c.data).Text(organization ? "" : c.folder_id.value_or(""));
  params.Int(!organization && c.favorite ? 1 : 0).Int(c.reprompt).Int(c.revision_date);
  params.Int(c.deleted_date).Int(c.archived_date);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kUpdateById, params));
  return rows.affected() == 1;
}

Result<bool> PurgeCipherById(sql::Session& session, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kPurgeById, sql::Params().Text(id)));
  if (rows.affected() != 1) return false;
  for (const sql::Statement& statement : kPurgeDependants) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(id)).status());
  }
  return true;
}

Result<std::vector<std::string>> ListCipherCollections(sql::Session& session, std::string_view cipher_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListCollections, sql::Params().Text(cipher_id)));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) ids.push_back(rows.Text(i, 0));
  return ids;
}

Status SetCipherCollections(sql::Session& session, std::string_view cipher_id,
                            const std::vector<std::string>& collection_ids) {
  KW_RETURN_IF_ERROR(session.Execute(kClearCollections, sql::Params().Text(cipher_id)).status());
  for (const std::string& collection : collection_ids) {
    KW_RETURN_IF_ERROR(session.Execute(kAddCollection, sql::Params().Text(collection).Text(cipher_id)).status());
  }
  return OkStatus();
}

Status SaveCipherPreference(sql::Session& session, std::string_view user_id, std::string_view cipher_id,
                            const std::optional<std::string>& folder_id, bool favorite) {
  return session
      .Execute(kSavePreference,
               sql::Params().Text(user_id).Text(cipher_id).Text(folder_id.value_or("")).Int(favorite ? 1 : 0))
      .status();
}

}  // namespace keywarden::server::vault
