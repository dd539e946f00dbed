// libFuzzer target for the trusted-device bodies (server/devices/device_requests.h): the keys of
// PUT /devices/{identifier}/keys, the re-wrapped keys of POST /devices/update-trust and the ids
// of POST /devices/untrust.
//
// The first byte picks the parser (% 3); the rest is JSON. Beyond "does not crash, hang or leak"
// (an exception escaping is a crash too):
//   - a refusal is kInvalidArgument naming a field, which RequestErrorResponse answers with 400;
//   - accepted keys are of their kind (the user key asymmetric, the others symmetric) and a body
//     rebuilt from them parses to the same keys;
//   - accepted update-trust ids are canonical GUIDs, each once;
//   - accepted untrust ids are canonical GUIDs, each once, and parse back to themselves.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "field_error_require.h"
#include "http/json.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/devices/device_requests.h"

namespace keywarden::server {
namespace {

using ::keywarden::fuzz::Require;
using ::keywarden::fuzz::RequireFieldError;

bool Canonical(const std::string& id) { return api::ParseGuid(id) == id; }

void Keys(const nlohmann::json& body) {
  auto keys = devices::ParseDeviceKeysRequest(body);
  if (!keys.ok()) {
    RequireFieldError(keys.status());
    return;
  }
  Require(AsymmetricEncString::Parse(keys->encrypted_user_key).ok(), "the user key must be asymmetric");
  Require(EncString::Parse(keys->encrypted_public_key).ok(), "the public key must be symmetric");
  Require(EncString::Parse(keys->encrypted_private_key).ok(), "the private key must be symmetric");
  Require(keys->trusted(), "accepted keys make a trusted device");
  const nlohmann::json rebuilt = {{"encryptedUserKey", keys->encrypted_user_key},
                                  {"encryptedPublicKey", keys->encrypted_public_key},
                                  {"encryptedPrivateKey", keys->encrypted_private_key}};
  auto again = devices::ParseDeviceKeysRequest(rebuilt);
  Require(again.ok() && again->encrypted_user_key == keys->encrypted_user_key &&
              again->encrypted_public_key == keys->encrypted_public_key &&
              again->encrypted_private_key == keys->encrypted_private_key,
          "keys must round-trip");
}

void UpdateTrust(const nlohmann::json& body) {
  auto update = devices::ParseUpdateTrustRequest(body);
  if (!update.ok()) {
    RequireFieldError(update.status());
    return;
  }
  Require(update->current_device.device_id.empty(), "the current device is named by the token, not the body");
  std::set<std::string> ids;
  for (const auto& other : update->other_devices) {
    Require(Canonical(other.device_id), "device ids must be canonical GUIDs");
    Require(ids.insert(other.device_id).second, "a device must be listed once");
    Require(AsymmetricEncString::Parse(other.encrypted_user_key).ok(), "the user key must be asymmetric");
    Require(EncString::Parse(other.encrypted_public_key).ok(), "the public key must be symmetric");
  }
}

void Untrust(const nlohmann::json& body) {
  auto ids = devices::ParseUntrustRequest(body);
  if (!ids.ok()) {
    RequireFieldError(ids.status());
    return;
  }
  std::set<std::string> seen;
  for (const std::string& id : *ids) {
    Require(Canonical(id), "device ids must be canonical GUIDs");
    Require(seen.insert(id).second, "a device must be listed once");
  }
  auto again = devices::ParseUntrustRequest({{"devices", *ids}});
  Require(again.ok() && *again == *ids, "ids must round-trip");
}

}  // namespace
}  // namespace keywarden::server

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto body = keywarden::http::ParseJsonObject(text);
  if (!body.ok()) return 0;
  switch (data[0] % 3) {
    case 0: keywarden::server::Keys(*body); break;
    case 1: keywarden::server::UpdateTrust(*body); break;
    default: keywarden::server::Untrust(*body); break;
  }
  return 0;
}
