// TransferUserKeys: `connector transfer`, every user key from one Keywarden deployment's database
// and RSA key to another's (any database, any key provider), through CopyUserKeys.
//
// The source is opened as the service would open it (its schema brought up to date) and is
// otherwise only read: a source SQLite file that does not exist is an error rather than a new
// empty database, and a source without a data key is not given one. The destination gets its own
// data key, wrapped by its own RSA key, when it has none. Both should be out of service while the
// transfer runs (a key a user changes meanwhile may be missed or conflict).
#ifndef KEYWARDEN_CONNECTOR_TRANSFER_TRANSFER_DEPLOYMENT_H_
#define KEYWARDEN_CONNECTOR_TRANSFER_TRANSFER_DEPLOYMENT_H_

#include <memory>

#include "connector/config/connector_config.h"
#include "connector/store/key_store.h"
#include "connector/transfer/copy_user_keys.h"
#include "custody/data_keyring.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// Copies every user key of `from`'s database into `to`'s. kInvalidArgument when both name the same
// database; otherwise CopyUserKeys' errors, each naming its side ("source: ...", "destination: ...").
Result<CopySummary> TransferUserKeys(const ConnectorConfig& from, const ConnectorConfig& to,
                                     const CopyOptions& options);

// A Keywarden store as a source: its rows in id order, each opened with `keyring`. Both must
// outlive the source.
std::unique_ptr<UserKeySource> NewStoreKeySource(connector::store::KeyStore& store,
                                                 const custody::DataKeyring& keyring);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_TRANSFER_TRANSFER_DEPLOYMENT_H_
