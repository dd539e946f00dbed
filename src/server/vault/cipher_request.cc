#include "server/vault/cipher_request.h"

#include <cstddef>
#include <span>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "base/iso_date.h"
#include "http/json.h"
#include "server/api/field_error.h"
#include "server/vault/internal/field_path.h"
#include "server/vault/internal/field_values.h"
#include "server/vault/internal/json_text.h"

namespace keywarden::server::vault {
namespace {

using internal::FieldPath;
using internal::IsAbsent;
using nlohmann::json;

// The payload's shape, as tables: one walker checks a body against them and writes the
// canonical data in their order, so the stored form and the checks cannot drift apart.

enum class Leaf {
  kEncString,       // up to max_enc_string_chars
  kNotes,           // an EncString up to max_notes_chars
  kDate,            // ISO 8601
  kBool,            // true or false
  kUriMatch,        // 0 domain .. 5 never (the SDK refuses other values)
  kFieldType,       // 0 text, 1 hidden, 2 boolean, 3 linked
  kLinkedId,        // the field a linked field shows: the SDK's ids are u16 (100, 101, 300-305, 400-418 today)
  kSecureNoteType,  // 0 generic, the only one
  kObject,          // a nested object (`element`)
  kObjectArray,     // an array of `element` objects, at most `limit` of them
};

enum class Limit { kNone, kUris, kFido2Credentials, kFields, kPasswordHistory };

struct ObjectSchema;

struct MemberSchema {
  std::string_view name;  // as the clients send it and the response gives it back
  Leaf leaf;
  bool required = false;
  const ObjectSchema* element = nullptr;
  Limit limit = Limit::kNone;
  bool drop_null_elements = false;  // the reference drops null URIs; other null elements are errors
};

struct ObjectSchema {
  std::span<const MemberSchema> members;
};

constexpr bool kRequired = true;

constexpr MemberSchema kUriMembers[] = {
    {"uri", Leaf::kEncString},
    {"uriChecksum", Leaf::kEncString},
    {"match", Leaf::kUriMatch},
};
constexpr ObjectSchema kUri{kUriMembers};

constexpr MemberSchema kFido2CredentialMembers[] = {
    {"credentialId", Leaf::kEncString, kRequired},
    {"keyType", Leaf::kEncString, kRequired},
    {"keyAlgorithm", Leaf::kEncString, kRequired},
    {"keyCurve", Leaf::kEncString, kRequired},
    {"keyValue", Leaf::kEncString, kRequired},
    {"rpId", Leaf::kEncString, kRequired},
    {"rpName", Leaf::kEncString},
    {"userHandle", Leaf::kEncString},
    {"userName", Leaf::kEncString},
    {"userDisplayName", Leaf::kEncString},
    {"counter", Leaf::kEncString, kRequired},
    {"discoverable", Leaf::kEncString, kRequired},
    {"creationDate", Leaf::kDate, kRequired},
};
constexpr ObjectSchema kFido2Credential{kFido2CredentialMembers};

constexpr MemberSchema kLoginMembers[] = {
    {"username", Leaf::kEncString},
    {"password", Leaf::kEncString},
    {"passwordRevisionDate", Leaf::kDate},
    {"totp", Leaf::kEncString},
    {"autofillOnPageLoad", Leaf::kBool},
    {"uris", Leaf::kObjectArray, false, &kUri, Limit::kUris, /*drop_null_elements=*/true},
    {"fido2Credentials", Leaf::kObjectArray, false, &kFido2Credential, Limit::kFido2Credentials},
};
constexpr ObjectSchema kLogin{kLoginMembers};

constexpr MemberSchema kSecureNoteMembers[] = {
    {"type", Leaf::kSecureNoteType, kRequired},
};
constexpr ObjectSchema kSecureNote{kSecureNoteMembers};

constexpr MemberSchema kCardMembers[] = {
    {"cardholderName", Leaf::kEncString}, {"brand", Leaf::kEncString},   {"number", Leaf::kEncString},
    {"expMonth", Leaf::kEncString},       {"expYear", Leaf::kEncString}, {"code", Leaf::kEncString},
};
constexpr ObjectSchema kCard{kCardMembers};

constexpr MemberSchema kIdentityMembers[] = {
    {"title", Leaf::kEncString},      {"firstName", Leaf::kEncString},      {"middleName", Leaf::kEncString},
    {"lastName", Leaf::kEncString},   {"address1", Leaf::kEncString},       {"address2", Leaf::kEncString},
    {"address3", Leaf::kEncString},   {"city", Leaf::kEncString},           {"state", Leaf::kEncString},
    {"postalCode", Leaf::kEncString}, {"country", Leaf::kEncString},        {"company", Leaf::kEncString},
    {"email", Leaf::kEncString},      {"phone", Leaf::kEncString},          {"ssn", Leaf::kEncString},
    {"username", Leaf::kEncString},   {"passportNumber", Leaf::kEncString}, {"licenseNumber", Leaf::kEncString},
};
constexpr ObjectSchema kIdentity{kIdentityMembers};

constexpr MemberSchema kSshKeyMembers[] = {
    {"privateKey", Leaf::kEncString, kRequired},
    {"publicKey", Leaf::kEncString},
    {"keyFingerprint", Leaf::kEncString},
};
constexpr ObjectSchema kSshKey{kSshKeyMembers};

constexpr MemberSchema kFieldMembers[] = {
    {"name", Leaf::kEncString},
    {"value", Leaf::kEncString},
    {"type", Leaf::kFieldType, kRequired},
    {"linkedId", Leaf::kLinkedId},
};
constexpr ObjectSchema kField{kFieldMembers};

constexpr MemberSchema kPasswordHistoryMembers[] = {
    {"password", Leaf::kEncString, kRequired},
    {"lastUsedDate", Leaf::kDate, kRequired},
};
constexpr ObjectSchema kPasswordHistory{kPasswordHistoryMembers};

// The stored payload of each type: the common members around the type's own object.
constexpr MemberSchema kLoginPayloadMembers[] = {
    {"name", Leaf::kEncString, kRequired},
    {"notes", Leaf::kNotes},
    {"key", Leaf::kEncString},
    {"login", Leaf::kObject, kRequired, &kLogin},
    {"fields", Leaf::kObjectArray, false, &kField, Limit::kFields},
    {"passwordHistory", Leaf::kObjectArray, false, &kPasswordHistory, Limit::kPasswordHistory},
};
constexpr MemberSchema kSecureNotePayloadMembers[] = {
    {"name", Leaf::kEncString, kRequired},
    {"notes", Leaf::kNotes},
    {"key", Leaf::kEncString},
    {"secureNote", Leaf::kObject, kRequired, &kSecureNote},
    {"fields", Leaf::kObjectArray, false, &kField, Limit::kFields},
    {"passwordHistory", Leaf::kObjectArray, false, &kPasswordHistory, Limit::kPasswordHistory},
};
constexpr MemberSchema kCardPayloadMembers[] = {
    {"name", Leaf::kEncString, kRequired},
    {"notes", Leaf::kNotes},
    {"key", Leaf::kEncString},
    {"card", Leaf::kObject, kRequired, &kCard},
    {"fields", Leaf::kObjectArray, false, &kField, Limit::kFields},
    {"passwordHistory", Leaf::kObjectArray, false, &kPasswordHistory, Limit::kPasswordHistory},
};
constexpr MemberSchema kIdentityPayloadMembers[] = {
    {"name", Leaf::kEncString, kRequired},
    {"notes", Leaf::kNotes},
    {"key", Leaf::kEncString},
    {"identity", Leaf::kObject, kRequired, &kIdentity},
    {"fields", Leaf::kObjectArray, false, &kField, Limit::kFields},
    {"passwordHistory", Leaf::kObjectArray, false, &kPasswordHistory, Limit::kPasswordHistory},
};
constexpr MemberSchema kSshKeyPayloadMembers[] = {
    {"name", Leaf::kEncString, kRequired},
    {"notes", Leaf::kNotes},
    {"key", Leaf::kEncString},
    {"sshKey", Leaf::kObject, kRequired, &kSshKey},
    {"fields", Leaf::kObjectArray, false, &kField, Limit::kFields},
    {"passwordHistory", Leaf::kObjectArray, false, &kPasswordHistory, Limit::kPasswordHistory},
};

constexpr int kFirstType = 1;
constexpr int kLastSupportedType = 5;  // SSH key
constexpr int kLastKnownType = 8;      // 6 to 8 only under a client feature flag this server does not set
constexpr ObjectSchema kPayloads[] = {
    {kLoginPayloadMembers},    {kSecureNotePayloadMembers}, {kCardPayloadMembers},
    {kIdentityPayloadMembers}, {kSshKeyPayloadMembers},
};

// Checks a body against a schema and appends its canonical JSON.
class PayloadWriter {
 public:
  PayloadWriter(const VaultRequestLimits& limits, FieldPath& path, std::string& out)
      : limits_(limits), path_(path), out_(out) {}

