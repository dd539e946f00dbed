#include "connector/reference/reference_data.h"

#include <filesystem>
#include <utility>

#include "auth/user_id.h"
#include "connector/reference/reference_date.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::connector {
namespace {

constexpr std::size_t kTagSize = 16;
constexpr std::size_t kIvSize = 12;

Result<std::optional<TimeMs>> OptionalDate(std::string_view column, const std::optional<std::string>& text) {
  if (!text) return std::optional<TimeMs>();
  auto parsed = ParseReferenceDate(*text);
  if (!parsed.ok()) return InvalidArgumentError(std::string(column) + " is " + parsed.status().message());
  return std::optional<TimeMs>(*parsed);
}

Result<ReferenceUserKey> ParseFields(std::string user_id, const std::optional<std::string>& key,
                                     const std::optional<std::string>& creation_date,
                                     const std::optional<std::string>& revision_date,
                                     const std::optional<std::string>& last_access_date) {
  ReferenceUserKey row;
  row.user_id = std::move(user_id);
  if (!key) return InvalidArgumentError("its Key is null");
  auto sealed = Base64Decode(*key);
  if (!sealed.ok()) return InvalidArgumentError("its Key is not base64");
  if (sealed->size() < kTagSize + kIvSize) return InvalidArgumentError("its Key is too short to be sealed");
  row.sealed = std::move(sealed).value();
  if (!creation_date) return InvalidArgumentError("its CreationDate is missing");
  KW_ASSIGN_OR_RETURN(std::optional<TimeMs> created, OptionalDate("its CreationDate", creation_date));
  row.creation_date = *created;
  KW_ASSIGN_OR_RETURN(row.revision_date, OptionalDate("its RevisionDate", revision_date));
  KW_ASSIGN_OR_RETURN(row.last_access_date, OptionalDate("its LastAccessDate", last_access_date));
  return row;
}

}  // namespace

ReferenceRow ParseReferenceRow(std::string_view name, std::string_view id, const std::optional<std::string>& key,
                               const std::optional<std::string>& creation_date,
                               const std::optional<std::string>& revision_date,
                               const std::optional<std::string>& last_access_date) {
  auto user_id = auth::CanonicalUserId(id);
  if (!user_id.ok()) return ReferenceRow{std::string(name), InvalidArgumentError("its Id is not a GUID")};
  std::string row_name = *user_id;
  return ReferenceRow{std::move(row_name),
                      ParseFields(std::move(user_id).value(), key, creation_date, revision_date, last_access_date)};
}

Result<std::unique_ptr<ReferenceData>> OpenReferenceData(const ReferenceSettings& settings) {
  if (settings.database_provider == "postgresql") return OpenReferencePostgres(settings.connection_string);
  if (settings.database_provider == "mysql") return OpenReferenceMysql(settings.connection_string);
  const bool json = settings.database_provider == "json";
  const std::string& path = json ? settings.json_file_path : settings.sqlite_path;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return InvalidArgumentError("the reference's " + std::string(json ? "JSON data file " : "SQLite database ") + path +
                                " does not exist");
  }
  return json ? OpenReferenceJson(path) : OpenReferenceSqlite(path);
}

}  // namespace keywarden::connector
