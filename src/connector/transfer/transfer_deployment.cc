#include "connector/transfer/transfer_deployment.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "connector/deployment.h"
#include "connector/store/open_key_store.h"
#include "custody/open_rsa_key_provider.h"

namespace keywarden::connector {
namespace {

class StoreKeySource final : public UserKeySource {
 public:
  StoreKeySource(connector::store::KeyStore& store, const custody::DataKeyring& keyring)
      : store_(store), keyring_(keyring) {}

  Result<std::vector<SourceRow>> Next(std::size_t limit) override {
    KW_ASSIGN_OR_RETURN(std::vector<connector::store::UserKeyRecord> records, store_.ListUserKeys(after_, limit));
    std::vector<SourceRow> rows;
    rows.reserve(records.size());
    for (connector::store::UserKeyRecord& record : records) {
      after_ = record.user_id;
      auto opened = keyring_.Open(record.user_id, record.data_key_version, record.sealed);
      if (!opened.ok()) {
        rows.push_back(SourceRow{record.user_id, opened.status()});
        continue;
      }
      PlainUserKey key;
      key.user_id = record.user_id;
      key.key = std::move(opened).value();
      key.creation_date = record.creation_date;
      key.revision_date = record.revision_date;
      key.last_access_date = record.last_access_date;
      rows.push_back(SourceRow{record.user_id, std::move(key)});
    }
    return rows;
  }

 private:
  connector::store::KeyStore& store_;
  const custody::DataKeyring& keyring_;
  std::string after_;
};

}  // namespace

std::unique_ptr<UserKeySource> NewStoreKeySource(connector::store::KeyStore& store,
                                                 const custody::DataKeyring& keyring) {
  return std::make_unique<StoreKeySource>(store, keyring);
}

Result<CopySummary> TransferUserKeys(const ConnectorConfig& from, const ConnectorConfig& to,
                                     const CopyOptions& options) {
  if (SameDatabase(from.database, to.database)) {
    return InvalidArgumentError("the source and the destination are the same database");
  }
  if (from.database.provider == config::DatabaseProvider::kSqlite &&
      !std::filesystem::exists(from.database.sqlite_path)) {
    return InvalidArgumentError("source: the database " + from.database.sqlite_path + " does not exist");
  }

  auto source_provider = custody::OpenRsaKeyProvider(from.rsa_key);
  if (!source_provider.ok()) return source_provider.status().WithContext("source");
  auto source_store = OpenKeyStore(from.database);
  if (!source_store.ok()) return source_store.status().WithContext("source");
  auto data_keys = (*source_store)->ListDataKeys();
  if (!data_keys.ok()) return data_keys.status().WithContext("source");
  if (data_keys->empty()) {
    // Never written to: nothing to copy, and no data key to create in a database only read.
    auto count = (*source_store)->CountUserKeys();
    if (!count.ok()) return count.status().WithContext("source");
    if (*count != 0) return UnavailableError("the database holds user keys but no data key").WithContext("source");
    return CopySummary{};
  }
  // Rows under a lost data key version fail one by one (listed with --skip-unreadable).
  custody::DataKeyringOptions source_options;
  source_options.allow_lost_versions = true;
  auto source_keyring = custody::DataKeyring::Open(**source_store, **source_provider, source_options);
  if (!source_keyring.ok()) return source_keyring.status().WithContext("source");

  auto destination = OpenDeployment(to);
  if (!destination.ok()) return destination.status().WithContext("destination");

  StoreKeySource source(**source_store, **source_keyring);
  return CopyUserKeys(source, *destination->store, *destination->keyring, options);
}

}  // namespace keywarden::connector
