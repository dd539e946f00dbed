#include "keywarden/crypto/asymmetric_enc_string.h"

#include <charconv>

#include "keywarden/crypto/encoding.h"

namespace keywarden {
namespace {

// Parses the "T." header; `rest` receives what follows the dot.
Result<int> ParseType(std::string_view text, std::string_view* rest) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return InvalidArgumentError("asymmetric EncString has no \"T.\" type header");
  const std::string_view digits = text.substr(0, dot);
  int type = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), type);
  // from_chars alone would accept a sign; a type is one or two plain digits, no leading zero.
  if (digits.empty() || digits.size() > 2 || digits[0] < '0' || digits[0] > '9' ||
      (digits.size() == 2 && digits[0] == '0') || ec != std::errc() || end != digits.data() + digits.size()) {
    return InvalidArgumentError("asymmetric EncString has a malformed type header");
  }
  *rest = text.substr(dot + 1);
  return type;
}

std::vector<std::string_view> SplitParts(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = text.find('|', start);
    parts.push_back(text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return parts;
    start = bar + 1;
  }
}

bool HasMac(AsymmetricEncString::Type type) {
  return type == AsymmetricEncString::Type::kRsa2048OaepSha256HmacSha256 ||
         type == AsymmetricEncString::Type::kRsa2048OaepSha1HmacSha256;
}

}  // namespace

Result<AsymmetricEncString> AsymmetricEncString::Parse(std::string_view text) {
  std::string_view rest;
  KW_ASSIGN_OR_RETURN(const int type, ParseType(text, &rest));
  if (type < 3 || type > 6) {
    return UnsupportedError("EncString type " + std::to_string(type) + " is not an asymmetric type (3 to 6)");
  }
  AsymmetricEncString out;
  out.type_ = static_cast<Type>(type);
  const std::vector<std::string_view> parts = SplitParts(rest);
  const std::size_t expected = HasMac(out.type_) ? 2 : 1;
  if (parts.size() != expected) {
    return InvalidArgumentError("asymmetric EncString type " + std::to_string(type) + " needs " +
                                std::to_string(expected) + " part(s), got " + std::to_string(parts.size()));
  }
  KW_ASSIGN_OR_RETURN(out.ct_, Base64Decode(parts[0]));
  if (out.ct_.empty()) return InvalidArgumentError("asymmetric EncString has an empty ciphertext");
  // Types 5 and 6 carry a MAC that Bitwarden never checks; it must still be valid base64.
  if (expected == 2) {
    KW_ASSIGN_OR_RETURN(out.mac_, Base64Decode(parts[1]));
  }
  return out;
}

Result<AsymmetricEncString> AsymmetricEncString::Encapsulate(const RsaPublicKey& public_key,
                                                             std::span<const std::uint8_t> key_bytes) {
  if (key_bytes.empty()) return InvalidArgumentError("nothing to encapsulate");
  AsymmetricEncString out;
  out.type_ = Type::kRsa2048OaepSha1;
  KW_ASSIGN_OR_RETURN(out.ct_, public_key.EncryptOaepSha1(key_bytes));
  return out;
}

Result<SecureBuffer> AsymmetricEncString::Decapsulate(const RsaPrivateKey& private_key) const {
  const bool sha256 = type_ == Type::kRsa2048OaepSha256 || type_ == Type::kRsa2048OaepSha256HmacSha256;
  return private_key.DecryptOaep(ct_, sha256 ? RsaPrivateKey::OaepHash::kSha256 : RsaPrivateKey::OaepHash::kSha1);
}

Result<SymmetricKey> AsymmetricEncString::DecapsulateKey(const RsaPrivateKey& private_key) const {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, Decapsulate(private_key));
  return SymmetricKey::FromBytes(std::move(bytes));
}

std::string AsymmetricEncString::ToString() const {
  // Built with append: g++ 12 at -O3 misreports operator+ chains here (-Wrestrict).
  std::string out = std::to_string(static_cast<int>(type_));
  out += '.';
  out += Base64Encode(ct_);
  if (HasMac(type_)) {
    out += '|';
    out += Base64Encode(mac_);
  }
  return out;
}

}  // namespace keywarden
