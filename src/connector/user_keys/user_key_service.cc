#include "connector/user_keys/user_key_service.h"

#include <string>
#include <utility>

namespace keywarden::connector {

UserKeyService::UserKeyService(connector::store::KeyStore& store, const custody::DataKeyring& keyring,
                               LastAccessBatcher* last_access, const Clock& clock)
    : store_(store), keyring_(keyring), last_access_(last_access), clock_(clock) {}

Status UserKeyService::CheckKeySize(std::span<const std::uint8_t> key) {
  if (key.size() < kMinKeyBytes || key.size() > kMaxKeyBytes) {
    return InvalidArgumentError("the key must decode to " + std::to_string(kMinKeyBytes) + " to " +
                                std::to_string(kMaxKeyBytes) + " bytes");
  }
  return OkStatus();
}

Result<connector::store::UserKeyRecord> UserKeyService::Seal(std::string_view user_id,
                                                             std::span<const std::uint8_t> key) {
  KW_RETURN_IF_ERROR(CheckKeySize(key));
  KW_ASSIGN_OR_RETURN(auto sealed, keyring_.Seal(user_id, key));
  connector::store::UserKeyRecord record;
  record.user_id = std::string(user_id);
  record.data_key_version = sealed.first;
  record.sealed = std::move(sealed.second);
  record.creation_date = clock_.NowMs();
  return record;
}

Result<SecureBuffer> UserKeyService::Get(std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(connector::store::UserKeyRecord record, store_.GetUserKey(user_id));
  KW_ASSIGN_OR_RETURN(SecureBuffer key, keyring_.Open(record.user_id, record.data_key_version, record.sealed));
  if (last_access_ != nullptr) last_access_->Record(record.user_id, clock_.NowMs());
  return key;
}

Status UserKeyService::Create(std::string_view user_id, std::span<const std::uint8_t> key) {
  KW_ASSIGN_OR_RETURN(connector::store::UserKeyRecord record, Seal(user_id, key));
  return store_.InsertUserKey(record);
}

Status UserKeyService::Replace(std::string_view user_id, std::span<const std::uint8_t> key) {
  KW_ASSIGN_OR_RETURN(connector::store::UserKeyRecord record, Seal(user_id, key));
  return store_.UpsertUserKey(record);
}

Status UserKeyService::Delete(std::string_view user_id) { return store_.DeleteUserKey(user_id); }

}  // namespace keywarden::connector
