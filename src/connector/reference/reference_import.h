// ImportReference: `connector import-reference`, the reference Key Connector's user keys into a
// Keywarden store, through CopyUserKeys (so: verified, resumable, dates kept).
//
// The reference's data key is unwrapped with its RSA key (RSA-OAEP-SHA1, through the same RSA key
// providers the connector uses: its PKCS#12 file, or an HSM); each stored key is opened with
// AES-256-GCM (ciphertext || tag || iv, no associated data) and sealed in Keywarden's format
// (bound to its user id). When the reference stored more than one data key (two instances that
// started together on an empty database), a key that does not open under the first is tried
// under the others: the reference itself could no longer read those keys.
//
// The reference's data is only read. It may live in the same SQLite file as the destination:
// the tables differ (UserKeys / user_keys), and neither side touches the other's.
#ifndef KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_IMPORT_H_
#define KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_IMPORT_H_

#include <cstddef>
#include <cstdint>

#include "connector/config/connector_config.h"
#include "connector/reference/reference_settings.h"
#include "connector/transfer/copy_user_keys.h"
#include "keywarden/status.h"

namespace keywarden::connector {

struct ImportSummary {
  CopySummary copy;
  std::size_t data_keys = 0;  // the reference's data keys found (normally 1)
  // Keys that opened only under a data key other than the reference's first one.
  std::uint64_t opened_with_other_data_key = 0;
};

// Errors name the side ("reference: ...", "destination: ...") or, through CopyUserKeys, the row.
Result<ImportSummary> ImportReference(const ReferenceSettings& reference, const ConnectorConfig& destination,
                                      const CopyOptions& options);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_IMPORT_H_
