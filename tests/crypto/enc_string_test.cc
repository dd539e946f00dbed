#include "keywarden/crypto/enc_string.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes ToBytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

SecureBuffer Counting(std::size_t size, std::uint8_t start = 0) {
  SecureBuffer b(size);
  for (std::size_t i = 0; i < size; ++i) b.data()[i] = static_cast<std::uint8_t>(start + 3 * i);
  return b;
}

SymmetricKey Key64(std::uint8_t start = 0) { return std::move(SymmetricKey::FromBytes(Counting(64, start))).value(); }
SymmetricKey Legacy32(std::uint8_t start = 0) {
  return std::move(SymmetricKey::FromBytes(Counting(32, start))).value();
}

// Independent AES-256-CBC straight from OpenSSL, to build inputs our API never produces
// (type 0, valid MACs over bad padding).
Bytes RawAesCbcEncrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                       std::span<const std::uint8_t> data, bool pad) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(data.size() + 16);
  int n = 0;
  int final_n = 0;
  const bool ok = EVP_EncryptInit_ex2(ctx, EVP_aes_256_cbc(), key.data(), iv.data(), nullptr) == 1 &&
                  EVP_CIPHER_CTX_set_padding(ctx, pad ? 1 : 0) == 1 &&
                  EVP_EncryptUpdate(ctx, out.data(), &n, data.data(), static_cast<int>(data.size())) == 1 &&
                  EVP_EncryptFinal_ex(ctx, out.data() + n, &final_n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_TRUE(ok);
  out.resize(static_cast<std::size_t>(n + final_n));
  return out;
}

Bytes RawHmacSha256(std::span<const std::uint8_t> key, const Bytes& iv, const Bytes& ct) {
  Bytes data = iv;
  data.insert(data.end(), ct.begin(), ct.end());
  Bytes out(32);
  std::size_t len = 0;
  EXPECT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(), data.data(), data.size(),
                      out.data(), out.size(), &len),
            nullptr);
  return out;
}

std::string TextOf(const Result<SecureBuffer>& r) { return std::string(r->view()); }

void ExpectError(const Status& status, ErrorCode code, std::string_view message_part) {
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(message_part), std::string::npos) << status.ToString();
}

void ExpectDecryptionFailed(const Result<SecureBuffer>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(r.status().message(), "decryption failed");
}

// A type 2 string with its parts replaced, for tampering and parse tests.
std::string Type2Text(const Bytes& iv, const Bytes& ct, const Bytes& mac) {
  return "2." + Base64Encode(iv) + "|" + Base64Encode(ct) + "|" + Base64Encode(mac);
}

// --- Round trips ------------------------------------------------------------------------------

TEST(EncStringTest, RoundTripsManySizesThroughTextAndBuffer) {
  const SymmetricKey key = Key64();
  for (std::size_t size : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 64u, 100u * 1024u}) {
    const SecureBuffer plaintext = Counting(size, 5);
    auto enc = EncString::Encrypt(key, plaintext);
    ASSERT_TRUE(enc.ok()) << size;
    EXPECT_EQ(enc->type(), EncString::Type::kAes256CbcHmac);
    EXPECT_EQ(enc->iv().size(), 16u);
    EXPECT_EQ(enc->mac().size(), 32u);
    EXPECT_EQ(enc->ciphertext().size(), (size / 16 + 1) * 16) << size;

    auto parsed = EncString::Parse(enc->ToString());
    ASSERT_TRUE(parsed.ok()) << size;
    auto decrypted = parsed->Decrypt(key);
    ASSERT_TRUE(decrypted.ok()) << size;
    EXPECT_TRUE(decrypted->Equals(plaintext.span())) << size;

    auto from_buffer = EncString::FromBuffer(enc->ToBuffer());
    ASSERT_TRUE(from_buffer.ok()) << size;
    auto decrypted_buffer = from_buffer->Decrypt(key);
    ASSERT_TRUE(decrypted_buffer.ok()) << size;
    EXPECT_TRUE(decrypted_buffer->Equals(plaintext.span())) << size;
  }
}

TEST(EncStringTest, WrapsA64ByteKey) {
  const SymmetricKey wrapping = Key64();
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  auto enc = EncString::Encrypt(wrapping, user_key->bytes());
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ciphertext().size(), 80u);
  auto unwrapped = enc->Decrypt(wrapping);
  ASSERT_TRUE(unwrapped.ok());
  auto key = SymmetricKey::FromBytes(std::move(unwrapped).value());
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->Equals(*user_key));
}

