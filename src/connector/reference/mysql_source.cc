// The reference's MySQL or MariaDB database (database__provider=mysql), through the MariaDB
// store's connection (store/mariadb_connection.h). Only SELECTs are sent. Rows are read a page at
// a time in Id order: the column is char(36) with a case-insensitive collation (ascii_general_ci),
// so that order is the order of the canonical lower-case ids (the page boundary, sent as bytes,
// is compared under the same collation).
#include <utility>

#include "connector/reference/reference_data.h"
#include "keywarden/crypto/encoding.h"
#include "sql/mariadb/mariadb_connection.h"

namespace keywarden::connector {
namespace {

using sql::MariaDbConnection;
using sql::MariaDbStatement;

constexpr char kDataKeys[] = "SELECT `Id`, `SymmetricKey` FROM `ApplicationDatas` ORDER BY `Id`";
// datetime(6) as text in the form reference_date.h reads (UTC: the reference writes UtcNow).
constexpr char kFirstRows[] =
    "SELECT `Id`, `Key`, DATE_FORMAT(`CreationDate`, '%Y-%m-%d %H:%i:%s.%f'), "
    "DATE_FORMAT(`RevisionDate`, '%Y-%m-%d %H:%i:%s.%f'), DATE_FORMAT(`LastAccessDate`, '%Y-%m-%d %H:%i:%s.%f') "
    "FROM `UserKeys` ORDER BY `Id` LIMIT ?";
constexpr char kNextRows[] =
    "SELECT `Id`, `Key`, DATE_FORMAT(`CreationDate`, '%Y-%m-%d %H:%i:%s.%f'), "
    "DATE_FORMAT(`RevisionDate`, '%Y-%m-%d %H:%i:%s.%f'), DATE_FORMAT(`LastAccessDate`, '%Y-%m-%d %H:%i:%s.%f') "
    "FROM `UserKeys` WHERE `Id` > CONVERT(? USING ascii) COLLATE ascii_general_ci ORDER BY `Id` LIMIT ?";

// The statement helper reads NULL as "": no stored key or date is ever empty, so "" is NULL.
std::optional<std::string> Column(const MariaDbStatement& statement, std::size_t column) {
  std::string text = statement.ColumnText(column);
  if (text.empty()) return std::nullopt;
  return text;
}

class MysqlReferenceData final : public ReferenceData {
 public:
  explicit MysqlReferenceData(std::unique_ptr<MariaDbConnection> connection) : connection_(std::move(connection)) {}

  Result<std::vector<std::vector<std::uint8_t>>> WrappedDataKeys() override {
    MariaDbStatement statement(*connection_, kDataKeys, "to read the reference's ApplicationDatas");
    KW_RETURN_IF_ERROR(statement.Run());
    std::vector<std::vector<std::uint8_t>> keys;
    while (true) {
      KW_ASSIGN_OR_RETURN(bool row, statement.Next());
      if (!row) break;
      const std::optional<std::string> text = Column(statement, 1);
      if (!text) continue;  // a row without a key wraps nothing
      auto wrapped = Base64Decode(*text);
      if (!wrapped.ok()) {
        return InvalidArgumentError("the reference's ApplicationDatas row " + std::to_string(statement.ColumnInt(0)) +
                                    ": SymmetricKey is not base64");
      }
      keys.push_back(std::move(wrapped).value());
    }
    return keys;
  }

  Result<std::vector<ReferenceRow>> NextRows(std::size_t limit) override {
    std::vector<ReferenceRow> out;
    if (done_ || limit == 0) return out;
    const std::string after = after_;  // bound by reference: must outlive the statement's run
    MariaDbStatement statement(*connection_, after.empty() ? kFirstRows : kNextRows,
                               "to read the reference's UserKeys");
    if (!after.empty()) statement.Bytes(std::string_view(after));
    statement.Int(static_cast<std::int64_t>(limit));
    KW_RETURN_IF_ERROR(statement.Run());
    while (true) {
      KW_ASSIGN_OR_RETURN(bool row, statement.Next());
      if (!row) break;
      const std::string id = statement.ColumnText(0);
      out.push_back(ParseReferenceRow("UserKeys Id '" + id + "'", id, Column(statement, 1), Column(statement, 2),
                                      Column(statement, 3), Column(statement, 4)));
      after_ = id;
    }
    done_ = out.size() < limit;
    return out;
  }

 private:
  std::unique_ptr<MariaDbConnection> connection_;
  std::string after_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<ReferenceData>> OpenReferenceMysql(const std::string& connection_string) {
  KW_ASSIGN_OR_RETURN(sql::MariaDbOptions options, sql::ParseMariaDbConnectionString(connection_string));
  KW_ASSIGN_OR_RETURN(std::unique_ptr<MariaDbConnection> connection, MariaDbConnection::Connect(options));
  return std::unique_ptr<ReferenceData>(new MysqlReferenceData(std::move(connection)));
}

}  // namespace keywarden::connector
