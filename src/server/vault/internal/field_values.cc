#include "server/vault/internal/field_values.h"

#include <limits>
#include <optional>

#include "base/iso_date.h"
#include "keywarden/crypto/enc_string.h"
#include "server/api/ids.h"

namespace keywarden::server::vault::internal {
namespace {

constexpr std::string_view kEncStringExpected = "must be an encrypted string (\"2.iv|ct|mac\").";

bool EncStringAccepted(const EncString& value) { return value.type() == EncString::Type::kAes256CbcHmac; }

std::optional<std::int64_t> AsInt64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(unsigned_value);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

}  // namespace

Result<std::string> ReadEncString(const nlohmann::json& value, const FieldPath& path, std::size_t max_chars) {
  if (!value.is_string()) return path.Error(kEncStringExpected);
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > max_chars) return path.Error("is longer than " + std::to_string(max_chars) + " characters.");
  auto parsed = EncString::Parse(text);
  // The library's reason says only how the text is malformed (parts, lengths, type), never what
  // it holds, so it can go back to the client.
  if (!parsed.ok()) return path.Error("is not a valid encrypted string: " + parsed.status().message() + ".");
  if (!EncStringAccepted(*parsed)) {
    return path.Error("is a type " + std::to_string(static_cast<int>(parsed->type())) +
                      " encrypted string; only type 2 (\"2.iv|ct|mac\") is accepted.");
  }
  return parsed->ToString();
}

Result<TimeMs> ReadDate(const nlohmann::json& value, const FieldPath& path) {
  std::optional<TimeMs> when;
  if (value.is_string()) when = ParseIsoDate(value.get_ref<const std::string&>());
  if (!when) return path.Error("must be an ISO 8601 date such as 2026-01-31T12:00:00.000Z.");
  return *when;
}

Result<std::int64_t> ReadInteger(const nlohmann::json& value, const FieldPath& path, std::int64_t min,
                                 std::int64_t max) {
  const std::optional<std::int64_t> number = AsInt64(value);
  if (!number || *number < min || *number > max) {
    return path.Error("must be an integer from " + std::to_string(min) + " to " + std::to_string(max) + ".");
  }
  return *number;
}

Result<bool> ReadBool(const nlohmann::json& value, const FieldPath& path) {
  if (!value.is_boolean()) return path.Error("must be true or false.");
  return value.get<bool>();
}

Result<std::string> ReadGuid(const nlohmann::json& value, const FieldPath& path) {
  std::optional<std::string> guid;
  if (value.is_string()) guid = api::ParseGuid(value.get_ref<const std::string&>());
  if (!guid) return path.Error("must be a GUID such as 8c1a42e6-1b3c-4a5e-9f00-0123456789ab.");
  return *std::move(guid);
}

}  // namespace keywarden::server::vault::internal