TEST(EncStringTest, EncryptTextRoundTrips) {
  const SymmetricKey key = Key64();
  auto enc = EncString::EncryptText(key, "correct horse battery staple");
  ASSERT_TRUE(enc.ok());
  auto plain = enc->Decrypt(key);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "correct horse battery staple");
}

TEST(EncStringTest, EachEncryptionUsesAFreshIv) {
  const SymmetricKey key = Key64();
  auto a = EncString::EncryptText(key, "same");
  auto b = EncString::EncryptText(key, "same");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(ToBytes(a->iv()), ToBytes(b->iv()));
  EXPECT_NE(ToBytes(a->ciphertext()), ToBytes(b->ciphertext()));
}

TEST(EncStringTest, MatchesAnIndependentAesCbcHmac) {
  const SymmetricKey key = Key64();
  auto enc = EncString::EncryptText(key, "cross-check");
  ASSERT_TRUE(enc.ok());
  const Bytes iv = ToBytes(enc->iv());
  EXPECT_EQ(ToBytes(enc->ciphertext()), RawAesCbcEncrypt(key.enc_key(), iv, AsBytes("cross-check"), true));
  EXPECT_EQ(ToBytes(enc->mac()), RawHmacSha256(key.mac_key(), iv, ToBytes(enc->ciphertext())));
}

TEST(EncStringTest, TextAndBufferLayouts) {
  const SymmetricKey key = Key64();
  auto enc = EncString::EncryptText(key, "layout");
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ToString(), Type2Text(ToBytes(enc->iv()), ToBytes(enc->ciphertext()), ToBytes(enc->mac())));
  Bytes expected = {2};
  expected.insert(expected.end(), enc->iv().begin(), enc->iv().end());
  expected.insert(expected.end(), enc->mac().begin(), enc->mac().end());
  expected.insert(expected.end(), enc->ciphertext().begin(), enc->ciphertext().end());
  EXPECT_EQ(enc->ToBuffer(), expected);
}

TEST(EncStringTest, IsCopyableAndMovable) {
  const SymmetricKey key = Key64();
  auto enc = EncString::EncryptText(key, "copy me");
  ASSERT_TRUE(enc.ok());
  EncString copy = *enc;
  EncString assigned = copy;
  assigned = *enc;
  EncString moved = std::move(copy);
  EXPECT_EQ(moved.ToString(), enc->ToString());
  EXPECT_EQ(assigned.ToString(), enc->ToString());
  auto plain = moved.Decrypt(key);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "copy me");
}

TEST(EncStringTest, DroppedPlaintextsAndKeysReturnLiveCountToBaseline) {
  const std::size_t before = SecureBuffer::LiveCount();
  {
    const SymmetricKey key = Key64();
    auto enc = EncString::Encrypt(key, Counting(100));
    ASSERT_TRUE(enc.ok());
    auto plain = enc->Decrypt(key);
    ASSERT_TRUE(plain.ok());
    auto failed = EncString::FromParts(enc->iv(), enc->ciphertext(), Bytes(32, 0));
    ASSERT_TRUE(failed.ok());
    ExpectDecryptionFailed(failed->Decrypt(key));
    EXPECT_GT(SecureBuffer::LiveCount(), before);
  }
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

TEST(EncStringTest, ThreadsEncryptAndDecryptIndependently) {
  // Each thread has its own OpenSSL contexts; interleaved calls must not share state.
  constexpr int kThreads = 4;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      const SymmetricKey key = Key64(static_cast<std::uint8_t>(t));
      for (int i = 0; i < 200; ++i) {
        const SecureBuffer plaintext = Counting(static_cast<std::size_t>(i % 50), static_cast<std::uint8_t>(t));
        auto enc = EncString::Encrypt(key, plaintext);
        auto plain = enc.ok() ? enc->Decrypt(key) : Result<SecureBuffer>(enc.status());
        if (!plain.ok() || !plain->Equals(plaintext.span())) ++failures[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[static_cast<std::size_t>(t)], 0) << "thread " << t;
}

// --- Keys that do not fit ---------------------------------------------------------------------

TEST(EncStringTest, LegacyKeyCannotEncrypt) {
  auto enc = EncString::EncryptText(Legacy32(), "x");
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), ErrorCode::kWrongKey);
}

