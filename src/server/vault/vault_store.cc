#include "server/vault/vault_store.h"

#include <utility>

#include "server/vault/internal/cipher_row.h"

namespace keywarden::server::vault {
namespace {

// The lists' order is that of the (user_id, creation_date, id) indexes (schema V002), so neither
// database sorts a vault to answer them.
constexpr sql::Statement kListFolders = {"server_list_folders",
                                         "SELECT id, name, revision_date FROM folders WHERE user_id = $1 ORDER BY "
                                         "creation_date, id",
                                         nullptr, nullptr, "to list folders"};
constexpr sql::Statement kFindFolder = {"server_find_folder",
                                        "SELECT id, name, revision_date FROM folders WHERE user_id = $1 AND id = $2",
                                        nullptr, nullptr, "to read a folder"};
constexpr sql::Statement kInsertFolder = {"server_insert_folder",
                                          "INSERT INTO folders(id, user_id, name, creation_date, revision_date) VALUES "
                                          "($1, $2, $3, $4, $4)",
                                          nullptr, nullptr, "to add a folder"};
constexpr sql::Statement kUpdateFolder = {"server_update_folder",
                                          "UPDATE folders SET name = $3, revision_date = $4 WHERE user_id = $1 AND id "
                                          "= $2",
                                          nullptr, nullptr, "to update a folder"};
constexpr sql::Statement kDeleteFolder = {"server_delete_folder", "DELETE FROM folders WHERE user_id = $1 AND id = $2",
                                          nullptr, nullptr, "to delete a folder"};
constexpr sql::Statement kUnfileCiphers = {"server_unfile_ciphers",
                                           "UPDATE ciphers SET folder_id = NULL, revision_date = $3 WHERE user_id = $1 "
                                           "AND folder_id = $2",
                                           nullptr, nullptr, "to move items out of a folder"};

constexpr sql::Statement kListCiphers = {
    "server_list_ciphers", "SELECT " KW_CIPHER_COLUMNS " FROM ciphers WHERE user_id = $1 ORDER BY creation_date, id",
    nullptr, nullptr, "to list items"};
constexpr sql::Statement kFindCipher = {"server_find_cipher",
                                        "SELECT " KW_CIPHER_COLUMNS " FROM ciphers WHERE user_id = $1 AND id = $2",
                                        nullptr, nullptr, "to read an item"};
// The optional ids are always bound as text, "" for none, and stored as NULL by NULLIF: a NULL
// bound as an integer would, on PostgreSQL, fix the parameter's type for the connection's later
// calls (a statement is prepared once per connection, with the types of its first call).
constexpr sql::Statement kInsertCipher = {
    "server_insert_cipher",
    "INSERT INTO ciphers(" KW_CIPHER_COLUMNS
    ") VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5, NULLIF($6, ''), $7, $8, $9, $10, $11, $12)",
    nullptr, nullptr, "to add an item"};
constexpr sql::Statement kUpdateCipher = {
    "server_update_cipher",
    "UPDATE ciphers SET organization_id = NULLIF($3, ''), type = $4, data = $5, folder_id = NULLIF($6, ''), "
    "favorite = $7, reprompt = $8, revision_date = $9, deleted_date = $10, archived_date = $11 WHERE user_id = $1 "
    "AND id = $2",
    nullptr, nullptr, "to update an item"};
constexpr sql::Statement kPurgeCipher = {"server_purge_cipher", "DELETE FROM ciphers WHERE user_id = $1 AND id = $2",
                                         nullptr, nullptr, "to delete an item"};
constexpr sql::Statement kPurgeCiphers = {"server_purge_ciphers",
                                          "DELETE FROM ciphers WHERE user_id = $1 AND organization_id IS NULL", nullptr,
                                          nullptr, "to purge the vault"};
constexpr sql::Statement kPurgeFolders = {"server_purge_folders", "DELETE FROM folders WHERE user_id = $1", nullptr,
                                          nullptr, "to purge folders"};

// An id that may be missing, as the statements' NULLIF expects it.
sql::Params& OptionalText(sql::Params& params, const std::optional<std::string>& text) {
  return params.Text(text.value_or(""));
}

Result<std::vector<StoredFolder>> ReadFolders(const sql::Rows& rows) {
  std::vector<StoredFolder> folders;
  folders.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    StoredFolder folder;
    folder.id = rows.Text(i, 0);
    folder.name = rows.Text(i, 1);
    KW_ASSIGN_OR_RETURN(folder.revision_date, rows.Int(i, 2));
    folders.push_back(std::move(folder));
  }
  return folders;
}

}  // namespace

