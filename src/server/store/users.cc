#include "server/store/users.h"

#include <utility>

namespace keywarden::server::store {
namespace {

#define KW_USER_COLUMNS                                                                                      \
  "id, email, email_verified, name, culture, password_hash, password_hint, salt, kdf_type, kdf_iterations, " \
  "kdf_memory, kdf_parallelism, user_key, public_key, private_key, user_key_id, security_stamp, api_key, "   \
  "premium, force_password_reset, uses_key_connector, avatar_color, creation_date, revision_date, "          \
  "account_revision_date"

// Optional text is always bound as text, "" for none, and stored as NULL by NULLIF: a NULL bound
// as an integer would, on PostgreSQL, fix the parameter's type for the connection's later calls
// (a statement is prepared once per connection, with the types of its first call).
constexpr sql::Statement kInsert = {
    "server_insert_user",
    "INSERT INTO users(" KW_USER_COLUMNS
    ") VALUES ($1, $2, $3, NULLIF($4, ''), $5, NULLIF($6, ''), NULLIF($7, ''), NULLIF($8, ''), $9, $10, $11, $12, "
    "NULLIF($13, ''), NULLIF($14, ''), NULLIF($15, ''), NULLIF($16, ''), $17, $18, $19, $20, $21, NULLIF($22, ''), "
    "$23, $24, $25)",
    nullptr, nullptr, "to add an account"};
constexpr sql::Statement kByEmail = {"server_user_by_email", "SELECT " KW_USER_COLUMNS " FROM users WHERE email = $1",
                                     nullptr, nullptr, "to find an account"};
constexpr sql::Statement kById = {"server_user_by_id", "SELECT " KW_USER_COLUMNS " FROM users WHERE id = $1", nullptr,
                                  nullptr, "to read an account"};
constexpr sql::Statement kUpdate = {
    "server_update_user",
    "UPDATE users SET email = $2, email_verified = $3, name = NULLIF($4, ''), culture = $5, password_hash = "
    "NULLIF($6, ''), password_hint = NULLIF($7, ''), salt = NULLIF($8, ''), kdf_type = $9, kdf_iterations = $10, "
    "kdf_memory = $11, kdf_parallelism = $12, user_key = NULLIF($13, ''), public_key = NULLIF($14, ''), "
    "private_key = NULLIF($15, ''), user_key_id = NULLIF($16, ''), security_stamp = $17, api_key = $18, "
    "premium = $19, force_password_reset = $20, uses_key_connector = $21, avatar_color = NULLIF($22, ''), "
    "revision_date = $24, account_revision_date = CASE WHEN account_revision_date < $25 THEN $25 ELSE "
    "account_revision_date + 1 END WHERE id = $1 AND creation_date = $23 AND revision_date = $26",
    nullptr, nullptr, "to update an account"};
constexpr sql::Statement kTouch = {
    "server_touch_account",
    "UPDATE users SET account_revision_date = CASE WHEN account_revision_date < $2 THEN $2 "
    "ELSE account_revision_date + 1 END WHERE id = $1",
    nullptr, nullptr, "to mark an account changed"};
constexpr sql::Statement kReplacePasswordHash = {
    "server_replace_password_hash", "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2", nullptr,
    nullptr, "to store a password hash"};
constexpr sql::Statement kCount = {"server_count_users", "SELECT COUNT(*) FROM users", nullptr, nullptr,
                                   "to count accounts"};

constexpr sql::Statement kDeleteOwned[] = {
    {"server_delete_user_ciphers", "DELETE FROM ciphers WHERE user_id = $1", nullptr, nullptr, "to delete a vault"},
    {"server_delete_user_folders", "DELETE FROM folders WHERE user_id = $1", nullptr, nullptr, "to delete folders"},
    {"server_delete_user_devices", "DELETE FROM devices WHERE user_id = $1", nullptr, nullptr, "to delete devices"},
    {"server_delete_user_tokens", "DELETE FROM refresh_tokens WHERE user_id = $1", nullptr, nullptr, "to end sessions"},
    {"server_delete_user_two_factor", "DELETE FROM two_factor_providers WHERE user_id = $1", nullptr, nullptr,
     "to delete two-step login"},
    {"server_delete_user_remembered", "DELETE FROM two_factor_remembered WHERE user_id = $1", nullptr, nullptr,
     "to delete remembered devices"},
    {"server_delete_user_codes", "DELETE FROM one_time_codes WHERE user_id = $1", nullptr, nullptr, "to delete codes"},
    {"server_delete_user_auth_requests", "DELETE FROM auth_requests WHERE user_id = $1", nullptr, nullptr,
     "to delete auth requests"},
    {"server_delete_user_pushes", "DELETE FROM push_notifications WHERE user_id = $1", nullptr, nullptr,
     "to delete queued notifications"},
    {"server_delete_user_sso_links", "DELETE FROM sso_users WHERE user_id = $1", nullptr, nullptr,
     "to unlink an account from identity providers"},
    // Memberships (SQLite does not enforce foreign keys here, so nothing cascades): the
    // account's access through them, the memberships, its settings for organisation items.
    {"server_delete_user_collection_access",
     "DELETE FROM collection_users WHERE organization_user_id IN (SELECT id FROM organization_users WHERE user_id = "
     "$1)",
     nullptr, nullptr, "to delete collection access"},
    {"server_delete_user_group_memberships",
     "DELETE FROM group_users WHERE organization_user_id IN (SELECT id FROM organization_users WHERE user_id = $1)",
     nullptr, nullptr, "to delete group memberships"},
    {"server_delete_user_memberships", "DELETE FROM organization_users WHERE user_id = $1", nullptr, nullptr,
     "to delete memberships"},
    {"server_delete_user_item_settings", "DELETE FROM cipher_preferences WHERE user_id = $1", nullptr, nullptr,
     "to delete item settings"},
    {"server_delete_user", "DELETE FROM users WHERE id = $1", nullptr, nullptr, "to delete an account"},
};

// Empty strings are stored as NULL (the statements' NULLIF), so that "not set" has one form.
void BindMutable(sql::Params& p, const User& u) {
  p.Text(u.email).Int(u.email_verified ? 1 : 0);
  p.Text(u.name).Text(u.culture);
  p.Text(u.password_hash.value_or(""));
  p.Text(u.password_hint);
  p.Text(u.salt).Int(u.kdf.type).Int(u.kdf.iterations).Int(u.kdf.memory).Int(u.kdf.parallelism);
  p.Text(u.user_key).Text(u.public_key).Text(u.private_key).Text(u.user_key_id);
  p.Text(u.security_stamp).Text(u.api_key).Int(u.premium ? 1 : 0).Int(u.force_password_reset ? 1 : 0);
  p.Int(u.uses_key_connector ? 1 : 0);
  p.Text(u.avatar_color);
}

Result<User> ReadUser(const sql::Rows& rows) {
  User u;
  std::size_t c = 0;
  u.id = rows.Text(0, c++);
  u.email = rows.Text(0, c++);
  KW_ASSIGN_OR_RETURN(std::int64_t verified, rows.Int(0, c++));
  u.email_verified = verified != 0;
  u.name = rows.Text(0, c++);
  u.culture = rows.Text(0, c++);
  const std::size_t hash_column = c++;
  std::string hash = rows.Text(0, hash_column);
  if (!hash.empty()) u.password_hash = std::move(hash);
  u.password_hint = rows.Text(0, c++);
  u.salt = rows.Text(0, c++);
  KW_ASSIGN_OR_RETURN(std::int64_t kdf_type, rows.Int(0, c++));
  u.kdf.type = static_cast<int>(kdf_type);
  KW_ASSIGN_OR_RETURN(u.kdf.iterations, rows.Int(0, c++));
  u.kdf.memory = rows.OptionalInt(0, c++);
  u.kdf.parallelism = rows.OptionalInt(0, c++);
  u.user_key = rows.Text(0, c++);
  u.public_key = rows.Text(0, c++);
  u.private_key = rows.Text(0, c++);
  u.user_key_id = rows.Text(0, c++);
  u.security_stamp = rows.Text(0, c++);
  u.api_key = rows.Text(0, c++);
  KW_ASSIGN_OR_RETURN(std::int64_t premium, rows.Int(0, c++));
  u.premium = premium != 0;
  KW_ASSIGN_OR_RETURN(std::int64_t force, rows.Int(0, c++));
  u.force_password_reset = force != 0;
  KW_ASSIGN_OR_RETURN(std::int64_t key_connector, rows.Int(0, c++));
  u.uses_key_connector = key_connector != 0;
  u.avatar_color = rows.Text(0, c++);
  KW_ASSIGN_OR_RETURN(u.creation_date, rows.Int(0, c++));
  KW_ASSIGN_OR_RETURN(u.revision_date, rows.Int(0, c++));
  KW_ASSIGN_OR_RETURN(u.account_revision_date, rows.Int(0, c++));
  return u;
}

Result<std::optional<User>> FindOne(sql::Session& session, const sql::Statement& statement, std::string_view key) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(statement, sql::Params().Text(key)));
  if (rows.empty()) return std::optional<User>();
  KW_ASSIGN_OR_RETURN(User user, ReadUser(rows));
  return std::optional<User>(std::move(user));
}

}  // namespace