TEST(EncStringTest, Type2WithLegacyKeyIsWrongKey) {
  auto enc = EncString::EncryptText(Key64(), "x");
  ASSERT_TRUE(enc.ok());
  auto plain = enc->Decrypt(Legacy32());
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kWrongKey);
}

TEST(EncStringTest, Type2WithAnotherKeyFailsAuthentication) {
  auto enc = EncString::EncryptText(Key64(0), "x");
  ASSERT_TRUE(enc.ok());
  ExpectDecryptionFailed(enc->Decrypt(Key64(1)));
}

TEST(EncStringTest, Type2WithSameMacKeyButAnotherEncKeyDoesNotRevealPlaintext) {
  // The MAC passes, so this reaches the cipher: the result is either bad padding (the generic
  // error) or garbage, never the original plaintext.
  const SymmetricKey key = Key64();
  SecureBuffer other_bytes = key.bytes().Clone();
  other_bytes.data()[0] ^= 1;
  auto other = SymmetricKey::FromBytes(std::move(other_bytes));
  ASSERT_TRUE(other.ok());
  auto enc = EncString::EncryptText(key, "not for you");
  ASSERT_TRUE(enc.ok());
  auto plain = enc->Decrypt(*other);
  if (plain.ok()) {
    EXPECT_NE(TextOf(plain), "not for you");
  } else {
    EXPECT_EQ(plain.status().message(), "decryption failed");
  }
}

// --- Tampering --------------------------------------------------------------------------------

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto enc = EncString::EncryptText(key_, "thirty-two bytes of secret text!");
    ASSERT_TRUE(enc.ok());
    iv_ = ToBytes(enc->iv());
    ct_ = ToBytes(enc->ciphertext());
    mac_ = ToBytes(enc->mac());
  }
  void ExpectRejected(const Bytes& iv, const Bytes& ct, const Bytes& mac) {
    auto tampered = EncString::Parse(Type2Text(iv, ct, mac));
    ASSERT_TRUE(tampered.ok()) << tampered.status().ToString();
    ExpectDecryptionFailed(tampered->Decrypt(key_));
  }
  SymmetricKey key_ = Key64();
  Bytes iv_, ct_, mac_;
};

TEST_F(TamperTest, UntouchedDecrypts) {
  auto enc = EncString::Parse(Type2Text(iv_, ct_, mac_));
  ASSERT_TRUE(enc.ok());
  auto plain = enc->Decrypt(key_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "thirty-two bytes of secret text!");
}

TEST_F(TamperTest, FlippedIvBitFails) {
  for (std::size_t i : {0u, 7u, 15u}) {
    Bytes iv = iv_;
    iv[i] ^= 0x01;
    ExpectRejected(iv, ct_, mac_);
  }
}

TEST_F(TamperTest, FlippedCiphertextBitFails) {
  for (std::size_t i : {std::size_t{0}, ct_.size() / 2, ct_.size() - 1}) {
    Bytes ct = ct_;
    ct[i] ^= 0x80;
    ExpectRejected(iv_, ct, mac_);
  }
}

TEST_F(TamperTest, FlippedMacBitFails) {
  for (std::size_t i : {0u, 16u, 31u}) {
    Bytes mac = mac_;
    mac[i] ^= 0x01;
    ExpectRejected(iv_, ct_, mac);
  }
}

TEST_F(TamperTest, TruncatedOrExtendedCiphertextFails) {
  ExpectRejected(iv_, Bytes(ct_.begin(), ct_.end() - 16), mac_);
  Bytes longer = ct_;
  longer.insert(longer.end(), ct_.begin(), ct_.begin() + 16);
  ExpectRejected(iv_, longer, mac_);
}

TEST_F(TamperTest, BadPaddingUnderAValidMacGivesTheSameError) {
  // A block whose last byte (0x00) is not valid PKCS#7, with a correct MAC over it.
  const Bytes block(16, 0x00);
  const Bytes ct = RawAesCbcEncrypt(key_.enc_key(), iv_, block, false);
  const Bytes mac = RawHmacSha256(key_.mac_key(), iv_, ct);
  auto enc = EncString::FromParts(iv_, ct, mac);
  ASSERT_TRUE(enc.ok());
  ExpectDecryptionFailed(enc->Decrypt(key_));  // same code and text as a MAC mismatch

  Bytes bad_mac = mac_;
  bad_mac[0] ^= 1;
  auto forged = EncString::FromParts(iv_, ct_, bad_mac);
  ASSERT_TRUE(forged.ok());
  auto mac_failure = forged->Decrypt(key_);
  auto padding_failure = enc->Decrypt(key_);
  ASSERT_FALSE(mac_failure.ok());
  ASSERT_FALSE(padding_failure.ok());
  EXPECT_EQ(mac_failure.status().ToString(), padding_failure.status().ToString());
}

