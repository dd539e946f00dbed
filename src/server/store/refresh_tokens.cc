#include "server/store/refresh_tokens.h"

namespace keywarden::server::store {
namespace {

constexpr sql::Statement kInsert = {"server_insert_refresh_token",
                                    "INSERT INTO refresh_tokens(token_hash, family_id, user_id, device_id, client_id, "
                                    "security_stamp, creation_date, expiration_date) VALUES ($1, $2, $3, $4, $5, $6, "
                                    "$7, $8)",
                                    nullptr, nullptr, "to store a session"};
constexpr sql::Statement kFind = {"server_find_refresh_token",
                                  "SELECT family_id, user_id, device_id, client_id, security_stamp, creation_date, "
                                  "expiration_date, used_date FROM refresh_tokens WHERE token_hash = $1",
                                  nullptr, nullptr, "to find a session"};
constexpr sql::Statement kMarkUsed = {"server_use_refresh_token",
                                      "UPDATE refresh_tokens SET used_date = $2 WHERE token_hash = $1 AND used_date "
                                      "IS NULL",
                                      nullptr, nullptr, "to rotate a session"};
constexpr sql::Statement kRevokeFamily = {"server_revoke_refresh_family",
                                          "DELETE FROM refresh_tokens WHERE family_id = $1", nullptr, nullptr,
                                          "to end a session"};
constexpr sql::Statement kRevokeUser = {"server_revoke_user_refresh", "DELETE FROM refresh_tokens WHERE user_id = $1",
                                        nullptr, nullptr, "to end sessions"};
constexpr sql::Statement kRevokeDevice = {"server_revoke_device_refresh",
                                          "DELETE FROM refresh_tokens WHERE user_id = $1 AND device_id = $2", nullptr,
                                          nullptr, "to end a device's sessions"};
}  // namespace

Status InsertRefreshToken(sql::Session& session, const RefreshToken& t) {
  return session
      .Execute(kInsert, sql::Params()
                            .Bytes(t.token_hash)
                            .Text(t.family_id)
                            .Text(t.user_id)
                            .Text(t.device_id)
                            .Text(t.client_id)
                            .Text(t.security_stamp)
                            .Int(t.creation_date)
                            .Int(t.expiration_date))
      .status();
}

Result<std::optional<RefreshToken>> FindRefreshToken(sql::Session& session, std::span<const std::uint8_t> token_hash) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Bytes(token_hash)));
  if (rows.empty()) return std::optional<RefreshToken>();
  RefreshToken t;
  t.token_hash.assign(token_hash.begin(), token_hash.end());
  t.family_id = rows.Text(0, 0);
  t.user_id = rows.Text(0, 1);
  t.device_id = rows.Text(0, 2);
  t.client_id = rows.Text(0, 3);
  t.security_stamp = rows.Text(0, 4);
  KW_ASSIGN_OR_RETURN(t.creation_date, rows.Int(0, 5));
  KW_ASSIGN_OR_RETURN(t.expiration_date, rows.Int(0, 6));
  t.used_date = rows.OptionalInt(0, 7);
  return std::optional<RefreshToken>(std::move(t));
}

Result<bool> MarkRefreshTokenUsed(sql::Session& session, std::span<const std::uint8_t> token_hash, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kMarkUsed, sql::Params().Bytes(token_hash).Int(now)));
  return rows.affected() == 1;
}

Status RevokeRefreshFamily(sql::Session& session, std::string_view family_id) {
  return session.Execute(kRevokeFamily, sql::Params().Text(family_id)).status();
}

Status RevokeUserRefreshTokens(sql::Session& session, std::string_view user_id) {
  return session.Execute(kRevokeUser, sql::Params().Text(user_id)).status();
}

Status RevokeDeviceRefreshTokens(sql::Session& session, std::string_view user_id, std::string_view device_id) {
  return session.Execute(kRevokeDevice, sql::Params().Text(user_id).Text(device_id)).status();
}

}  // namespace keywarden::server::store
