// How much one vault request may hold: what the server accepts and stores per cipher or folder.
//
// A value passed to the parsers, so that a deployment or a test can choose. The defaults accept
// everything the reference server accepts (its largest encrypted field, a URI, may have 10,000
// characters; notes also 10,000) and give notes ten times more, since imports from other
// password managers fill them. The HTTP server's body limit applies first: the cipher routes
// must allow bodies of at least max_notes_chars plus the rest of an item (256 KiB is ample for
// a typical one), and that limit, not these counts, bounds one request's total size.
#ifndef KEYWARDEN_SERVER_VAULT_REQUEST_LIMITS_H_
#define KEYWARDEN_SERVER_VAULT_REQUEST_LIMITS_H_

#include <cstddef>

namespace keywarden::server::vault {

struct VaultRequestLimits {
  // Characters of one encrypted value: covers an RSA-4096 OpenSSH private key (about 4,600
  // characters encrypted) and the reference's 10,000 for URIs.
  std::size_t max_enc_string_chars = 10'000;
  // Characters of a cipher's encrypted notes: about 74,000 bytes of UTF-8 text.
  std::size_t max_notes_chars = 100'000;
  std::size_t max_uris = 100;
  std::size_t max_fido2_credentials = 20;  // passkeys on one login; clients store one today
  std::size_t max_fields = 200;
  std::size_t max_password_history = 100;  // clients keep the last 5
  std::size_t max_collection_ids = 1'000;
};

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_REQUEST_LIMITS_H_