TEST_F(TamperTest, PaddingLongerThanABlockFails) {
  const Bytes block(16, 0x11);  // claims 17 bytes of padding
  const Bytes ct = RawAesCbcEncrypt(key_.enc_key(), iv_, block, false);
  auto enc = EncString::FromParts(iv_, ct, RawHmacSha256(key_.mac_key(), iv_, ct));
  ASSERT_TRUE(enc.ok());
  ExpectDecryptionFailed(enc->Decrypt(key_));
}

// --- Type 0 -----------------------------------------------------------------------------------

class Type0Test : public ::testing::Test {
 protected:
  Bytes iv_ = ToBytes(Counting(16, 9).span());
  SymmetricKey legacy_ = Legacy32(4);
};

TEST_F(Type0Test, DecryptsWithALegacyKey) {
  const Bytes ct = RawAesCbcEncrypt(legacy_.enc_key(), iv_, AsBytes("old account"), true);
  const std::string text = "0." + Base64Encode(iv_) + "|" + Base64Encode(ct);
  auto enc = EncString::Parse(text);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->type(), EncString::Type::kAes256Cbc);
  EXPECT_TRUE(enc->mac().empty());
  EXPECT_EQ(enc->ToString(), text);
  auto plain = enc->Decrypt(legacy_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "old account");
}

TEST_F(Type0Test, HeaderlessTwoPartsIsType0) {
  const Bytes ct = RawAesCbcEncrypt(legacy_.enc_key(), iv_, AsBytes("no header"), true);
  auto enc = EncString::Parse(Base64Encode(iv_) + "|" + Base64Encode(ct));
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->type(), EncString::Type::kAes256Cbc);
  EXPECT_EQ(enc->ToString(), "0." + Base64Encode(iv_) + "|" + Base64Encode(ct));
  auto plain = enc->Decrypt(legacy_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "no header");
}

TEST_F(Type0Test, BufferLayoutIsTypeIvCiphertext) {
  const Bytes ct = RawAesCbcEncrypt(legacy_.enc_key(), iv_, AsBytes("buffer"), true);
  Bytes buffer = {0};
  buffer.insert(buffer.end(), iv_.begin(), iv_.end());
  buffer.insert(buffer.end(), ct.begin(), ct.end());
  auto enc = EncString::FromBuffer(buffer);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->ToBuffer(), buffer);
  auto plain = enc->Decrypt(legacy_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(TextOf(plain), "buffer");
}

TEST_F(Type0Test, A64ByteKeyIsWrongKey) {
  const Bytes ct = RawAesCbcEncrypt(legacy_.enc_key(), iv_, AsBytes("x"), true);
  auto enc = EncString::Parse("0." + Base64Encode(iv_) + "|" + Base64Encode(ct));
  ASSERT_TRUE(enc.ok());
  auto plain = enc->Decrypt(Key64());
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kWrongKey);
}

TEST_F(Type0Test, BadPaddingIsTheGenericError) {
  const Bytes ct = RawAesCbcEncrypt(legacy_.enc_key(), iv_, Bytes(16, 0x00), false);
  auto enc = EncString::Parse("0." + Base64Encode(iv_) + "|" + Base64Encode(ct));
  ASSERT_TRUE(enc.ok());
  ExpectDecryptionFailed(enc->Decrypt(legacy_));
}

// --- Parse errors -----------------------------------------------------------------------------

const Bytes kIv(16, 1);
const Bytes kCt(32, 2);
const Bytes kMac(32, 3);

TEST(EncStringParseTest, AcceptsAWellFormedType2) {
  auto enc = EncString::Parse(Type2Text(kIv, kCt, kMac));
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(ToBytes(enc->iv()), kIv);
  EXPECT_EQ(ToBytes(enc->ciphertext()), kCt);
  EXPECT_EQ(ToBytes(enc->mac()), kMac);
  EXPECT_EQ(enc->ToString(), Type2Text(kIv, kCt, kMac));
}

