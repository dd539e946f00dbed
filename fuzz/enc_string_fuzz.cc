// libFuzzer target for the parsers that read untrusted text and bytes: EncString (text and
// binary forms), AsymmetricEncString, KdfConfig and base64.
//
// Beyond "does not crash", every successful parse must round-trip: serialising the value and
// parsing it again gives an equivalent value. A violation aborts, so libFuzzer saves the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_require.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"

namespace keywarden {
namespace {

using ::keywarden::fuzz::Require;

bool SameBytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

bool Equivalent(const EncString& a, const EncString& b) {
  return a.type() == b.type() && SameBytes(a.iv(), b.iv()) && SameBytes(a.ciphertext(), b.ciphertext()) &&
         SameBytes(a.mac(), b.mac());
}

// Both serialised forms of a parsed EncString must read back as the same value.
void CheckEncStringRoundTrips(const EncString& value) {
  auto from_text = EncString::Parse(value.ToString());
  Require(from_text.ok(), "EncString::Parse rejects its own ToString");
  Require(Equivalent(*from_text, value), "EncString text round-trip changed the value");
  Require(from_text->ToString() == value.ToString(), "EncString::ToString is not stable");

  const std::vector<std::uint8_t> buffer = value.ToBuffer();
  auto from_buffer = EncString::FromBuffer(buffer);
  Require(from_buffer.ok(), "EncString::FromBuffer rejects its own ToBuffer");
  Require(Equivalent(*from_buffer, value), "EncString binary round-trip changed the value");
}

void FuzzEncStringText(std::string_view text) {
  auto parsed = EncString::Parse(text);
  if (!parsed.ok()) return;
  CheckEncStringRoundTrips(*parsed);
  // Base64 is canonical, so only the header may differ: a header-less type 0 gains "0.".
  const std::string canonical = parsed->ToString();
  Require(canonical == text || canonical == "0." + std::string(text),
          "EncString::Parse accepted a non-canonical spelling");
}

void FuzzEncStringBuffer(std::span<const std::uint8_t> bytes) {
  auto parsed = EncString::FromBuffer(bytes);
  if (!parsed.ok()) return;
  CheckEncStringRoundTrips(*parsed);
  // The binary form has one spelling per value.
  Require(SameBytes(parsed->ToBuffer(), bytes), "EncString::ToBuffer differs from the parsed buffer");
}

void FuzzAsymmetricEncString(std::string_view text) {
  auto parsed = AsymmetricEncString::Parse(text);
  if (!parsed.ok()) return;
  auto again = AsymmetricEncString::Parse(parsed->ToString());
  Require(again.ok(), "AsymmetricEncString::Parse rejects its own ToString");
  Require(again->type() == parsed->type() && SameBytes(again->ciphertext(), parsed->ciphertext()) &&
              again->ToString() == parsed->ToString(),
          "AsymmetricEncString round-trip changed the value");
}

void FuzzKdfConfig(std::string_view text) {
  auto parsed = KdfConfig::Parse(text);
  if (!parsed.ok()) return;
  auto again = KdfConfig::Parse(parsed->ToString());
  Require(again.ok(), "KdfConfig::Parse rejects its own ToString");
  Require(*again == *parsed, "KdfConfig round-trip changed the value");
  // Validation must not crash whatever the numbers are; its answer is not checked here.
  (void)parsed->ValidateForServer();
  (void)parsed->ValidateForClient();
}

void FuzzBase64(std::string_view text) {
  auto decoded = Base64Decode(text);
  auto secret = Base64DecodeSecret(text);
  Require(decoded.ok() == secret.ok(), "Base64Decode and Base64DecodeSecret disagree on validity");
  if (!decoded.ok()) return;
  Require(SameBytes(*decoded, secret->span()), "Base64Decode and Base64DecodeSecret disagree on bytes");
  // Strict base64: one string has one meaning, so encoding gives back the input exactly.
  Require(Base64Encode(*decoded) == text, "Base64Decode accepted a non-canonical string");
  std::string reencoded = Base64EncodeSecret(*secret);
  const bool same = reencoded == text;
  WipeString(reencoded);
  Require(same, "Base64EncodeSecret differs from Base64Encode");
}

}  // namespace
}  // namespace keywarden

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  keywarden::FuzzEncStringText(text);
  keywarden::FuzzEncStringBuffer(bytes);
  keywarden::FuzzAsymmetricEncString(text);
  keywarden::FuzzKdfConfig(text);
  keywarden::FuzzBase64(text);
  return 0;
}