Status InsertUser(sql::Session& session, const User& user) {
  sql::Params params;
  params.Text(user.id);
  BindMutable(params, user);
  params.Int(user.creation_date).Int(user.revision_date).Int(user.account_revision_date);
  return session.Execute(kInsert, params).status();
}

Result<std::optional<User>> FindUserByEmail(sql::Session& session, std::string_view email) {
  return FindOne(session, kByEmail, email);
}

Result<std::optional<User>> FindUserById(sql::Session& session, std::string_view id) {
  return FindOne(session, kById, id);
}

Status UpdateUser(sql::Session& session, const User& user, TimeMs read_revision) {
  sql::Params params;
  params.Text(user.id);
  BindMutable(params, user);
  params.Int(user.creation_date).Int(user.revision_date).Int(user.account_revision_date).Int(read_revision);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kUpdate, params));
  if (rows.affected() == 1) return OkStatus();
  KW_ASSIGN_OR_RETURN(std::optional<User> current, FindUserById(session, user.id));
  if (!current || current->creation_date != user.creation_date) return NotFoundError("the account no longer exists");
  return Status(ErrorCode::kConflict, "The account was changed by another request at the same time. Try again.");
}

Result<bool> ReplacePasswordHash(sql::Session& session, std::string_view user_id, std::string_view read_hash,
                                 std::string_view new_hash) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReplacePasswordHash,
                                                      sql::Params().Text(user_id).Text(read_hash).Text(new_hash)));
  return rows.affected() == 1;
}

Status TouchAccountRevision(sql::Session& session, std::string_view user_id, TimeMs now) {
  return session.Execute(kTouch, sql::Params().Text(user_id).Int(now)).status();
}

Status DeleteUser(sql::Session& session, std::string_view user_id) {
  for (const sql::Statement& statement : kDeleteOwned) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(user_id)).status());
  }
  return OkStatus();
}

Result<std::int64_t> CountUsers(sql::Session& session) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kCount));
  return rows.Int(0, 0);
}

}  // namespace keywarden::server::store
