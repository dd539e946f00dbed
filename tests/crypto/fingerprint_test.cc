#include "keywarden/crypto/fingerprint.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "support/vectors.h"

namespace keywarden {
namespace {

const RsaPrivateKey& Key() {
  static const RsaPrivateKey key = RsaPrivateKey::Generate().value();
  return key;
}

std::vector<std::string> Split(const std::string& phrase) {
  std::vector<std::string> words;
  std::size_t start = 0;
  for (std::size_t dash; (dash = phrase.find('-', start)) != std::string::npos; start = dash + 1) {
    words.push_back(phrase.substr(start, dash - start));
  }
  words.push_back(phrase.substr(start));
  return words;
}

TEST(FingerprintTest, WordListIsTheEffLongList) {
  const auto words = EffLongWordList();
  ASSERT_EQ(words.size(), 7776u);
  EXPECT_EQ(words.front(), "abacus");
  EXPECT_EQ(words.back(), "zoom");
  EXPECT_EQ(std::set<std::string_view>(words.begin(), words.end()).size(), 7776u);
}

TEST(FingerprintTest, FiveWordsFromTheList) {
  auto phrase = FingerprintPhrase("user@example.com", Key().PublicKey());
  ASSERT_TRUE(phrase.ok()) << phrase.status().ToString();
  const auto words = Split(*phrase);
  ASSERT_EQ(words.size(), 5u) << *phrase;
  const auto list = EffLongWordList();
  const std::set<std::string_view> known(list.begin(), list.end());
  for (const auto& w : words) EXPECT_TRUE(known.count(w)) << w;
}

TEST(FingerprintTest, DependsOnMaterialAndKey) {
  const RsaPrivateKey other = RsaPrivateKey::Generate().value();
  const std::string a = FingerprintPhrase("user@example.com", Key().PublicKey()).value();
  EXPECT_EQ(a, FingerprintPhrase("user@example.com", Key().PublicKey()).value());
  EXPECT_NE(a, FingerprintPhrase("other@example.com", Key().PublicKey()).value());
  EXPECT_NE(a, FingerprintPhrase("user@example.com", other.PublicKey()).value());
}

TEST(FingerprintVectorTest, MatchesBitwarden) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("fingerprint");
  ASSERT_EQ(vectors.size(), 2u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto key = RsaPublicKey::FromBase64(v.at("public_key_b64").get<std::string>());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    auto phrase = FingerprintPhrase(v.at("material").get<std::string>(), *key);
    ASSERT_TRUE(phrase.ok()) << phrase.status().ToString();
    EXPECT_EQ(*phrase, v.at("expect_phrase").get<std::string>());
  }
}

}  // namespace
}  // namespace keywarden
