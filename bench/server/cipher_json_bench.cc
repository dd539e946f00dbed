// The sync's cipher array: 5,000 typical login items rendered to one JSON array, the work
// GET /sync does per request beyond reading the rows (server/vault/cipher_json.h).
//
//   BM_SyncCiphers5000          AppendCipherJson into a fresh string, as a route would
//   BM_SyncCiphers5000Reserved  the same with the string reserved first (CipherJsonSizeBound)
//   BM_CopyBaseline5000         copying the finished answer once: the floor for any renderer
//   BM_DomBaseline5000          parsing each stored payload into nlohmann::json and dumping the
//                               array: what splicing the stored text avoids
//
// Items are made by the real parser from bodies with real EncStrings: a name, a username, a
// password and one URI with its checksum; every fifth has notes, every tenth a second URI, a
// custom field and a password history entry.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/vault/cipher_json.h"
#include "server/vault/cipher_request.h"

namespace keywarden::server::vault {
namespace {

constexpr int kCiphers = 5000;
constexpr TimeMs kCreated = 1748772000123;  // 2025-06-01T10:00:00.123Z

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) std::abort();
  return std::move(result).value();
}

std::vector<StoredCipher> MakeVault() {
  const SymmetricKey key = Must(SymmetricKey::Generate());
  const auto enc = [&](std::string_view text) { return Must(EncString::EncryptText(key, text)).ToString(); };
  const std::string user_id = Must(auth::NewGuid());
  std::vector<StoredCipher> vault;
  vault.reserve(kCiphers);
  for (int i = 0; i < kCiphers; ++i) {
    const std::string n = std::to_string(i);
    nlohmann::json uris = nlohmann::json::array(
        {{{"uri", enc("https://site" + n + ".example.com/login")}, {"uriChecksum", enc("c")}, {"match", nullptr}}});
    nlohmann::json body = {
        {"type", 1},
        {"name", enc("Site " + n)},
        {"notes", i % 5 == 0 ? nlohmann::json(enc("Recovery codes: 1234-5678 9012-3456")) : nlohmann::json()},
        {"favorite", i % 7 == 0},
        {"login", {{"username", enc("user" + n + "@example.com")}, {"password", enc("pw-" + n + "-Xy7!k")}}},
    };
    if (i % 10 == 0) {
      uris.push_back({{"uri", enc("https://m.site" + n + ".example.com")}, {"match", 1}});
      body["fields"] = {{{"name", enc("PIN")}, {"value", enc("0000")}, {"type", 1}}};
      body["passwordHistory"] = {{{"password", enc("older")}, {"lastUsedDate", "2025-01-02T03:04:05.006Z"}}};
    }
    body["login"]["uris"] = std::move(uris);
    const CipherWrite write = Must(ParseCipherRequest(body));
    StoredCipher stored;
    stored.id = Must(auth::NewGuid());
    stored.user_id = user_id;
    stored.type = write.type;
    stored.data = write.data;
    stored.favorite = write.favorite;
    stored.creation_date = kCreated + i;
    stored.revision_date = kCreated + 1000 * i;
    vault.push_back(std::move(stored));
  }
  return vault;
}

const std::vector<StoredCipher>& Vault() {
  static const std::vector<StoredCipher> vault = MakeVault();
  return vault;
}

void RenderArray(const std::vector<StoredCipher>& vault, std::string& out) {
  const CipherViewerRights owner;
  out.push_back('[');
  for (std::size_t i = 0; i < vault.size(); ++i) {
    if (i != 0) out.push_back(',');
    AppendCipherJson(vault[i], owner, CipherObject::kCipherDetails, out);
  }
  out.push_back(']');
}

void SetCounters(benchmark::State& state, std::size_t bytes) {
  state.SetItemsProcessed(state.iterations() * kCiphers);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.counters["answer_bytes"] = static_cast<double>(bytes);
}

void BM_SyncCiphers5000(benchmark::State& state) {
  const auto& vault = Vault();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    RenderArray(vault, out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, bytes);
}
BENCHMARK(BM_SyncCiphers5000)->Unit(benchmark::kMillisecond);

void BM_SyncCiphers5000Reserved(benchmark::State& state) {
  const auto& vault = Vault();
  std::size_t estimate = 2 + vault.size();
  for (const StoredCipher& cipher : vault) estimate += CipherJsonSizeBound(cipher);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    out.reserve(estimate);
    RenderArray(vault, out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, bytes);
}
BENCHMARK(BM_SyncCiphers5000Reserved)->Unit(benchmark::kMillisecond);

void BM_CopyBaseline5000(benchmark::State& state) {
  std::string answer;
  RenderArray(Vault(), answer);
  for (auto _ : state) {
    std::string out(answer);
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, answer.size());
}
BENCHMARK(BM_CopyBaseline5000)->Unit(benchmark::kMillisecond);

void BM_DomBaseline5000(benchmark::State& state) {
  const auto& vault = Vault();
  std::size_t bytes = 0;
  for (auto _ : state) {
    nlohmann::json array = nlohmann::json::array();
    for (const StoredCipher& cipher : vault) {
      nlohmann::json object = nlohmann::json::parse(cipher.data);
      object["object"] = "cipherDetails";
      object["id"] = cipher.id;
      object["type"] = cipher.type;
      object["revisionDate"] = "2025-06-01T10:00:00.123Z";
      object["creationDate"] = "2025-06-01T10:00:00.123Z";
      object["edit"] = true;
      object["viewPassword"] = true;
      object["permissions"] = {{"delete", true}, {"restore", true}};
      object["organizationUseTotp"] = false;
      object["collectionIds"] = nlohmann::json::array();
      array.push_back(std::move(object));
    }
    const std::string out = array.dump();
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, bytes);
}
BENCHMARK(BM_DomBaseline5000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace keywarden::server::vault