Result<std::vector<StoredFolder>> ListFolders(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListFolders, sql::Params().Text(user_id)));
  return ReadFolders(rows);
}

Result<std::optional<StoredFolder>> FindFolder(sql::Session& session, std::string_view user_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFindFolder, sql::Params().Text(user_id).Text(id)));
  KW_ASSIGN_OR_RETURN(auto folders, ReadFolders(rows));
  if (folders.empty()) return std::optional<StoredFolder>();
  return std::optional<StoredFolder>(std::move(folders.front()));
}

Status InsertFolder(sql::Session& session, std::string_view user_id, const StoredFolder& folder) {
  return session
      .Execute(kInsertFolder, sql::Params().Text(folder.id).Text(user_id).Text(folder.name).Int(folder.revision_date))
      .status();
}

Result<bool> UpdateFolder(sql::Session& session, std::string_view user_id, const StoredFolder& folder) {
  KW_ASSIGN_OR_RETURN(
      sql::Rows rows,
      session.Execute(kUpdateFolder,
                      sql::Params().Text(user_id).Text(folder.id).Text(folder.name).Int(folder.revision_date)));
  return rows.affected() == 1;
}

Result<bool> DeleteFolder(sql::Session& session, std::string_view user_id, std::string_view id, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kDeleteFolder, sql::Params().Text(user_id).Text(id)));
  if (rows.affected() != 1) return false;
  KW_RETURN_IF_ERROR(session.Execute(kUnfileCiphers, sql::Params().Text(user_id).Text(id).Int(now)).status());
  return true;
}

Status ForEachCipher(sql::Session& session, std::string_view user_id,
                     const std::function<Status(const StoredCipher&)>& visit) {
  StoredCipher cipher;
  return session.ForEachRow(kListCiphers, sql::Params().Text(user_id), [&](const sql::RowView& row) -> Status {
    KW_RETURN_IF_ERROR(internal::ReadCipherRow(row, cipher));
    return visit(cipher);
  });
}

Result<std::vector<StoredCipher>> ListCiphers(sql::Session& session, std::string_view user_id) {
  std::vector<StoredCipher> ciphers;
  KW_RETURN_IF_ERROR(ForEachCipher(session, user_id, [&](const StoredCipher& cipher) {
    ciphers.push_back(cipher);
    return OkStatus();
  }));
  return ciphers;
}

Result<std::optional<StoredCipher>> FindCipher(sql::Session& session, std::string_view user_id, std::string_view id) {
  std::optional<StoredCipher> found;
  KW_RETURN_IF_ERROR(
      session.ForEachRow(kFindCipher, sql::Params().Text(user_id).Text(id), [&](const sql::RowView& row) -> Status {
        found.emplace();
        return internal::ReadCipherRow(row, *found);
      }));
  return found;
}

Status InsertCipher(sql::Session& session, const StoredCipher& c) {
  sql::Params params;
  params.Text(c.id);
  OptionalText(params, c.user_id);
  OptionalText(params, c.organization_id);
  params.Int(c.type).Text(c.data);
  OptionalText(params, c.folder_id);
  params.Int(c.favorite ? 1 : 0)
      .Int(c.reprompt)
      .Int(c.creation_date)
      .Int(c.revision_date)
      .Int(c.deleted_date)
      .Int(c.archived_date);
  return session.Execute(kInsertCipher, params).status();
}

Result<bool> UpdateCipher(sql::Session& session, std::string_view user_id, const StoredCipher& c) {
  sql::Params params;
  params.Text(user_id).Text(c.id);
  OptionalText(params, c.organization_id);
  params.Int(c.type).Text(c.data);
  OptionalText(params, c.folder_id);
  params.Int(c.favorite ? 1 : 0).Int(c.reprompt).Int(c.revision_date).Int(c.deleted_date).Int(c.archived_date);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kUpdateCipher, params));
  return rows.affected() == 1;
}

Result<bool> PurgeCipher(sql::Session& session, std::string_view user_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kPurgeCipher, sql::Params().Text(user_id).Text(id)));
  return rows.affected() == 1;
}

Status PurgeVault(sql::Session& session, std::string_view user_id) {
  KW_RETURN_IF_ERROR(session.Execute(kPurgeCiphers, sql::Params().Text(user_id)).status());
  return session.Execute(kPurgeFolders, sql::Params().Text(user_id)).status();
}

}  // namespace keywarden::server::vault