  Status Object(const json& value, const ObjectSchema& schema) {
    if (!value.is_object()) return path_.Error("must be an object.");
    out_.push_back('{');
    for (std::size_t i = 0; i < schema.members.size(); ++i) {
      const MemberSchema& member = schema.members[i];
      if (i != 0) out_.push_back(',');
      out_.push_back('"');
      out_.append(member.name);
      out_.append("\":");
      FieldPath::Member scope(path_, member.name);
      KW_RETURN_IF_ERROR(Member(http::FindField(value, member.name), member));
    }
    out_.push_back('}');
    return OkStatus();
  }

 private:
  Status Member(const json* value, const MemberSchema& member) {
    if (IsAbsent(value)) {
      if (member.required) return path_.Error("is required.");
      out_.append("null");
      return OkStatus();
    }
    switch (member.leaf) {
      case Leaf::kEncString: return EncString(*value, limits_.max_enc_string_chars);
      case Leaf::kNotes: return EncString(*value, limits_.max_notes_chars);
      case Leaf::kDate: {
        KW_ASSIGN_OR_RETURN(const TimeMs when, internal::ReadDate(*value, path_));
        out_.push_back('"');
        AppendIsoDate(when, out_);
        out_.push_back('"');
        return OkStatus();
      }
      case Leaf::kBool: {
        KW_ASSIGN_OR_RETURN(const bool flag, internal::ReadBool(*value, path_));
        internal::AppendJsonBool(flag, out_);
        return OkStatus();
      }
      case Leaf::kUriMatch: return Integer(*value, 0, 5);
      case Leaf::kFieldType: return Integer(*value, 0, 3);
      case Leaf::kLinkedId: return Integer(*value, 0, 65535);
      case Leaf::kSecureNoteType: return Integer(*value, 0, 0);
      case Leaf::kObject: return Object(*value, *member.element);
      case Leaf::kObjectArray: return Array(*value, member);
    }
    return path_.Error("has an unknown shape.");  // unreachable: every Leaf is handled above
  }

