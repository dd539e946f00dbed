#include "keywarden/crypto/kdf.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

TEST(KdfConfigTest, Defaults) {
  EXPECT_EQ(KdfConfig::DefaultPbkdf2(), KdfConfig::Pbkdf2(600000));
  EXPECT_EQ(KdfConfig::DefaultArgon2id(), KdfConfig::Argon2id(6, 32, 4));
  EXPECT_TRUE(KdfConfig::DefaultPbkdf2().ValidateForServer().ok());
  EXPECT_TRUE(KdfConfig::DefaultArgon2id().ValidateForServer().ok());
}

TEST(KdfConfigTest, ParsesAndPrints) {
  const struct {
    const char* spec;
    KdfConfig config;
    const char* printed;
  } cases[] = {
      {"pbkdf2:600000", KdfConfig::Pbkdf2(600000), "pbkdf2:600000"},
      {"pbkdf2:5000", KdfConfig::Pbkdf2(5000), "pbkdf2:5000"},
      {"pbkdf2", KdfConfig::DefaultPbkdf2(), "pbkdf2:600000"},
      {"argon2id:6,32,4", KdfConfig::Argon2id(6, 32, 4), "argon2id:6,32,4"},
      {"argon2id:3,64,4", KdfConfig::Argon2id(3, 64, 4), "argon2id:3,64,4"},
      {"argon2id", KdfConfig::DefaultArgon2id(), "argon2id:6,32,4"},
      // Syntax only: out-of-range values parse, Validate* rejects them.
      {"pbkdf2:0", KdfConfig::Pbkdf2(0), "pbkdf2:0"},
      {"pbkdf2:4294967295", KdfConfig::Pbkdf2(4294967295u), "pbkdf2:4294967295"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    auto parsed = KdfConfig::Parse(c.spec);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, c.config);
    EXPECT_EQ(parsed->ToString(), c.printed);
  }
  EXPECT_EQ(KdfConfig::Parse("pbkdf2")->type(), KdfConfig::Type::kPbkdf2Sha256);
  EXPECT_EQ(KdfConfig::Parse("argon2id")->type(), KdfConfig::Type::kArgon2id);
}

TEST(KdfConfigTest, RejectsMalformedSpecs) {
  for (const char* spec : {"",
                           ":",
                           "pbkdf2:",
                           "pbkdf2: 600000",
                           "pbkdf2:600000 ",
                           " pbkdf2:600000",
                           "pbkdf2:+600000",
                           "pbkdf2:-1",
                           "pbkdf2:4294967296",
                           "pbkdf2:99999999999",
                           "pbkdf2:0600000",
                           "pbkdf2:6e5",
                           "pbkdf2:600000:1",
                           "PBKDF2:600000",
                           "argon2id:",
                           "argon2id:6",
                           "argon2id:6,32",
                           "argon2id:6,32,4,1",
                           "argon2id:6,,4",
                           "argon2id:6,32,",
                           "argon2id:,32,4",
                           "argon2id:6, 32,4",
                           "argon2id:6;32;4",
                           "argon2id:6,32,4294967296",
                           "argon2id:6,+32,4"}) {
    SCOPED_TRACE(spec);
    auto parsed = KdfConfig::Parse(spec);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    // The message quotes the spec and says what is expected.
    std::string quoted = "\"";
    quoted.append(spec).push_back('"');
    EXPECT_NE(parsed.status().message().find(quoted), std::string::npos);
    EXPECT_NE(parsed.status().message().find("expected"), std::string::npos);
  }
}

TEST(KdfConfigTest, UnknownKdfIsUnsupported) {
  auto parsed = KdfConfig::Parse("scrypt:16384,8,1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(parsed.status().message().find("scrypt"), std::string::npos);
}

struct RangeCase {
  KdfConfig config;
  const char* setting;  // appears in the message
  const char* value;
  const char* range;
};

void ExpectOutOfRange(const Status& status, const RangeCase& c) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kOutOfRange);
  EXPECT_NE(status.message().find(c.setting), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(c.value), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(c.range), std::string::npos) << status.message();
}