TEST(EncStringParseTest, WrongPartCountNamesExpectedAndActual) {
  const std::string iv = Base64Encode(kIv), ct = Base64Encode(kCt), mac = Base64Encode(kMac);
  auto two = EncString::Parse("2." + iv + "|" + ct);
  ExpectError(two.status(), ErrorCode::kInvalidArgument, "needs 3 parts");
  ExpectError(two.status(), ErrorCode::kInvalidArgument, "got 2");
  auto four = EncString::Parse("2." + iv + "|" + ct + "|" + mac + "|" + mac);
  ExpectError(four.status(), ErrorCode::kInvalidArgument, "got 4");
  auto one = EncString::Parse("2." + iv);
  ExpectError(one.status(), ErrorCode::kInvalidArgument, "got 1");
  auto type0_three = EncString::Parse("0." + iv + "|" + ct + "|" + mac);
  ExpectError(type0_three.status(), ErrorCode::kInvalidArgument, "needs 2 parts");
  ExpectError(type0_three.status(), ErrorCode::kInvalidArgument, "got 3");
  auto empty = EncString::Parse("");
  ExpectError(empty.status(), ErrorCode::kInvalidArgument, "got 1");
  auto headerless_four = EncString::Parse(iv + "|" + ct + "|" + mac + "|" + mac);
  ExpectError(headerless_four.status(), ErrorCode::kInvalidArgument, "got 4");
}

TEST(EncStringParseTest, Type1IsUnsupportedWithOrWithoutHeader) {
  const std::string body = Base64Encode(kIv) + "|" + Base64Encode(kCt) + "|" + Base64Encode(kMac);
  ExpectError(EncString::Parse("1." + body).status(), ErrorCode::kUnsupported, "type 1");
  ExpectError(EncString::Parse(body).status(), ErrorCode::kUnsupported, "type 1");
}

TEST(EncStringParseTest, Type7IsNotSupportedYet) {
  auto enc = EncString::Parse("7." + Base64Encode(kCt));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(enc.status().message(), "EncString type 7 (COSE) is not supported yet");
}

TEST(EncStringParseTest, OtherTypesAreUnsupported) {
  for (const char* header : {"3.", "4.", "5.", "6.", "8.", "42.", "255.", "999."}) {
    auto enc = EncString::Parse(std::string(header) + Base64Encode(kCt));
    ExpectError(enc.status(), ErrorCode::kUnsupported, "EncString type");
  }
}

TEST(EncStringParseTest, MalformedHeaderIsInvalid) {
  const std::string body = Base64Encode(kIv) + "|" + Base64Encode(kCt) + "|" + Base64Encode(kMac);
  for (const char* header : {".", "x.", "02.", "-1.", "+2.", " 2.", "1000.", "2a."}) {
    auto enc = EncString::Parse(std::string(header) + body);
    ExpectError(enc.status(), ErrorCode::kInvalidArgument, "type header");
  }
}

TEST(EncStringParseTest, BadBase64NamesThePart) {
  const std::string iv = Base64Encode(kIv), ct = Base64Encode(kCt), mac = Base64Encode(kMac);
  ExpectError(EncString::Parse("2." + iv + "!|" + ct + "|" + mac).status(), ErrorCode::kInvalidArgument, "iv");
  ExpectError(EncString::Parse("2." + iv + "|" + ct + " |" + mac).status(), ErrorCode::kInvalidArgument, "ciphertext");
  ExpectError(EncString::Parse("2." + iv + "|" + ct + "|" + mac.substr(1)).status(), ErrorCode::kInvalidArgument,
              "mac");
  ExpectError(EncString::Parse("2." + iv + "|" + ct + "|" + mac + ".").status(), ErrorCode::kInvalidArgument, "mac");
}

TEST(EncStringParseTest, WrongIvLength) {
  auto enc = EncString::Parse(Type2Text(Bytes(15, 1), kCt, kMac));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(enc.status().message(), "EncString iv must be 16 bytes, got 15");
  ExpectError(EncString::Parse(Type2Text(Bytes(17, 1), kCt, kMac)).status(), ErrorCode::kInvalidArgument, "iv");
}

