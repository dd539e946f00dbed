// libFuzzer target for the token endpoint's form body (server/identity/form.h) and what the
// grants read from it before any database lookup: the address (NormaliseEmail), the password
// hash (base64), an API key's client_id (a GUID after "user."), a refresh token's hash, and the
// two-step code (an authenticator code, a recovery code).
//
// The first byte picks the mode; the rest is the input.
//   0: the rest is a form body as a client sends it. Parse never crashes; a refusal is
//      kInvalidArgument. A parsed form finds every plain field name it was given (no escapes),
//      also upper-cased and with underscores added, as the form's contract promises.
//   1: the rest is a list of fields (name NUL value NUL ...). Percent-encoded (spaces as '+' or
//      "%20", picked by the data) and parsed, every name reads back its value, the last one when
//      a name (compared without case and underscores) repeats: a round trip.
// Both modes then run the grants' readers on the parsed fields, with these checks: the
// normalised address is a fixed point; decoded base64 re-encodes and decodes to the same bytes;
// a client_id GUID is canonical (lower case, 36 characters, parsed to itself); the token hash is
// deterministic; a matched authenticator code is within the window; a normalised recovery code
// is a fixed point without white space, dashes or lower-case letters.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/utf8.h"
#include "fuzz_require.h"
#include "keywarden/crypto/encoding.h"
#include "server/accounts/account_fields.h"
#include "server/api/ids.h"
#include "server/identity/form.h"
#include "server/two_factor/codes.h"
#include "server/two_factor/totp.h"

namespace keywarden::server {
namespace {

constexpr std::size_t kMaxFields = 64;  // Form::Parse's limit

using ::keywarden::fuzz::Require;

// The form's name rule, restated: ASCII case and underscores do not matter.
std::string NameKey(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c != '_') key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string PercentEncode(std::string_view text, bool plus_for_space) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus_for_space) {
      out.push_back('+');
    } else {
      out += '%';
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// What the password, client_credentials and refresh_token grants and the two-step check read
// from a form before they look anything up.
void ReadLikeTheGrants(const Form& form) {
  (void)form.Get("grant_type");

  const std::string email = NormaliseEmail(form.Get("username"));
  Require(NormaliseEmail(email) == email, "a normalised address must be a fixed point");
  (void)LooksLikeEmail(email);

  const std::string_view password = form.Get("password");
  if (auto decoded = Base64DecodeSecret(password); decoded.ok()) {
    const std::string again = Base64EncodeSecret(*decoded);
    auto redecoded = Base64DecodeSecret(again);
    Require(redecoded.ok() && redecoded->view() == decoded->view(), "base64 must round-trip");
  }

  const std::string_view client_id = form.Get("client_id");
  if (client_id.starts_with("user.")) {
    if (const auto guid = api::ParseGuid(client_id.substr(5))) {
      Require(guid->size() == 36, "a GUID has 36 characters");
      Require(api::ParseGuid(*guid) == *guid, "a canonical GUID must parse to itself");
      for (char c : *guid) Require(!std::isupper(static_cast<unsigned char>(c)), "a canonical GUID is lower case");
    }
  }

  const std::string_view refresh_token = form.Get("refresh_token");
  if (!refresh_token.empty() && refresh_token.size() <= 256) {
    auto first = two_factor::TokenHash(refresh_token);
    auto second = two_factor::TokenHash(refresh_token);
    Require(first.ok() && second.ok() && two_factor::SameHash(*first, *second), "the token hash is deterministic");
  }

  const std::string_view code = form.Get("twoFactorToken");
  (void)form.Get("twoFactorProvider");
  (void)form.Has("twoFactorRemember");
  static constexpr std::uint8_t kSecret[20] = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '0',
                                               '1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
  constexpr std::int64_t kNowSeconds = 1'700'000'000;
  if (const auto step = two_factor::MatchTotp(kSecret, code, TimePoint(std::chrono::seconds(kNowSeconds)))) {
    Require(*step >= kNowSeconds / 30 - 1 && *step <= kNowSeconds / 30 + 1, "a matched step is within the window");
  }
  const std::string recovery = two_factor::NormalizeRecoveryCode(code);
  Require(two_factor::NormalizeRecoveryCode(recovery) == recovery, "a normalised recovery code is a fixed point");
  for (unsigned char c : recovery) {
    Require(c != '-' && !(c < 0x80 && std::isspace(c)) && !(c < 0x80 && std::islower(c)),
            "a normalised recovery code has no white space, dashes or lower case");
  }
}

void FuzzRawBody(std::string_view body) {
  auto form = Form::Parse(body);
  if (!form.ok()) {
    Require(form.status().code() == ErrorCode::kInvalidArgument, "a refused form is an invalid argument");
    return;
  }
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    const std::string_view name = pair.substr(0, pair.find('='));
    if (!pair.empty() && name.find_first_of("%+") == std::string_view::npos) {
      Require(form->Has(name), "a parsed form must hold every name it was given");
      Require(form->Get(Upper(name)) == form->Get(name), "names must match without regard to case");
      Require(form->Get("_" + std::string(name) + "_") == form->Get(name), "names must match without underscores");
    }
    start = end + 1;
  }
  ReadLikeTheGrants(*form);
}

void FuzzRoundTrip(std::string_view data) {
  if (data.empty()) return;
  const bool plus_for_space = (data[0] & 1) != 0;
  data.remove_prefix(1);
  std::vector<std::pair<std::string, std::string>> fields;
  while (!data.empty() && fields.size() < kMaxFields) {
    const std::size_t name_end = data.find('\0');
    const std::string_view name = data.substr(0, name_end);
    data.remove_prefix(name_end == std::string_view::npos ? data.size() : name_end + 1);
    const std::size_t value_end = data.find('\0');
    const std::string_view value = data.substr(0, value_end);
    data.remove_prefix(value_end == std::string_view::npos ? data.size() : value_end + 1);
    // Parse refuses text that is not UTF-8 (FuzzRawBody covers that); only text round-trips.
    if (IsValidUtf8(name) && IsValidUtf8(value)) fields.emplace_back(name, value);
  }
  std::string body;
  std::map<std::string, std::string> expected;  // by NameKey, the last value given
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body.push_back('&');
    body += PercentEncode(name, plus_for_space) + "=" + PercentEncode(value, plus_for_space);
    expected[NameKey(name)] = value;
  }
  auto form = Form::Parse(body);
  Require(form.ok(), "an encoded form of at most 64 fields must parse");
  for (const auto& [name, value] : fields) {
    Require(form->Has(name), "every encoded name must be found");
    Require(form->Get(name) == expected[NameKey(name)], "every name must read back its last value");
  }
  ReadLikeTheGrants(*form);
}

}  // namespace
}  // namespace keywarden::server

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    keywarden::server::FuzzRawBody(rest);
  } else {
    keywarden::server::FuzzRoundTrip(rest);
  }
  return 0;
}
