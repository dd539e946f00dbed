// Fills a connector database for the rotation benchmark, without HTTP: ROWS users with random
// GUIDs and random 64-byte keys, sealed by the data keyring exactly as the service seals them and
// written with KeyStore::PutUserKeysExact in large transactions. Users arrive in random id order,
// as in a real deployment, so the table's physical order is not the rotation's (id) order.
//
//   keywarden_rotate_fill CONFIG ROWS
//
// CONFIG is a connector configuration (its [database] and [rsa_key] are used). Prints the rows
// stored and the time taken.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "connector/config/connector_config.h"
#include "connector/store/open_key_store.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"
#include "keywarden/crypto/random.h"

namespace {

constexpr std::size_t kBatch = 50000;

std::string RandomGuid() {
  std::uint8_t b[16];
  if (!keywarden::RandomBytes(b).ok()) std::abort();
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}

int Fail(const std::string& what, const keywarden::Status& status) {
  std::cerr << "keywarden_rotate_fill: " << what << ": " << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keywarden;
  if (argc != 3) {
    std::cerr << "usage: keywarden_rotate_fill CONFIG ROWS\n";
    return 2;
  }
  const std::uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  auto config = connector::LoadConnectorConfig(std::string(argv[1]), {});
  if (!config.ok()) return Fail("configuration", config.status());
  auto provider = custody::OpenRsaKeyProvider(config->rsa_key);
  if (!provider.ok()) return Fail("RSA key", provider.status());
  auto store = connector::OpenKeyStore(config->database);
  if (!store.ok()) return Fail("database", store.status());
  auto keyring = custody::DataKeyring::Open(**store, **provider);
  if (!keyring.ok()) return Fail("data key", keyring.status());

  const auto start = std::chrono::steady_clock::now();
  const TimeMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::vector<std::uint8_t> key(64);
  std::vector<connector::store::UserKeyRecord> batch;
  batch.reserve(kBatch);
  for (std::uint64_t done = 0; done < rows;) {
    batch.clear();
    for (; batch.size() < kBatch && done < rows; ++done) {
      if (!RandomBytes(key).ok()) return Fail("random", InternalError("RAND_bytes failed"));
      connector::store::UserKeyRecord record;
      record.user_id = RandomGuid();
      auto sealed = (*keyring)->Seal(record.user_id, key);
      if (!sealed.ok()) return Fail("seal", sealed.status());
      record.data_key_version = sealed->first;
      record.sealed = std::move(sealed->second);
      record.creation_date = now - static_cast<TimeMs>(done);
      batch.push_back(std::move(record));
    }
    if (Status put = (*store)->PutUserKeysExact(batch); !put.ok()) return Fail("write", put);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "stored " << rows << " rows in " << seconds << " s\n";
  return 0;
}
