// Every `keywarden crypto` verb, run as a process, checked for meaning: against the shared
// vectors where one exists, otherwise by feeding one verb's output into its inverse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e/cli_runner.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/master_key.h"
#include "support/vectors.h"

namespace keywarden::testing {
namespace {

// A cheap KDF inside both the client and the server ranges, for tests that need a derivation
// but not a specific one (PBKDF2 at 600,000 is kept to the one vector test).
constexpr const char* kCheapKdf = "argon2id:2,16,1";

std::size_t DecodedSize(const nlohmann::json& value) {
  auto bytes = Base64Decode(value.get<std::string>());
  EXPECT_TRUE(bytes.ok()) << "not base64";
  return bytes.ok() ? bytes->size() : 0;
}

std::string RandomUserKey() {
  // make-user-key under an all-zero master key: a convenient source of fresh 64-byte keys.
  return RunOk({"crypto", "make-user-key", "--master-key", std::string(43, 'A') + "="})["user_key"];
}

TEST(CliMasterKey, MatchesThePbkdf2Vector) {
  KW_REQUIRE_VECTORS();
  const auto v = VectorById("purecrypto-pbkdf2-600000");
  const auto out =
      RunOk({"crypto", "master-key", "--email", v["email"], "--password", v["password"], "--kdf", v["kdf"]});
  EXPECT_EQ(out["master_key"], v["expect_master_key_b64"]);
  EXPECT_EQ(out.size(), 4u);
  // The hashes and the stretched key, against the library's own computation from that master key.
  auto master_key = MasterKey::FromBase64(v["expect_master_key_b64"].get<std::string>());
  ASSERT_TRUE(master_key.ok());
  EXPECT_EQ(out["server_hash"], *master_key->ServerHash(v["password"].get<std::string>()));
  EXPECT_EQ(out["local_hash"], *master_key->LocalHash(v["password"].get<std::string>()));
  auto stretched = master_key->Stretch();
  ASSERT_TRUE(stretched.ok());
  EXPECT_EQ(out["stretched_key"], Base64Encode(stretched->bytes().span()));
  EXPECT_EQ(DecodedSize(out["stretched_key"]), 64u);
}

TEST(CliMasterKey, MatchesTheArgon2idAndHashVectors) {
  KW_REQUIRE_VECTORS();
  const auto master = VectorById("kdf-argon2id-4-32-2");
  EXPECT_EQ(RunOk({"crypto", "master-key", "--email", master["email"], "--password", master["password"], "--kdf",
                   master["kdf"]})["master_key"],
            master["expect_master_key_b64"]);
  const auto server = VectorById("server-hash-argon2id-4-32-2");
  EXPECT_EQ(RunOk({"crypto", "master-key", "--email", server["email"], "--password", server["password"], "--kdf",
                   server["kdf"]})["server_hash"],
            server["expect_server_hash_b64"]);
  const auto local = VectorById("local-hash-pbkdf2-100000");
  EXPECT_EQ(RunOk({"crypto", "master-key", "--email", local["email"], "--password", local["password"], "--kdf",
                   local["kdf"]})["local_hash"],
            local["expect_local_hash_b64"]);
}

TEST(CliMasterKey, AcceptsOldAccountSettingsBelowTheServerMinimum) {
  // 5,000 iterations: below what a server hands out today, still derivable by a client.
  const auto out =
      RunOk({"crypto", "master-key", "--email", "a@example.com", "--password", "pw", "--kdf", "pbkdf2:5000"});
  EXPECT_EQ(DecodedSize(out["master_key"]), 32u);
}

TEST(CliUserKey, MakeThenUnwrapRoundTrips) {
  const auto master =
      RunOk({"crypto", "master-key", "--email", "u@example.com", "--password", "pw", "--kdf", kCheapKdf});
  const auto made = RunOk({"crypto", "make-user-key", "--master-key", master["master_key"]});
  EXPECT_EQ(DecodedSize(made["user_key"]), 64u);
  EXPECT_EQ(made["encrypted_user_key"].get<std::string>().substr(0, 2), "2.");
  const auto unwrapped =
      RunOk({"crypto", "unwrap-user-key", "--master-key", master["master_key"], "--enc", made["encrypted_user_key"]});
  EXPECT_EQ(unwrapped["user_key"], made["user_key"]);
  // Wrapped under the stretched key: decrypt with it directly.
  const auto opened =
      RunOk({"crypto", "decrypt", "--key", master["stretched_key"], "--enc", made["encrypted_user_key"]});
  EXPECT_EQ(opened["data"], made["user_key"]);
}

TEST(CliUserKey, UnwrapsALegacyType0Vector) {
  KW_REQUIRE_VECTORS();
  const auto v = VectorById("user-key-type0-raw-master-key");
  const auto out = RunOk({"crypto", "unwrap-user-key", "--master-key", v["master_key_b64"], "--enc", v["enc"]});
  EXPECT_EQ(out["user_key"], v["expect_user_key_b64"]);
}

TEST(CliSymmetric, EncryptThenDecryptText) {
  const std::string key = RandomUserKey();
  const auto encrypted = RunOk({"crypto", "encrypt", "--key", key, "--text", "héllo wörld"});
  EXPECT_EQ(encrypted["enc"].get<std::string>().substr(0, 2), "2.");
  const auto decrypted = RunOk({"crypto", "decrypt", "--key", key, "--enc", encrypted["enc"]});
  EXPECT_EQ(decrypted["text"], "héllo wörld");
  EXPECT_EQ(decrypted["data"], Base64Encode(AsBytes("héllo wörld")));
}

TEST(CliSymmetric, BinaryDataThatIsNotUtf8HasNoTextField) {
  const std::string key = RandomUserKey();
  const std::vector<std::uint8_t> data = {0xff, 0x00, 0xc3, 0x28, 0x80};
  const auto encrypted = RunOk({"crypto", "encrypt", "--key", key, "--data", Base64Encode(data)});
  const auto decrypted = RunOk({"crypto", "decrypt", "--key", key, "--enc", encrypted["enc"]});
  EXPECT_EQ(decrypted["data"], Base64Encode(data));
  EXPECT_FALSE(decrypted.contains("text"));
}

TEST(CliSymmetric, DecryptsTheSdkVector) {
  KW_REQUIRE_VECTORS();
  const auto v = VectorById("purecrypto-type2-test");
  const auto out = RunOk({"crypto", "decrypt", "--key", v["key_b64"], "--enc", v["enc"]});
  EXPECT_EQ(out["text"], v["expect_utf8"]);
}

TEST(CliRsa, GenerateEncapsulateDecapsulate) {
  const auto pair = RunOk({"crypto", "rsa-generate"});
  EXPECT_EQ(pair.size(), 2u);
  EXPECT_GT(DecodedSize(pair["public_key"]), 256u);    // SPKI of a 2048-bit modulus
  EXPECT_GT(DecodedSize(pair["private_key"]), 1000u);  // PKCS#8
  const std::string key = RandomUserKey();
  const auto encapsulated = RunOk({"crypto", "encapsulate", "--public-key", pair["public_key"], "--key", key});
  EXPECT_EQ(encapsulated["enc"].get<std::string>().substr(0, 2), "4.");
  const auto opened =
      RunOk({"crypto", "decapsulate", "--private-key", pair["private_key"], "--enc", encapsulated["enc"]});
  EXPECT_EQ(opened["key"], key);
}

TEST(CliRsa, DecapsulatesTheAuthRequestVector) {
  KW_REQUIRE_VECTORS();
  const auto v = VectorById("auth-request-decapsulate");
  const auto out = RunOk({"crypto", "decapsulate", "--private-key", v["private_key_pkcs8_b64"], "--enc", v["enc"]});
  EXPECT_EQ(out["key"], v["expect_key_b64"]);
}

TEST(CliRsa, WrapThenUnwrapPrivateKey) {
  const auto pair = RunOk({"crypto", "rsa-generate"});
  const std::string key = RandomUserKey();
  const auto wrapped = RunOk({"crypto", "wrap-private-key", "--key", key, "--private-key", pair["private_key"]});
  EXPECT_EQ(wrapped["enc"].get<std::string>().substr(0, 2), "2.");
  const auto unwrapped = RunOk({"crypto", "unwrap-private-key", "--key", key, "--enc", wrapped["enc"]});
  EXPECT_EQ(unwrapped["private_key"], pair["private_key"]);
  EXPECT_EQ(unwrapped["public_key"], pair["public_key"]);
}

TEST(CliTrustedDevice, TrustThenUnlock) {
  const std::string user_key = RandomUserKey();
  const auto device = RunOk({"crypto", "trust-device", "--user-key", user_key});
  EXPECT_EQ(DecodedSize(device["device_key"]), 64u);
  EXPECT_EQ(device["encrypted_user_key"].get<std::string>().substr(0, 2), "4.");
  EXPECT_EQ(device["encrypted_public_key"].get<std::string>().substr(0, 2), "2.");
  EXPECT_EQ(device["encrypted_private_key"].get<std::string>().substr(0, 2), "2.");
  const auto unlocked =
      RunOk({"crypto", "device-unlock", "--device-key", device["device_key"], "--encrypted-private-key",
             device["encrypted_private_key"], "--encrypted-user-key", device["encrypted_user_key"]});
  EXPECT_EQ(unlocked["user_key"], user_key);
  // The public key stored under the user key is the device's: it opens to SPKI bytes.
  const auto public_key = RunOk({"crypto", "decrypt", "--key", user_key, "--enc", device["encrypted_public_key"]});
  EXPECT_GT(DecodedSize(public_key["data"]), 256u);
}

TEST(CliTrustedDevice, UnlocksTheSdkVector) {
  KW_REQUIRE_VECTORS();
  const auto v = VectorById("device-key-tde");
  const auto out = RunOk({"crypto", "device-unlock", "--device-key", v["device_key_b64"], "--encrypted-private-key",
                          v["enc_private_key"], "--encrypted-user-key", v["enc_user_key"]});
  EXPECT_EQ(out["user_key"], v["expect_user_key_b64"]);
}

TEST(CliAccountRecovery, EnrollRecoverThenUnlockWithTheNewPassword) {
  // The organisation: a key, a key pair, the private key stored under the org key.
  const std::string org_key = RandomUserKey();
  const auto org_pair = RunOk({"crypto", "rsa-generate"});
  const auto org_private =
      RunOk({"crypto", "wrap-private-key", "--key", org_key, "--private-key", org_pair["private_key"]});
  // The member enrolls.
  const std::string user_key = RandomUserKey();
  const auto enrolled =
      RunOk({"crypto", "recovery-enroll", "--user-key", user_key, "--org-public-key", org_pair["public_key"]});
  EXPECT_EQ(enrolled["reset_password_key"].get<std::string>().substr(0, 2), "4.");

  const auto recovered = RunOk({"crypto", "recovery-recover", "--org-key", org_key, "--org-encrypted-private-key",
                                org_private["enc"], "--reset-password-key", enrolled["reset_password_key"],
                                "--new-password", "new password", "--email", "Member@Example.com", "--kdf", kCheapKdf});
  EXPECT_EQ(recovered.size(), 4u);
  EXPECT_EQ(recovered["user_key"], user_key);

  // The member logs in with the new password: same server hash, same user key.
  const auto master = RunOk(
      {"crypto", "master-key", "--email", "member@example.com", "--password", "new password", "--kdf", kCheapKdf});
  EXPECT_EQ(recovered["server_hash"], master["server_hash"]);
  const auto unwrapped = RunOk(
      {"crypto", "unwrap-user-key", "--master-key", master["master_key"], "--enc", recovered["encrypted_user_key"]});
  EXPECT_EQ(unwrapped["user_key"], user_key);
  // The fresh enrollment opens to the same user key.
  const auto reenrolled = RunOk(
      {"crypto", "decapsulate", "--private-key", org_pair["private_key"], "--enc", recovered["reset_password_key"]});
  EXPECT_EQ(reenrolled["key"], user_key);
}

TEST(CliFingerprint, MatchesTheSdkVectors) {
  KW_REQUIRE_VECTORS();
  const auto vectors = VectorsOfKind("fingerprint");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const auto out = RunOk({"crypto", "fingerprint", "--email", v["material"], "--public-key", v["public_key_b64"]});
    EXPECT_EQ(out["phrase"], v["expect_phrase"]) << v["id"];
  }
}

TEST(CliHelp, TopLevelAndCryptoHelpExitZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"crypto", "--help"}, {"crypto", "decrypt", "--help"}}) {
    const CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage"), std::string::npos);
  }
  EXPECT_NE(RunCli({"--help"}).out.find("crypto"), std::string::npos);
  EXPECT_NE(RunCli({"crypto", "--help"}).out.find("recovery-recover"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::testing