TEST(KdfConfigTest, ServerRanges) {
  const RangeCase cases[] = {
      {KdfConfig::Pbkdf2(599999), "PBKDF2 iterations", "599999", "600000..2000000"},
      {KdfConfig::Pbkdf2(2000001), "PBKDF2 iterations", "2000001", "600000..2000000"},
      {KdfConfig::Argon2id(1, 32, 4), "Argon2id iterations", "1", "2..10"},
      {KdfConfig::Argon2id(11, 32, 4), "Argon2id iterations", "11", "2..10"},
      {KdfConfig::Argon2id(6, 14, 4), "Argon2id memory", "14", "15..1024"},
      {KdfConfig::Argon2id(6, 1025, 4), "Argon2id memory", "1025", "15..1024"},
      {KdfConfig::Argon2id(6, 32, 0), "Argon2id parallelism", "0", "1..16"},
      {KdfConfig::Argon2id(6, 32, 17), "Argon2id parallelism", "17", "1..16"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config.ToString());
    ExpectOutOfRange(c.config.ValidateForServer(), c);
    EXPECT_NE(c.config.ValidateForServer().message().find("server"), std::string::npos);
  }
  for (const auto& ok : {KdfConfig::Pbkdf2(600000), KdfConfig::Pbkdf2(2000000), KdfConfig::Argon2id(2, 15, 1),
                         KdfConfig::Argon2id(10, 1024, 16)}) {
    EXPECT_TRUE(ok.ValidateForServer().ok()) << ok.ToString();
  }
}

TEST(KdfConfigTest, ClientRanges) {
  const RangeCase cases[] = {
      {KdfConfig::Pbkdf2(4999), "PBKDF2 iterations", "4999", "5000..2000000"},
      {KdfConfig::Pbkdf2(2000001), "PBKDF2 iterations", "2000001", "5000..2000000"},
      {KdfConfig::Argon2id(1, 32, 4), "Argon2id iterations", "1", "2..10"},
      {KdfConfig::Argon2id(11, 32, 4), "Argon2id iterations", "11", "2..10"},
      {KdfConfig::Argon2id(6, 15, 4), "Argon2id memory", "15", "16..1024"},
      {KdfConfig::Argon2id(6, 1025, 4), "Argon2id memory", "1025", "16..1024"},
      {KdfConfig::Argon2id(6, 32, 0), "Argon2id parallelism", "0", "1..16"},
      {KdfConfig::Argon2id(6, 32, 17), "Argon2id parallelism", "17", "1..16"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config.ToString());
    ExpectOutOfRange(c.config.ValidateForClient(), c);
    EXPECT_NE(c.config.ValidateForClient().message().find("client"), std::string::npos);
  }
  // Old accounts below the server minimum are still derivable.
  EXPECT_TRUE(KdfConfig::Pbkdf2(5000).ValidateForClient().ok());
  EXPECT_TRUE(KdfConfig::Pbkdf2(100000).ValidateForClient().ok());
  EXPECT_FALSE(KdfConfig::Pbkdf2(100000).ValidateForServer().ok());
  EXPECT_TRUE(KdfConfig::Argon2id(2, 16, 1).ValidateForClient().ok());
}

TEST(KdfTest, NormalizeEmail) {
  EXPECT_EQ(NormalizeEmail("Test@Bitwarden.COM"), "test@bitwarden.com");
  EXPECT_EQ(NormalizeEmail(" \t\r\ntest@bitwarden.com \n"), "test@bitwarden.com");
  EXPECT_EQ(NormalizeEmail("   "), "");
  EXPECT_EQ(NormalizeEmail(""), "");
  EXPECT_EQ(NormalizeEmail("a b@C"), "a b@c");  // inner whitespace is kept
}

TEST(KdfTest, NormalizeEmailUsesUnicodeRules) {
  EXPECT_EQ(NormalizeEmail("\xc3\x89@X.io"), "\xc3\xa9@x.io");                            // É -> é
  EXPECT_EQ(NormalizeEmail("\xe2\x80\x83J\xc3\x96RG@x.de\xc2\xa0"), "j\xc3\xb6rg@x.de");  // em space, NBSP trimmed
  EXPECT_EQ(NormalizeEmail("\xce\x9f\xce\x94\xce\x9f\xce\xa3@x.gr"),
            "\xce\xbf\xce\xb4\xce\xbf\xcf\x82@x.gr");            // final sigma
  EXPECT_EQ(NormalizeEmail("\xc4\xb0@x.tr"), "i\xcc\x87@x.tr");  // İ -> i + combining dot
  // Not UTF-8: trimmed and lower-cased as ASCII, other bytes kept.
  EXPECT_EQ(NormalizeEmail(" \xff@X.io"), "\xff@x.io");
}

