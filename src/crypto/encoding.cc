#include "keywarden/crypto/encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <cstdint>

#include "base/base64_table.h"

namespace keywarden {
namespace {

constexpr auto kBase64Values = internal::Base64DecodeTable(internal::kBase64Alphabet);

int Base64Value(char c) { return kBase64Values[static_cast<unsigned char>(c)]; }

// OpenSSL's decoder skips whitespace and tolerates odd padding; this check makes the accepted
// language exactly canonical RFC 4648 base64 with padding. Returns the padding count or -1.
int CheckCanonical(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > INT_MAX) return -1;
  if (text.empty()) return 0;
  int padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - static_cast<std::size_t>(padding); ++i) {
    if (Base64Value(text[i]) == internal::kNotInAlphabet) return -1;
  }
  // The bits a padded final group does not use must be zero.
  const char last = text[text.size() - 1 - static_cast<std::size_t>(padding)];
  if (padding == 1 && (Base64Value(last) & 0x03) != 0) return -1;
  if (padding == 2 && (Base64Value(last) & 0x0f) != 0) return -1;
  return padding;
}

template <typename Out>
Result<Out> Decode(std::string_view text) {
  const int padding = CheckCanonical(text);
  if (padding < 0) return InvalidArgumentError("invalid base64");
  Out out(text.size() / 4 * 3);
  if (text.empty()) return out;
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return InvalidArgumentError("invalid base64");
  if constexpr (std::is_same_v<Out, SecureBuffer>) {
    out.Truncate(out.size() - static_cast<std::size_t>(padding));
  } else {
    out.resize(out.size() - static_cast<std::size_t>(padding));
  }
  return out;
}

std::string Encode(std::span<const std::uint8_t> bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  if (bytes.empty()) return out;
  // EVP_EncodeBlock takes an int length; keys and ciphertexts are far below that.
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  return out;
}

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> bytes) { return Encode(bytes); }

Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text) {
  return Decode<std::vector<std::uint8_t>>(text);
}

Result<SecureBuffer> Base64DecodeSecret(std::string_view text) { return Decode<SecureBuffer>(text); }

std::string Base64EncodeSecret(const SecureBuffer& secret) { return Encode(secret.span()); }

void WipeString(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace keywarden
