#include "keywarden/crypto/enc_string.h"

#include <algorithm>
#include <string>

#include "crypto/internal/aes_cbc_hmac.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"

namespace keywarden {
namespace {

using internal::kAesBlockSize;
using internal::kIvSize;
using internal::kMacSize;

// Text is parsed from untrusted sources (server responses, files); beyond this size it is refused
// before anything is decoded, so hostile input cannot make us allocate without bound.
constexpr std::size_t kMaxTextSize = std::size_t{64} << 20;

constexpr std::size_t kType0Parts = 2;
constexpr std::size_t kType2Parts = 3;
constexpr int kType1 = 1;

Status UnsupportedType(int type) {
  switch (type) {
    case kType1: return UnsupportedError("EncString type 1 (AES-128-CBC-HMAC) is no longer supported");
    case 3:
    case 4:
    case 5:
    case 6:
      return UnsupportedError("EncString type " + std::to_string(type) +
                              " is an asymmetric EncString (use AsymmetricEncString)");
    case 7: return UnsupportedError("EncString type 7 (COSE) is not supported yet");
    default: return UnsupportedError("EncString type " + std::to_string(type) + " is not supported");
  }
}

// The type number before the '.', in canonical decimal ("2", not "02" or "+2").
Result<int> ParseTypeHeader(std::string_view header) {
  const bool digits = std::all_of(header.begin(), header.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (header.empty() || header.size() > 3 || !digits || (header.size() > 1 && header[0] == '0')) {
    return InvalidArgumentError("EncString has an invalid type header (expected a number and '.')");
  }
  int type = 0;
  for (char c : header) type = type * 10 + (c - '0');
  return type;
}

std::vector<std::string_view> SplitParts(std::string_view body) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = body.find('|', start);
    parts.push_back(body.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return parts;
    start = bar + 1;
  }
}

Result<std::vector<std::uint8_t>> DecodePart(std::string_view text, std::string_view name) {
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return InvalidArgumentError("EncString " + std::string(name) + " is not valid base64");
  return bytes;
}

Status CheckIv(std::size_t size) {
  if (size == kIvSize) return OkStatus();
  return InvalidArgumentError("EncString iv must be 16 bytes, got " + std::to_string(size));
}

Status CheckMac(std::size_t size) {
  if (size == kMacSize) return OkStatus();
  return InvalidArgumentError("EncString mac must be 32 bytes, got " + std::to_string(size));
}

Status CheckCiphertext(std::size_t size) {
  if (size != 0 && size % kAesBlockSize == 0) return OkStatus();
  return InvalidArgumentError("EncString ciphertext must be a non-empty multiple of 16 bytes, got " +
                              std::to_string(size));
}

}  // namespace

Result<EncString> EncString::Parse(std::string_view text) {
  if (text.size() > kMaxTextSize) {
    return InvalidArgumentError("an EncString must be at most 64 MiB, got " + std::to_string(text.size()) + " bytes");
  }
  // Base64 has no '.', so a '.' can only end the type header.
  int type = 0;
  std::string_view body = text;
  if (const std::size_t dot = text.find('.'); dot != std::string_view::npos) {
    KW_ASSIGN_OR_RETURN(type, ParseTypeHeader(text.substr(0, dot)));
    body = text.substr(dot + 1);
  } else if (static_cast<std::size_t>(std::count(text.begin(), text.end(), '|')) == kType2Parts - 1) {
    type = kType1;  // the old clients' header-less form: three parts mean type 1
  }

  std::size_t expected_parts = 0;
  if (type == static_cast<int>(Type::kAes256Cbc)) {
    expected_parts = kType0Parts;
  } else if (type == static_cast<int>(Type::kAes256CbcHmac)) {
    expected_parts = kType2Parts;
  } else {
    return UnsupportedType(type);
  }
  const std::vector<std::string_view> parts = SplitParts(body);
  if (parts.size() != expected_parts) {
    return InvalidArgumentError("EncString type " + std::to_string(type) + " needs " + std::to_string(expected_parts) +
                                " parts (" + (expected_parts == kType2Parts ? "iv|ct|mac" : "iv|ct") + "), got " +
                                std::to_string(parts.size()));
  }

  KW_ASSIGN_OR_RETURN(auto iv, DecodePart(parts[0], "iv"));
  KW_ASSIGN_OR_RETURN(auto ct, DecodePart(parts[1], "ciphertext"));
  KW_RETURN_IF_ERROR(CheckIv(iv.size()));
  KW_RETURN_IF_ERROR(CheckCiphertext(ct.size()));
  EncString out;
  out.type_ = static_cast<Type>(type);
  std::copy(iv.begin(), iv.end(), out.iv_.begin());
  out.ct_ = std::move(ct);
  if (out.type_ == Type::kAes256CbcHmac) {
    KW_ASSIGN_OR_RETURN(auto mac, DecodePart(parts[2], "mac"));
    KW_RETURN_IF_ERROR(CheckMac(mac.size()));
    std::copy(mac.begin(), mac.end(), out.mac_.begin());
  }
  return out;
}

Result<EncString> EncString::FromBuffer(std::span<const std::uint8_t> buffer) {
  // No size bound here, unlike Parse: the caller already holds the whole buffer, and we copy it once.
  if (buffer.empty()) return InvalidArgumentError("an EncString buffer must not be empty");
  const int type = buffer[0];
  std::size_t header = 0;
  if (type == static_cast<int>(Type::kAes256Cbc)) {
    header = 1 + kIvSize;
  } else if (type == static_cast<int>(Type::kAes256CbcHmac)) {
    header = 1 + kIvSize + kMacSize;
  } else {
    return UnsupportedType(type);
  }
  if (buffer.size() <= header) {
    return InvalidArgumentError("an EncString type " + std::to_string(type) + " buffer needs " +
                                std::to_string(header) + " header bytes and a ciphertext, got " +
                                std::to_string(buffer.size()) + " bytes");
  }
  const auto ct = buffer.subspan(header);
  KW_RETURN_IF_ERROR(CheckCiphertext(ct.size()));
  EncString out;
  out.type_ = static_cast<Type>(type);
  std::copy_n(buffer.begin() + 1, kIvSize, out.iv_.begin());
  if (out.type_ == Type::kAes256CbcHmac) std::copy_n(buffer.begin() + 1 + kIvSize, kMacSize, out.mac_.begin());
  out.ct_.assign(ct.begin(), ct.end());
  return out;
}

Result<EncString> EncString::FromParts(std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct,
                                       std::span<const std::uint8_t> mac) {
  KW_RETURN_IF_ERROR(CheckIv(iv.size()));
  KW_RETURN_IF_ERROR(CheckCiphertext(ct.size()));
  KW_RETURN_IF_ERROR(CheckMac(mac.size()));
  EncString out;
  out.type_ = Type::kAes256CbcHmac;
  std::copy(iv.begin(), iv.end(), out.iv_.begin());
  out.ct_.assign(ct.begin(), ct.end());
  std::copy(mac.begin(), mac.end(), out.mac_.begin());
  return out;
}

Result<EncString> EncString::Encrypt(const SymmetricKey& key, std::span<const std::uint8_t> plaintext) {
  if (key.is_legacy()) return WrongKeyError("a legacy 32-byte key cannot encrypt; a 64-byte key is needed");
  EncString out;
  out.type_ = Type::kAes256CbcHmac;
  KW_RETURN_IF_ERROR(RandomBytes(out.iv_));
  out.ct_.resize(internal::CbcCiphertextSize(plaintext.size()));
  KW_RETURN_IF_ERROR(
      internal::Aes256CbcHmacEncrypt(key.enc_key(), key.mac_key(), out.iv_, plaintext, out.ct_, out.mac_));
  return out;
}

Result<EncString> EncString::EncryptText(const SymmetricKey& key, std::string_view text) {
  return Encrypt(key, AsBytes(text));
}

Result<SecureBuffer> EncString::Decrypt(const SymmetricKey& key) const {
  if (type_ == Type::kAes256Cbc) {
    if (!key.is_legacy()) return WrongKeyError("EncString type 0 needs a legacy 32-byte key, not a 64-byte key");
    return internal::Aes256CbcDecrypt(key.enc_key(), iv_, ct_);
  }
  if (key.is_legacy()) return WrongKeyError("EncString type 2 needs a 64-byte key, not a legacy 32-byte key");
  return internal::Aes256CbcHmacDecrypt(key.enc_key(), key.mac_key(), iv_, ct_, mac_);
}

std::span<const std::uint8_t> EncString::mac() const {
  if (type_ == Type::kAes256CbcHmac) return mac_;
  return {};
}

std::string EncString::ToString() const {
  std::string out = std::to_string(static_cast<int>(type_));
  out += '.';
  out += Base64Encode(iv_);
  out += '|';
  out += Base64Encode(ct_);
  if (type_ == Type::kAes256CbcHmac) {
    out += '|';
    out += Base64Encode(mac_);
  }
  return out;
}

std::vector<std::uint8_t> EncString::ToBuffer() const {
  std::vector<std::uint8_t> out;
  out.reserve(1 + kIvSize + kMacSize + ct_.size());
  out.push_back(static_cast<std::uint8_t>(type_));
  out.insert(out.end(), iv_.begin(), iv_.end());
  if (type_ == Type::kAes256CbcHmac) out.insert(out.end(), mac_.begin(), mac_.end());
  out.insert(out.end(), ct_.begin(), ct_.end());
  return out;
}

}  // namespace keywarden