TEST(KdfTest, DeriveRefusesSettingsBelowTheClientMinimum) {
  for (const auto& kdf :
       {KdfConfig::Pbkdf2(4999), KdfConfig::Pbkdf2(0), KdfConfig::Argon2id(1, 32, 4), KdfConfig::Argon2id(2, 15, 1),
        KdfConfig::Argon2id(2, 16, 0), KdfConfig::Argon2id(2, 4096, 4), KdfConfig::Pbkdf2(4000000000u)}) {
    SCOPED_TRACE(kdf.ToString());
    auto out = DeriveKdfOutput("password", "a@b.c", kdf);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), ErrorCode::kOutOfRange);
  }
}

TEST(KdfTest, DeriveNormalisesTheEmail) {
  auto a = DeriveKdfOutput("password", "User@Example.com ", KdfConfig::Pbkdf2(5000));
  auto b = DeriveKdfOutput("password", "user@example.com", KdfConfig::Pbkdf2(5000));
  auto c = DeriveKdfOutput("password", "other@example.com", KdfConfig::Pbkdf2(5000));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_TRUE(a->Equals(b->span()));
  EXPECT_FALSE(a->Equals(c->span()));

  auto d = DeriveKdfOutput("password", "User@Example.com", KdfConfig::Argon2id(2, 16, 1));
  auto e = DeriveKdfOutput("password", "user@example.com", KdfConfig::Argon2id(2, 16, 1));
  ASSERT_TRUE(d.ok() && e.ok()) << d.status().ToString();
  EXPECT_TRUE(d->Equals(e->span()));
  EXPECT_FALSE(d->Equals(a->span()));
}

TEST(KdfTest, DeriveAcceptsAnEmptyPassword) {
  EXPECT_TRUE(DeriveKdfOutput("", "a@b.c", KdfConfig::Pbkdf2(5000)).ok());
  EXPECT_TRUE(DeriveKdfOutput("", "", KdfConfig::Argon2id(2, 16, 1)).ok());
}

TEST(KdfTest, HkdfExpandLengths) {
  const std::vector<std::uint8_t> prk(32, 1);
  auto one = HkdfExpandSha256(prk, "info", 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  auto max = HkdfExpandSha256(prk, "info", 255 * 32);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size(), 255u * 32u);
  // A shorter output is a prefix of a longer one.
  EXPECT_EQ(max->span()[0], one->span()[0]);
  EXPECT_EQ(HkdfExpandSha256(prk, "info", 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(HkdfExpandSha256(prk, "info", 255 * 32 + 1).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(HkdfExpandSha256({}, "info", 32).status().code(), ErrorCode::kInvalidArgument);
  // Empty info is allowed and differs from non-empty info.
  auto empty = HkdfExpandSha256(prk, "", 32);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->Equals(HkdfExpandSha256(prk, "x", 32)->span()));
}

TEST(KdfTest, HkdfExpandMatchesRfc5869Case1) {
  // RFC 5869 test case 1: PRK and info as published; OKM's first 42 bytes.
  auto prk = Base64Decode("B3cJNiwuMt8N3D8NxHu6Y5C2xzu1D5wxIuyEStfCs+U=");
  ASSERT_TRUE(prk.ok());
  const std::vector<std::uint8_t> info = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9};
  auto okm = HkdfExpandSha256(*prk, std::string_view(reinterpret_cast<const char*>(info.data()), info.size()), 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(Base64Encode(okm->span()), "PLJfJfqs1XqQQ09k0DYvKi0tCpDPGlpMXbAtVuzExb80AHII1biHGFhl");
}

TEST(KdfVectorTest, HkdfExpand) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("hkdf_expand");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto prk = Base64Decode(v.at("prk_b64").get<std::string>());
    ASSERT_TRUE(prk.ok());
    auto okm = HkdfExpandSha256(*prk, v.at("info").get<std::string>(), v.at("length").get<std::size_t>());
    ASSERT_TRUE(okm.ok()) << okm.status().ToString();
    EXPECT_EQ(Base64Encode(okm->span()), v.at("expect_okm_b64").get<std::string>());
  }
}

}  // namespace
}  // namespace keywarden
