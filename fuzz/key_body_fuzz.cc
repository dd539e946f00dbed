// libFuzzer target for the body of POST and PUT /user-keys (connector::ParseKeyBody).
//
// The first byte picks the Content-Type (JSON in several spellings, or something else); the rest
// is the body. Beyond "does not crash, hang or leak":
//   - a non-JSON content type is always kUnsupported (415), whatever the body;
//   - with a JSON content type every failure is kInvalidArgument (400);
//   - an accepted key re-encodes to a body that parses to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connector/user_keys/key_body.h"
#include "fuzz_require.h"
#include "keywarden/crypto/encoding.h"

namespace {

struct ContentType {
  std::string_view value;
  bool json;
};

constexpr ContentType kContentTypes[] = {
    {"application/json", true},
    {"application/json; charset=utf-8", true},
    {" Application/JSON ;charset=UTF-8", true},
    {"APPLICATION/JSON", true},
    {"", false},
    {"text/plain", false},
    {"application/jsonp", false},
    {"application/x-www-form-urlencoded", false},
};

using ::keywarden::fuzz::Require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using keywarden::ErrorCode;
  if (size == 0) return 0;
  const ContentType& type = kContentTypes[data[0] % std::size(kContentTypes)];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto parsed = keywarden::connector::ParseKeyBody(type.value, body);
  if (!type.json) {
    Require(!parsed.ok() && parsed.status().code() == ErrorCode::kUnsupported,
            "a non-JSON content type must be refused as unsupported");
    return 0;
  }
  if (!parsed.ok()) {
    Require(parsed.status().code() == ErrorCode::kInvalidArgument, "a bad JSON body must be an invalid argument");
    Require(!parsed.status().message().empty(), "an error needs a message");
    return 0;
  }

  // Round trip: the accepted key, written back as the clients write it, parses to the same bytes.
  const std::string again = nlohmann::json{{"key", keywarden::Base64Encode(parsed->span())}}.dump();
  auto reparsed = keywarden::connector::ParseKeyBody("application/json", again);
  Require(reparsed.ok(), "a re-encoded key must parse");
  Require(reparsed->Equals(parsed->span()), "a re-encoded key must parse to the same bytes");
  return 0;
}