TEST(EncStringParseTest, WrongMacLength) {
  auto enc = EncString::Parse(Type2Text(kIv, kCt, Bytes(31, 3)));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(enc.status().message(), "EncString mac must be 32 bytes, got 31");
  ExpectError(EncString::Parse(Type2Text(kIv, kCt, Bytes())).status(), ErrorCode::kInvalidArgument, "mac");
}

TEST(EncStringParseTest, CiphertextMustBeANonEmptyMultipleOf16) {
  for (std::size_t size : {0u, 1u, 15u, 17u, 33u}) {
    auto enc = EncString::Parse(Type2Text(kIv, Bytes(size, 2), kMac));
    ASSERT_FALSE(enc.ok()) << size;
    EXPECT_EQ(enc.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(enc.status().message(),
              "EncString ciphertext must be a non-empty multiple of 16 bytes, got " + std::to_string(size));
  }
}

TEST(EncStringParseTest, RejectsOversizedTextBeforeDecoding) {
  const std::string huge = "2." + std::string((std::size_t{64} << 20) - 1, 'A');
  auto enc = EncString::Parse(huge);
  ExpectError(enc.status(), ErrorCode::kInvalidArgument, "at most 64 MiB");
}

TEST(EncStringParseTest, ErrorsDoNotEchoTheInput) {
  const std::string secretish = "c2VjcmV0c2VjcmV0";
  auto enc = EncString::Parse("2." + secretish + "|" + secretish + "|" + secretish);
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().message().find(secretish), std::string::npos);
}

// --- FromBuffer and FromParts ------------------------------------------------------------------

TEST(EncStringBufferTest, RejectsEmptyAndUnsupportedTypes) {
  ExpectError(EncString::FromBuffer({}).status(), ErrorCode::kInvalidArgument, "empty");
  for (std::uint8_t type : {1, 3, 4, 5, 6, 7, 200}) {
    Bytes buffer(1 + 16 + 32 + 32, 0);
    buffer[0] = type;
    ExpectError(EncString::FromBuffer(buffer).status(), ErrorCode::kUnsupported, "type");
  }
  Bytes cose(40, 0);
  cose[0] = 7;
  auto enc = EncString::FromBuffer(cose);
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().message(), "EncString type 7 (COSE) is not supported yet");
}

TEST(EncStringBufferTest, RejectsShortBuffers) {
  for (std::size_t size : {1u, 17u, 48u, 49u}) {
    Bytes buffer(size, 0);
    buffer[0] = 2;
    ExpectError(EncString::FromBuffer(buffer).status(), ErrorCode::kInvalidArgument, "got " + std::to_string(size));
  }
  Bytes type0(17, 0);
  ExpectError(EncString::FromBuffer(type0).status(), ErrorCode::kInvalidArgument, "header bytes");
}

TEST(EncStringBufferTest, RejectsUnalignedCiphertext) {
  Bytes buffer(1 + 16 + 32 + 20, 0);
  buffer[0] = 2;
  ExpectError(EncString::FromBuffer(buffer).status(), ErrorCode::kInvalidArgument, "multiple of 16 bytes, got 20");
  Bytes type0(1 + 16 + 5, 0);
  ExpectError(EncString::FromBuffer(type0).status(), ErrorCode::kInvalidArgument, "multiple of 16 bytes, got 5");
}

TEST(EncStringPartsTest, BuildsType2) {
  auto enc = EncString::FromParts(kIv, kCt, kMac);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->type(), EncString::Type::kAes256CbcHmac);
  EXPECT_EQ(enc->ToString(), Type2Text(kIv, kCt, kMac));
}

TEST(EncStringPartsTest, ChecksLengths) {
  ExpectError(EncString::FromParts(Bytes(12, 1), kCt, kMac).status(), ErrorCode::kInvalidArgument, "iv");
  ExpectError(EncString::FromParts(kIv, Bytes(), kMac).status(), ErrorCode::kInvalidArgument, "ciphertext");
  ExpectError(EncString::FromParts(kIv, Bytes(24, 2), kMac).status(), ErrorCode::kInvalidArgument, "ciphertext");
  ExpectError(EncString::FromParts(kIv, kCt, Bytes(16, 3)).status(), ErrorCode::kInvalidArgument, "mac");
}

// --- Bitwarden SDK vectors --------------------------------------------------------------------

