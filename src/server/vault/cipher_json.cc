#include "server/vault/cipher_json.h"

#include <string_view>

#include "base/iso_date.h"
#include "server/vault/internal/json_text.h"

namespace keywarden::server::vault {
namespace {

using internal::AppendJsonBool;
using internal::AppendJsonString;
using internal::AppendJsonStringOrNull;

// Each item type's object, by type number (1 = login). The payload holds the item's own; the
// others are written as null, which the clients read as "not this type".
constexpr std::string_view kTypeObjects[] = {
    "login", "secureNote", "card", "identity", "sshKey", "bankAccount", "driversLicense", "passport",
};

void AppendDate(TimeMs when, std::string& out) {
  out.push_back('"');
  AppendIsoDate(when, out);
  out.push_back('"');
}

void AppendDateOrNull(const std::optional<TimeMs>& when, std::string& out) {
  if (when) {
    AppendDate(*when, out);
  } else {
    out.append("null");
  }
}

// The payload's members without its braces ("name":…,"notes":…), or nothing for a payload that
// is not an object's text, so that the answer stays valid JSON whatever is stored.
std::string_view PayloadMembers(std::string_view data) {
  if (data.size() < 2 || data.front() != '{' || data.back() != '}') return {};
  return data.substr(1, data.size() - 2);
}

// The members AppendCipherJson writes around the payload and the ids, at their longest: every
// type object null, every date present, every boolean false, both integers of eleven characters.
constexpr std::size_t kFixedCharsBound = 576;

std::size_t QuotedSize(const std::optional<std::string>& text) { return text ? text->size() + 2 : 0; }

}  // namespace

std::size_t CipherJsonSizeBound(const StoredCipher& cipher) {
  std::size_t size = kFixedCharsBound + cipher.data.size() + cipher.id.size() + QuotedSize(cipher.organization_id) +
                     QuotedSize(cipher.folder_id);
  for (const std::string& id : cipher.collection_ids) size += id.size() + 3;
  return size;
}

void AppendCipherJson(const StoredCipher& cipher, const CipherViewerRights& rights, CipherObject object,
                      std::string& out) {
  out.append(object == CipherObject::kCipherDetails ? R"({"object":"cipherDetails","id":)"
                                                    : R"({"object":"cipher","id":)");
  AppendJsonString(cipher.id, out);
  out.append(",\"organizationId\":");
  AppendJsonStringOrNull(cipher.organization_id, out);
  out.append(",\"folderId\":");
  AppendJsonStringOrNull(cipher.folder_id, out);
  out.append(",\"type\":");
  internal::AppendJsonInteger(cipher.type, out);

  if (const std::string_view members = PayloadMembers(cipher.data); !members.empty()) {
    out.push_back(',');
    out.append(members);
  }
  for (std::size_t i = 0; i < std::size(kTypeObjects); ++i) {
    if (static_cast<int>(i) + 1 == cipher.type) continue;
    out.append(",\"").append(kTypeObjects[i]).append("\":null");
  }

  out.append(",\"attachments\":null,\"organizationUseTotp\":");
  AppendJsonBool(rights.organization_use_totp, out);
  out.append(",\"revisionDate\":");
  AppendDate(cipher.revision_date, out);
  out.append(",\"creationDate\":");
  AppendDate(cipher.creation_date, out);
  out.append(",\"deletedDate\":");
  AppendDateOrNull(cipher.deleted_date, out);
  out.append(",\"archivedDate\":");
  AppendDateOrNull(cipher.archived_date, out);
  out.append(",\"favorite\":");
  AppendJsonBool(cipher.favorite, out);
  out.append(",\"reprompt\":");
  internal::AppendJsonInteger(cipher.reprompt, out);
  out.append(",\"edit\":");
  AppendJsonBool(rights.edit, out);
  out.append(",\"viewPassword\":");
  AppendJsonBool(rights.view_password, out);
  out.append(",\"permissions\":{\"delete\":");
  AppendJsonBool(rights.can_delete, out);
  out.append(",\"restore\":");
  AppendJsonBool(rights.can_restore, out);
  out.append("},\"collectionIds\":[");
  for (std::size_t i = 0; i < cipher.collection_ids.size(); ++i) {
    if (i != 0) out.push_back(',');
    AppendJsonString(cipher.collection_ids[i], out);
  }
  out.append("]}");
}

}  // namespace keywarden::server::vault