  Status EncString(const json& value, std::size_t max_chars) {
    KW_ASSIGN_OR_RETURN(const std::string text, internal::ReadEncString(value, path_, max_chars));
    out_.push_back('"');
    out_.append(text);
    out_.push_back('"');
    return OkStatus();
  }

  Status Integer(const json& value, std::int64_t min, std::int64_t max) {
    KW_ASSIGN_OR_RETURN(const std::int64_t number, internal::ReadInteger(value, path_, min, max));
    internal::AppendJsonInteger(number, out_);
    return OkStatus();
  }

  Status Array(const json& value, const MemberSchema& member) {
    if (!value.is_array()) return path_.Error("must be an array.");
    const std::size_t max_entries = MaxEntries(member.limit);
    if (value.size() > max_entries) {
      return path_.Error("has more than " + std::to_string(max_entries) + " entries.");
    }
    out_.push_back('[');
    bool first = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (member.drop_null_elements && value[i].is_null()) continue;
      if (!first) out_.push_back(',');
      first = false;
      FieldPath::Index scope(path_, i);
      KW_RETURN_IF_ERROR(Object(value[i], *member.element));
    }
    out_.push_back(']');
    return OkStatus();
  }

  std::size_t MaxEntries(Limit limit) const {
    switch (limit) {
      case Limit::kUris: return limits_.max_uris;
      case Limit::kFido2Credentials: return limits_.max_fido2_credentials;
      case Limit::kFields: return limits_.max_fields;
      case Limit::kPasswordHistory: return limits_.max_password_history;
      case Limit::kNone: break;
    }
    return 0;
  }

