// libFuzzer target for the vault's request bodies (server/vault/cipher_request.h,
// folder_request.h) and the JSON rendered from what they accept (cipher_json.h, folder_json.h).
//
// The first byte picks the body: a CipherRequest, the create or the share wrapper, or a folder;
// the rest is the body, parsed as the routes parse it. Beyond "does not crash, hang or leak":
//   - a body that is a JSON object is accepted or refused with a field error (a 400 naming it);
//   - an accepted cipher's stored payload is compact JSON, its rendering is a valid JSON object
//     with the members the CLI requires, alone and in an array, within CipherJsonSizeBound;
//   - the stored payload is a fixed point: the rendered object, read back as a request, stores
//     exactly the same payload again;
//   - an accepted folder renders as valid JSON holding the same name.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "field_error_require.h"
#include "http/json.h"
#include "server/api/field_error.h"
#include "server/vault/cipher_json.h"
#include "server/vault/cipher_request.h"
#include "server/vault/folder_json.h"
#include "server/vault/folder_request.h"

namespace keywarden::server::vault {
namespace {

using ::keywarden::fuzz::Require;
using ::keywarden::fuzz::RequireFieldError;

nlohmann::json MustParse(const std::string& text, const char* what) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  Require(!parsed.is_discarded(), what);
  return parsed;
}

void CheckCipher(const CipherWrite& cipher) {
  Require(cipher.type >= 1 && cipher.type <= 5, "an accepted type is 1 to 5");
  const nlohmann::json payload = MustParse(cipher.data, "the stored payload must be JSON");
  Require(payload.is_object(), "the stored payload must be an object");
  Require(nlohmann::ordered_json::parse(cipher.data).dump() == cipher.data, "the stored payload must be compact");

  StoredCipher stored;
  stored.id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  stored.organization_id = cipher.organization_id;
  stored.type = cipher.type;
  stored.data = cipher.data;
  stored.folder_id = cipher.folder_id;
  stored.favorite = cipher.favorite;
  stored.reprompt = cipher.reprompt;
  stored.revision_date = cipher.last_known_revision_date.value_or(0);
  stored.collection_ids = cipher.collection_ids;
  std::string out = "[";
  AppendCipherJson(stored, {}, CipherObject::kCipherDetails, out);
  const std::size_t one_size = out.size() - 1;
  Require(one_size <= CipherJsonSizeBound(stored), "CipherJsonSizeBound must cover the rendering");
  out.push_back(',');
  AppendCipherJson(stored, {}, CipherObject::kCipher, out);
  out.push_back(']');
  const nlohmann::json rendered = MustParse(out, "the rendered ciphers must be valid JSON");
  Require(rendered.is_array() && rendered.size() == 2, "two rendered ciphers make an array of two");
  const nlohmann::json& first = rendered[0];
  for (const char* member : {"id", "type", "name", "revisionDate", "creationDate", "edit", "viewPassword",
                             "permissions", "organizationUseTotp", "collectionIds"}) {
    Require(first.contains(member), "a rendered cipher lacks a member the CLI requires");
  }

  auto again = ParseCipherRequest(first);
  Require(again.ok(), "a rendered cipher must be accepted as a request");
  Require(again->data == cipher.data, "the stored payload must be a fixed point");
}

void CheckFolder(const FolderWrite& folder) {
  std::string out;
  AppendFolderJson({"8c1a42e6-1b3c-4a5e-9f00-0123456789ab", folder.name, 0}, out);
  const nlohmann::json rendered = MustParse(out, "a rendered folder must be valid JSON");
  Require(rendered["name"] == folder.name, "a rendered folder keeps its name");
}

}  // namespace
}  // namespace keywarden::server::vault

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace vault = keywarden::server::vault;
  if (size == 0) return 0;
  const std::uint8_t kind = data[0] % 4;
  auto body = keywarden::http::ParseJsonObject(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  if (!body.ok()) return 0;

  if (kind == 3) {
    auto folder = vault::ParseFolderRequest(*body);
    if (folder.ok()) {
      vault::CheckFolder(*folder);
    } else {
      vault::RequireFieldError(folder.status());
    }
    return 0;
  }
  auto cipher = kind == 0   ? vault::ParseCipherRequest(*body)
                : kind == 1 ? vault::ParseCipherCreateRequest(*body)
                            : vault::ParseCipherShareRequest(*body);
  if (cipher.ok()) {
    vault::CheckCipher(*cipher);
  } else {
    vault::RequireFieldError(cipher.status());
  }
  return 0;
}