SymmetricKey VectorKey(const nlohmann::json& v, const char* field) {
  auto key = SymmetricKey::FromBase64(v.at(field).get<std::string>());
  EXPECT_TRUE(key.ok()) << v.at("id") << ": " << key.status().ToString();
  return std::move(key).value();
}

Bytes VectorBytes(const nlohmann::json& v, const char* field) {
  auto bytes = Base64Decode(v.at(field).get<std::string>());
  EXPECT_TRUE(bytes.ok()) << v.at("id") << ": " << field;
  return std::move(bytes).value();
}

TEST(EncStringVectorTest, Decrypt) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("decrypt");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    auto enc = EncString::Parse(v.at("enc").get<std::string>());
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    auto plain = enc->Decrypt(VectorKey(v, "key_b64"));
    ASSERT_TRUE(plain.ok()) << v.at("id") << ": " << plain.status().ToString();
    EXPECT_EQ(TextOf(plain), v.at("expect_utf8").get<std::string>()) << v.at("id");
    EXPECT_EQ(enc->ToString(), v.at("enc").get<std::string>()) << v.at("id");
  }
}

TEST(EncStringVectorTest, DecryptBuffer) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("decrypt_buffer");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const Bytes buffer = VectorBytes(v, "enc_buffer_b64");
    auto enc = EncString::FromBuffer(buffer);
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    EXPECT_EQ(enc->ToBuffer(), buffer) << v.at("id");
    auto plain = enc->Decrypt(VectorKey(v, "key_b64"));
    ASSERT_TRUE(plain.ok()) << v.at("id") << ": " << plain.status().ToString();
    EXPECT_EQ(TextOf(plain), v.at("expect_utf8").get<std::string>()) << v.at("id");
  }
}

TEST(EncStringVectorTest, Type2Parts) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("type2_parts");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    auto enc = EncString::FromParts(VectorBytes(v, "iv_b64"), VectorBytes(v, "ct_b64"), VectorBytes(v, "mac_b64"));
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    auto plain = enc->Decrypt(VectorKey(v, "key_b64"));
    ASSERT_TRUE(plain.ok()) << v.at("id") << ": " << plain.status().ToString();
    EXPECT_EQ(TextOf(plain), v.at("expect_utf8").get<std::string>()) << v.at("id");
  }
}

TEST(EncStringVectorTest, Type0Parts) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("type0_parts");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const SymmetricKey key = VectorKey(v, "key_b64");
    EXPECT_TRUE(key.is_legacy()) << v.at("id");
    auto enc = EncString::Parse("0." + v.at("iv_b64").get<std::string>() + "|" + v.at("ct_b64").get<std::string>());
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    auto plain = enc->Decrypt(key);
    ASSERT_TRUE(plain.ok()) << v.at("id") << ": " << plain.status().ToString();
    EXPECT_EQ(TextOf(plain), v.at("expect_utf8").get<std::string>()) << v.at("id");
  }
}

TEST(EncStringVectorTest, ParseMatchesTheBinaryForm) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("parse");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const std::string text = v.at("enc").get<std::string>();
    auto enc = EncString::Parse(text);
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    const Bytes buffer = VectorBytes(v, "expect_buffer_b64");
    EXPECT_EQ(enc->ToBuffer(), buffer) << v.at("id");
    auto from_buffer = EncString::FromBuffer(buffer);
    ASSERT_TRUE(from_buffer.ok()) << v.at("id") << ": " << from_buffer.status().ToString();
    EXPECT_EQ(from_buffer->ToString(), text) << v.at("id");
  }
}

TEST(EncStringVectorTest, UnwrapUserKeyWithRawMasterKey) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("unwrap_user_key_master");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const SymmetricKey master = VectorKey(v, "master_key_b64");
    ASSERT_TRUE(master.is_legacy()) << v.at("id");
    auto enc = EncString::Parse(v.at("enc").get<std::string>());
    ASSERT_TRUE(enc.ok()) << v.at("id") << ": " << enc.status().ToString();
    EXPECT_EQ(enc->type(), EncString::Type::kAes256Cbc);
    auto user_key = enc->Decrypt(master);
    ASSERT_TRUE(user_key.ok()) << v.at("id") << ": " << user_key.status().ToString();
    EXPECT_EQ(ToBytes(user_key->span()), VectorBytes(v, "expect_user_key_b64")) << v.at("id");
  }
}

}  // namespace
}  // namespace keywarden