  const VaultRequestLimits& limits_;
  FieldPath& path_;
  std::string& out_;
};

// A member that may be absent, null or (as the reference reads its ids) an empty string.
Result<std::optional<std::string>> ReadOptionalGuid(const json& object, std::string_view name, FieldPath& path) {
  const json* value = http::FindField(object, name);
  if (IsAbsent(value) || (value->is_string() && value->get_ref<const std::string&>().empty())) {
    return std::optional<std::string>();
  }
  FieldPath::Member scope(path, name);
  KW_ASSIGN_OR_RETURN(std::string guid, internal::ReadGuid(*value, path));
  return std::optional<std::string>(std::move(guid));
}

Result<int> ReadType(const json& object, FieldPath& path) {
  FieldPath::Member scope(path, "type");
  const json* value = http::FindField(object, "type");
  if (IsAbsent(value)) return path.Error("is required.");
  auto type = internal::ReadInteger(*value, path, kFirstType, kLastKnownType);
  if (!type.ok()) {
    return path.Error("must be an integer from " + std::to_string(kFirstType) + " to " +
                      std::to_string(kLastSupportedType) + ".");
  }
  switch (*type) {
    case 6: return path.Error("6 (bank account) is not supported by this server yet.");
    case 7: return path.Error("7 (driver's licence) is not supported by this server yet.");
    case 8: return path.Error("8 (passport) is not supported by this server yet.");
    default: return static_cast<int>(*type);
  }
}

Result<CipherWrite> ParseCipher(const json& body, FieldPath& path, const VaultRequestLimits& limits) {
  if (!body.is_object()) {
    if (path.str().empty()) return InvalidArgumentError("the request body must be a JSON object");
    return path.Error("must be an object.");
  }
  CipherWrite cipher;
  KW_ASSIGN_OR_RETURN(cipher.type, ReadType(body, path));
  KW_ASSIGN_OR_RETURN(cipher.folder_id, ReadOptionalGuid(body, "folderId", path));
  KW_ASSIGN_OR_RETURN(cipher.organization_id, ReadOptionalGuid(body, "organizationId", path));
  KW_ASSIGN_OR_RETURN(cipher.encrypted_for, ReadOptionalGuid(body, "encryptedFor", path));
  if (const json* favorite = http::FindField(body, "favorite"); !IsAbsent(favorite)) {
    FieldPath::Member scope(path, "favorite");
    KW_ASSIGN_OR_RETURN(cipher.favorite, internal::ReadBool(*favorite, path));
  }
  if (const json* reprompt = http::FindField(body, "reprompt"); !IsAbsent(reprompt)) {
    FieldPath::Member scope(path, "reprompt");
    KW_ASSIGN_OR_RETURN(const std::int64_t value, internal::ReadInteger(*reprompt, path, 0, 1));
    cipher.reprompt = static_cast<int>(value);
  }
  if (const json* date = http::FindField(body, "lastKnownRevisionDate"); !IsAbsent(date)) {
    FieldPath::Member scope(path, "lastKnownRevisionDate");
    KW_ASSIGN_OR_RETURN(cipher.last_known_revision_date, internal::ReadDate(*date, path));
  }

  PayloadWriter writer(limits, path, cipher.data);
  KW_RETURN_IF_ERROR(writer.Object(body, kPayloads[cipher.type - kFirstType]));
  if (const json* key = http::FindField(body, "key"); !IsAbsent(key)) {
    FieldPath::Member scope(path, "key");  // already checked by the writer; this only copies it
    KW_ASSIGN_OR_RETURN(cipher.key, internal::ReadEncString(*key, path, limits.max_enc_string_chars));
  }
  return cipher;
}

// "collectionIds": absent, null or an array of GUIDs; duplicates dropped.
Result<std::vector<std::string>> ReadCollectionIds(const json& body, const VaultRequestLimits& limits) {
  FieldPath path;
  FieldPath::Member scope(path, "collectionIds");
  const json* value = http::FindField(body, "collectionIds");
  std::vector<std::string> ids;
  if (IsAbsent(value)) return ids;
  if (!value->is_array()) return path.Error("must be an array.");
  if (value->size() > limits.max_collection_ids) {
    return path.Error("has more than " + std::to_string(limits.max_collection_ids) + " entries.");
  }
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < value->size(); ++i) {
    FieldPath::Index element(path, i);
    KW_ASSIGN_OR_RETURN(std::string id, internal::ReadGuid((*value)[i], path));
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

enum class Wrapped { kCreate, kShare };

Result<CipherWrite> ParseWrapped(const json& body, const VaultRequestLimits& limits, Wrapped kind) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  FieldPath path("Cipher");
  const json* inner = http::FindField(body, "cipher");
  if (IsAbsent(inner)) return path.Error("is required.");
  KW_ASSIGN_OR_RETURN(CipherWrite cipher, ParseCipher(*inner, path, limits));
  KW_ASSIGN_OR_RETURN(cipher.collection_ids, ReadCollectionIds(body, limits));
  if (kind == Wrapped::kShare && !cipher.organization_id) {
    return api::FieldErrorStatus("Cipher.OrganizationId", "is required to share an item.");
  }
  if (!cipher.organization_id) {
    cipher.collection_ids.clear();  // a personal item is in no collection
  } else if (cipher.collection_ids.empty()) {
    return api::FieldErrorStatus("CollectionIds", "must name at least one collection for an organization's item.");
  }
  return cipher;
}

}  // namespace

Result<CipherWrite> ParseCipherRequest(const json& body, const VaultRequestLimits& limits) {
  FieldPath path;
  return ParseCipher(body, path, limits);
}

Result<CipherWrite> ParseCipherCreateRequest(const json& body, const VaultRequestLimits& limits) {
  return ParseWrapped(body, limits, Wrapped::kCreate);
}

Result<CipherWrite> ParseCipherShareRequest(const json& body, const VaultRequestLimits& limits) {
  return ParseWrapped(body, limits, Wrapped::kShare);
}

}  // namespace keywarden::server::vault
