// PasswordHasher: PHC strings made and checked with libargon2, refused when malformed or not
// argon2id, rehash decisions, and a dummy verification that does the same work as a real one.
#include "server/identity/password_hasher.h"

#include <argon2.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"

namespace keywarden::server::identity {
namespace {

// The cheapest costs Check() accepts, so that tests that are not about cost stay fast.
constexpr PasswordHashParams kCheap{8192, 1, 1};

std::span<const std::uint8_t> Bytes(std::string_view text) { return AsBytes(text); }

// What a client sends: base64 of its 32-byte master password hash.
constexpr std::string_view kClientHash = "qk8uQ6N3M1Qf6Lq2qnJ1c6zrlYOa+VJm2l8xUQ7f0zY=";

// A PHC string of another Argon2 variant, made by libargon2 itself.
std::string OtherVariant(argon2_type type, std::string_view secret) {
  const std::string salt = "sixteen byte slt";
  std::string encoded(argon2_encodedlen(1, 8192, 1, salt.size(), 32, type), '\0');
  const int rc = argon2_hash(1, 8192, 1, secret.data(), secret.size(), salt.data(), salt.size(), nullptr, 32,
                             encoded.data(), encoded.size(), type, ARGON2_VERSION_13);
  EXPECT_EQ(rc, ARGON2_OK);
  encoded.resize(encoded.find('\0'));
  return encoded;
}

std::vector<std::string_view> Fields(std::string_view phc) {
  std::vector<std::string_view> fields;
  for (std::size_t at = phc.find('$'); at != std::string_view::npos; at = phc.find('$')) {
    fields.push_back(phc.substr(0, at));
    phc.remove_prefix(at + 1);
  }
  fields.push_back(phc);
  return fields;
}

TEST(PasswordHashParamsTest, DefaultsAreOwaspsArgon2idMinimum) {
  const PasswordHashParams params;
  EXPECT_EQ(params.memory_kib, 19456U);
  EXPECT_EQ(params.iterations, 2U);
  EXPECT_EQ(params.parallelism, 1U);
  EXPECT_TRUE(params.Check().ok());
}

TEST(PasswordHashParamsTest, CheckAcceptsTheBoundsAndRefusesOneBeyond) {
  EXPECT_TRUE((PasswordHashParams{8192, 1, 1}.Check().ok()));
  EXPECT_TRUE((PasswordHashParams{4194304, 20, 16}.Check().ok()));
  const std::vector<std::pair<PasswordHashParams, std::string>> refused = {
      {{8191, 2, 1}, "memory"},       {{4194305, 2, 1}, "memory"},    {{19456, 0, 1}, "iterations"},
      {{19456, 21, 1}, "iterations"}, {{19456, 2, 0}, "parallelism"}, {{19456, 2, 17}, "parallelism"},
  };
  for (const auto& [params, setting] : refused) {
    const Status status = params.Check();
    EXPECT_EQ(status.code(), ErrorCode::kOutOfRange) << setting;
    EXPECT_NE(status.message().find(setting), std::string::npos) << status.message();
  }
}

TEST(PasswordHasherTest, HashIsAPhcStringThatVerifies) {
  const PasswordHasher hasher;
  auto phc = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(phc.ok()) << phc.status().ToString();
  const std::vector<std::string_view> fields = Fields(*phc);
  ASSERT_EQ(fields.size(), 6U) << *phc;
  EXPECT_EQ(fields[1], "argon2id");
  EXPECT_EQ(fields[2], "v=19");
  EXPECT_EQ(fields[3], "m=19456,t=2,p=1");
  EXPECT_EQ(fields[4].size(), 22U);  // 16 bytes, unpadded base64
  EXPECT_EQ(fields[5].size(), 43U);  // 32 bytes
  auto verified = hasher.Verify(*phc, Bytes(kClientHash));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(*verified);
  EXPECT_FALSE(hasher.NeedsRehash(*phc));
}

TEST(PasswordHasherTest, WrongSecretDoesNotVerify) {
  const PasswordHasher hasher(kCheap);
  auto phc = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(phc.ok());
  for (std::string_view wrong : {"qk8uQ6N3M1Qf6Lq2qnJ1c6zrlYOa+VJm2l8xUQ7f0zZ=", "", "qk8uQ6N3M1Qf6Lq2"}) {
    auto verified = hasher.Verify(*phc, Bytes(wrong));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_FALSE(*verified) << wrong;
  }
}

TEST(PasswordHasherTest, EachHashHasItsOwnSalt) {
  const PasswordHasher hasher(kCheap);
  auto first = hasher.Hash(Bytes(kClientHash));
  auto second = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(Fields(*first)[4], Fields(*second)[4]);
  EXPECT_NE(*first, *second);
}

TEST(PasswordHasherTest, EmptySecretHashesAndVerifies) {
  const PasswordHasher hasher(kCheap);
  auto phc = hasher.Hash({});
  ASSERT_TRUE(phc.ok());
  auto verified = hasher.Verify(*phc, {});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(*verified);
}

TEST(PasswordHasherTest, TamperedPhcNeverVerifies) {
  const PasswordHasher hasher(kCheap);
  auto made = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(made.ok());
  const std::string phc = *made;
  const std::vector<std::string_view> fields = Fields(phc);
  // Well-formed changes: a different salt, tag or cost yields a different answer, so false.
  auto with_field = [&](std::size_t index, std::string replacement) {
    std::string changed = "$argon2id$v=19$";
    changed += index == 3 ? replacement : std::string(fields[3]);
    changed += "$" + (index == 4 ? replacement : std::string(fields[4]));
    changed += "$" + (index == 5 ? replacement : std::string(fields[5]));
    return changed;
  };
  auto flip_first = [](std::string_view field) {
    std::string changed(field);
    changed[0] = changed[0] == 'A' ? 'B' : 'A';
    return changed;
  };
  for (const std::string& tampered : {with_field(4, flip_first(fields[4])), with_field(5, flip_first(fields[5])),
                                      with_field(3, "m=8193,t=1,p=1"), with_field(3, "m=8192,t=2,p=1")}) {
    auto verified = hasher.Verify(tampered, Bytes(kClientHash));
    ASSERT_TRUE(verified.ok()) << tampered << ": " << verified.status().ToString();
    EXPECT_FALSE(*verified) << tampered;
  }
  // Malformed: refused before any hashing.
  const std::vector<std::string> malformed = {
      phc.substr(0, phc.size() - 2),                 // a tag of impossible length (41 characters)
      phc + "$",                                     // a field too many
      phc.substr(0, phc.rfind('$')),                 // no tag
      with_field(3, "m=08192,t=1,p=1"),              // a leading zero
      with_field(3, "t=1,m=8192,p=1"),               // fields out of order
      with_field(3, "m=8192,t=1"),                   // a field missing
      with_field(3, "m=8192,t=1,p=1,k=2"),           // a field too many
      with_field(3, "m=99999999999,t=1,p=1"),        // more than 32 bits
      with_field(4, "c2FsdA"),                       // a 4-byte salt
      with_field(4, std::string(fields[4]) + "!"),   // not base64
      with_field(5, std::string(fields[5], 0, 20)),  // a 15-byte tag
      "",
      "argon2id$v=19$m=8192,t=1,p=1$" + std::string(fields[4]) + "$" + std::string(fields[5]),
  };
  for (const std::string& bad : malformed) {
    auto verified = hasher.Verify(bad, Bytes(kClientHash));
    EXPECT_EQ(verified.status().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_TRUE(hasher.NeedsRehash(bad)) << bad;
  }
}

TEST(PasswordHasherTest, OtherAlgorithmsAreRefused) {
  const PasswordHasher hasher(kCheap);
  const std::string argon2i = OtherVariant(Argon2_i, kClientHash);
  const std::string argon2d = OtherVariant(Argon2_d, kClientHash);
  ASSERT_EQ(argon2i.rfind("$argon2i$", 0), 0U) << argon2i;
  ASSERT_EQ(argon2d.rfind("$argon2d$", 0), 0U) << argon2d;
  std::string version16 = OtherVariant(Argon2_id, kClientHash);
  version16.replace(version16.find("v=19"), 4, "v=16");
  for (const std::string& other :
       {argon2i, argon2d, version16, std::string("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"),
        std::string("$pbkdf2-sha256$600000$c2FsdHNhbHQ$bm90IGEgcmVhbCBoYXNo")}) {
    auto verified = hasher.Verify(other, Bytes(kClientHash));
    EXPECT_EQ(verified.status().code(), ErrorCode::kInvalidArgument) << other;
    EXPECT_TRUE(hasher.NeedsRehash(other)) << other;
  }
}

TEST(PasswordHasherTest, CostsBeyondTheBoundsAreRefusedWithoutHashing) {
  const PasswordHasher hasher(kCheap);
  auto made = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(made.ok());
  const std::string tail = made->substr(made->find("$", made->find("p=")));
  const std::uint64_t before = PasswordHasher::VerifyComputations();
  for (std::string_view costs : {"m=4194305,t=1,p=1", "m=8192,t=21,p=1", "m=8192,t=1,p=17", "m=4096,t=1,p=1"}) {
    auto verified = hasher.Verify("$argon2id$v=19$" + std::string(costs) + tail, Bytes(kClientHash));
    EXPECT_EQ(verified.status().code(), ErrorCode::kOutOfRange) << costs;
  }
  EXPECT_EQ(PasswordHasher::VerifyComputations(), before);
}

TEST(PasswordHasherTest, NeedsRehashWhenAnyCostDiffers) {
  const PasswordHashParams base{8192, 1, 1};
  auto phc = PasswordHasher(base).Hash(Bytes(kClientHash));
  ASSERT_TRUE(phc.ok());
  EXPECT_FALSE(PasswordHasher(base).NeedsRehash(*phc));
  EXPECT_TRUE(PasswordHasher({16384, 1, 1}).NeedsRehash(*phc));
  EXPECT_TRUE(PasswordHasher({8192, 2, 1}).NeedsRehash(*phc));
  EXPECT_TRUE(PasswordHasher({8192, 1, 2}).NeedsRehash(*phc));
}

TEST(PasswordHasherTest, NeedsRehashWhenSaltOrTagSizeDiffers) {
  const PasswordHasher hasher(kCheap);
  const std::string salt = "eight-by";  // libargon2's shortest salt
  std::string encoded(argon2_encodedlen(1, 8192, 1, salt.size(), 24, Argon2_id), '\0');
  ASSERT_EQ(argon2id_hash_encoded(1, 8192, 1, kClientHash.data(), kClientHash.size(), salt.data(), salt.size(), 24,
                                  encoded.data(), encoded.size()),
            ARGON2_OK);
  encoded.resize(encoded.find('\0'));
  auto verified = hasher.Verify(encoded, Bytes(kClientHash));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(*verified);  // still a valid login
  EXPECT_TRUE(hasher.NeedsRehash(encoded));
}

// Hash and Verify run libargon2 through contexts (for their memory, internal/argon2_memory.h)
// and write and read the PHC string themselves: what they make is exactly what libargon2's own
// encoder makes from the same salt, and each side verifies the other's.
TEST(PasswordHasherTest, PhcStringsAreLibargon2sOwn) {
  const PasswordHasher hasher(kCheap);
  auto ours = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  EXPECT_EQ(argon2id_verify(ours->c_str(), kClientHash.data(), kClientHash.size()), ARGON2_OK);
  EXPECT_EQ(argon2id_verify(ours->c_str(), "wrong", 5), ARGON2_VERIFY_MISMATCH);

  // libargon2 encoding our salt gives our string, byte for byte.
  std::string salt_text(Fields(*ours)[4]);
  salt_text.append((4 - salt_text.size() % 4) % 4, '=');
  auto salt = Base64DecodeSecret(salt_text);
  ASSERT_TRUE(salt.ok());
  std::string theirs(argon2_encodedlen(1, 8192, 1, salt->size(), 32, Argon2_id), '\0');
  ASSERT_EQ(argon2id_hash_encoded(1, 8192, 1, kClientHash.data(), kClientHash.size(), salt->data(), salt->size(), 32,
                                  theirs.data(), theirs.size()),
            ARGON2_OK);
  theirs.resize(theirs.find('\0'));
  EXPECT_EQ(*ours, theirs);

  auto verified = hasher.Verify(theirs, Bytes(kClientHash));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(*verified);
  auto wrong = hasher.Verify(theirs, Bytes("wrong"));
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(*wrong);
}

TEST(PasswordHasherTest, ParamsOutOfBoundsFailClosed) {
  const PasswordHasher hasher({1024, 1, 1});
  EXPECT_EQ(hasher.Hash(Bytes(kClientHash)).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(hasher.VerifyAgainstNothing(Bytes(kClientHash)).status().code(), ErrorCode::kOutOfRange);
}

// The dummy must run one Argon2id computation at the hasher's own costs. Costs well above the
// default make a real verification long enough that a dummy doing less work (lower costs, or none)
// could not come near it; each side's fastest of three runs is compared, in the same test.
TEST(PasswordHasherTest, VerifyAgainstNothingDoesTheWorkOfARealVerify) {
  const PasswordHasher hasher({65536, 3, 1});
  auto phc = hasher.Hash(Bytes(kClientHash));
  ASSERT_TRUE(phc.ok());
  auto fastest = [](auto&& run) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      const auto start = std::chrono::steady_clock::now();
      run();
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return best;
  };
  const auto real = fastest([&] {
    auto verified = hasher.Verify(*phc, Bytes(kClientHash));
    EXPECT_TRUE(verified.ok() && *verified);
  });
  const std::uint64_t before = PasswordHasher::VerifyComputations();
  const auto dummy = fastest([&] {
    auto verified = hasher.VerifyAgainstNothing(Bytes(kClientHash));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_FALSE(*verified);
  });
  EXPECT_EQ(PasswordHasher::VerifyComputations() - before, 3U);
  EXPECT_GT(dummy * 2, real) << "dummy " << std::chrono::duration<double, std::milli>(dummy).count() << " ms, real "
                             << std::chrono::duration<double, std::milli>(real).count() << " ms";
}

}  // namespace
}  // namespace keywarden::server::identity
